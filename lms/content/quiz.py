"""Read a course's quiz.yaml into plain data, or say what is wrong (pure)."""

from flask_babel import lazy_gettext as _l

from lms.content.fields import (
    Invalid,
    Mapping,
    Problem,
    item_id_field,
    localised_field,
    only_keys,
    positive,
    read_yaml_file,
    required,
    text_field,
)


def parse_quiz(path, problems):
    try:
        data = read_yaml_file(
            path,
            problems,
            _l("quiz.yaml must be a mapping with pass_mark and questions"),
        )
        if data is None:
            return None
        only_keys(data, {"pass_mark", "draw", "questions"})
        pass_mark = required(data, "pass_mark", int)
        if not 1 <= pass_mark <= 100:
            raise Invalid(
                _l("pass_mark is a percentage from 1 to 100"), data.lines["pass_mark"]
            )
        raw_questions = required(data, "questions", list)
        if not raw_questions:
            raise Invalid(_l("the quiz has no questions"), data.lines["questions"])
        questions, ids = [], set()
        for raw in raw_questions:
            question = read_question(raw, data.lines["questions"])
            if question["id"] in ids:
                raise Invalid(
                    _l("the question id “%(id)s” is used twice", id=question["id"]),
                    raw.line,
                )
            ids.add(question["id"])
            questions.append(question)
        draw = draw_count(data, len(questions))
    except Invalid as invalid:
        problems.append(Problem(path, invalid.message, invalid.line))
        return None
    return {"pass_mark": pass_mark, "draw": draw, "questions": questions}


def draw_count(data, pool):
    """How many questions an attempt asks (``draw``), None for all of them."""
    if "draw" not in data:
        return None
    draw = positive(data, "draw")
    if draw > pool:
        raise Invalid(
            _l(
                "draw asks %(draw)d questions per attempt but the quiz has only "
                "%(pool)d",
                draw=draw,
                pool=pool,
            ),
            data.lines["draw"],
        )
    return draw


def read_question(raw, line):
    if not isinstance(raw, Mapping):
        raise Invalid(_l("each question is a mapping with id, question, choices"), line)
    only_keys(raw, {"id", "question", "choices", "explanation"})
    question_vi, question_en = localised_field(raw, "question")
    explanation_vi, explanation_en = localised_field(raw, "explanation")
    raw_choices = required(raw, "choices", list)
    if not 2 <= len(raw_choices) <= 6:
        raise Invalid(_l("a question has 2 to 6 choices"), raw.lines["choices"])
    choices = []
    for index, choice in enumerate(raw_choices):
        if not isinstance(choice, Mapping):
            raise Invalid(
                _l("each choice is a mapping with vi, en and correct"), raw.line
            )
        only_keys(choice, {"vi", "en", "correct"})
        correct = choice.get("correct", False)
        if not isinstance(correct, bool):
            raise Invalid(_l("correct is true or false"), choice.lines["correct"])
        choices.append(
            {
                "id": "abcdef"[index],
                "vi": text_field(choice, "vi"),
                "en": text_field(choice, "en") if "en" in choice else None,
                "correct": correct,
            }
        )
    if not any(choice["correct"] for choice in choices):
        raise Invalid(_l("the question has no correct choice"), raw.line)
    return {
        "id": item_id_field(raw, "id"),
        "vi": question_vi,
        "en": question_en,
        "choices": choices,
        "explanation_vi": explanation_vi,
        "explanation_en": explanation_en,
    }
