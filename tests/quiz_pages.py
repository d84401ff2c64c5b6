"""Read a quiz page as a learner sees it, and fill it in by the choices' texts."""

import html
import re

from tests.conftest import course_by_slug

QUESTION = re.compile(
    r'<fieldset class="question[^"]*" data-question="([^"]+)">(.*?)</fieldset>', re.S
)
CHOICE = re.compile(
    r'<input type="(radio|checkbox)" name="([^"]+)" value="(\d+)"[^>]*>'
    r"\s*<span>(.*?)</span>",
    re.S,
)
PAPER = re.compile(r'name="quiz_paper" value="([^"]+)"')


def shown(page):
    """The paper token and [(question id, kind, [choice text in order shown])]."""
    questions = []
    for qid, body in QUESTION.findall(page):
        choices = CHOICE.findall(body)
        texts = [html.unescape(text) for _kind, _name, _value, text in choices]
        questions.append((qid, choices[0][0], texts))
    return PAPER.search(page).group(1), questions


def fill(client, slug, answers):
    """Open the quiz and tick the choices ``answers`` names by id; the form data.

    :param answers: question id -> choice id or ids, as written in quiz.yaml
        (a, b, c... in the order written); questions left out stay blank.
    """
    page = client.get(f"/courses/{slug}/quiz").get_data(as_text=True)
    return fill_page(page, slug, answers)


def fill_page(page, slug, answers):
    token, questions = shown(page)
    written = {q["id"]: q for q in course_by_slug(slug).quiz.questions}
    data = {"quiz_paper": token}
    for qid, _kind, texts in questions:
        wanted = answers.get(qid)
        if wanted is None:
            continue
        wanted = [wanted] if isinstance(wanted, str) else wanted
        ids = [_choice_id(written[qid], text) for text in texts]
        data[qid] = [str(ids.index(choice)) for choice in wanted if choice in ids]
    return data


def right_answers(slug):
    """Every question's correct choice ids."""
    return {
        q["id"]: [c["id"] for c in q["choices"] if c["correct"]]
        for q in course_by_slug(slug).quiz.questions
    }


def _choice_id(question, text):
    return next(c["id"] for c in question["choices"] if c["vi"] == text)
