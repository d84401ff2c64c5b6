"""Quiz papers: the questions one attempt asks, and the order of their choices.

Every attempt gets its own paper, drawn on the server: the questions (all of
them, or ``quiz.draw`` of the pool) in a random order, each with its choices
shuffled, so the place of a right answer tells nothing. Answers are given by
their place on the paper, never by the choice ids (which follow the order the
quiz was written in). The paper travels with the quiz page as a signed token,
so showing the quiz changes nothing and a page saved on the phone can still be
answered offline; it is kept with the attempt for grading and the review.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from lms.services import DomainError

_RANDOM = secrets.SystemRandom()
CHANGED = _l("This quiz was changed after you opened it. Open it again and answer.")


@dataclass(frozen=True)
class Paper:
    """((question id, (choice id, ...) in the order shown), ...) in order."""

    questions: tuple

    @classmethod
    def from_json(cls, rows):
        return cls(tuple((row["id"], tuple(row["choices"])) for row in rows))

    def as_json(self):
        return [{"id": qid, "choices": list(ids)} for qid, ids in self.questions]


def draw_paper(quiz, rng=_RANDOM):
    """A fresh paper for one attempt: questions drawn and choices shuffled."""
    picked = rng.sample(list(quiz.questions), quiz.questions_per_attempt)
    rows = []
    for question in picked:
        choices = [choice["id"] for choice in question["choices"]]
        rng.shuffle(choices)
        rows.append((question["id"], tuple(choices)))
    return Paper(tuple(rows))


def whole_quiz(quiz):
    """Every question and choice in the order written (attempts before papers)."""
    return Paper(
        tuple((q["id"], tuple(c["id"] for c in q["choices"])) for q in quiz.questions)
    )


def paper_of(attempt):
    return Paper.from_json(attempt.paper) if attempt.paper else whole_quiz(attempt.quiz)


def shown_questions(paper, quiz):
    """[(question, [choices in the order shown])] for what the quiz still has."""
    by_id = {question["id"]: question for question in quiz.questions}
    shown = []
    for qid, choice_ids in paper.questions:
        question = by_id.get(qid)
        if question is None:
            continue
        choices = {choice["id"]: choice for choice in question["choices"]}
        shown.append((question, [choices[c] for c in choice_ids if c in choices]))
    return shown


def check_paper(paper, quiz):
    """:raise DomainError: the paper asks what the quiz no longer has."""
    by_id = {question["id"]: question for question in quiz.questions}
    for qid, choice_ids in paper.questions:
        question = by_id.get(qid)
        if question is None or sorted(choice_ids) != sorted(
            choice["id"] for choice in question["choices"]
        ):
            raise DomainError(CHANGED)


def first_unanswered(paper, marks):
    """The number (from 1) of the first question on the paper left blank, or None."""
    for number, (qid, _choices) in enumerate(paper.questions, 1):
        if not marks.get(qid):
            return number
    return None


def unanswered(number, qid):
    return DomainError(
        _l(
            "Question %(number)d has no answer yet. Please answer every question.",
            number=number,
        ),
        field=qid,
    )


def answers_from_marks(paper, marks):
    """Turn places ticked on the paper into choice ids: {question id: [ids]}.

    :param marks: question id -> the places ticked ("0" is the first shown).
    :raise DomainError: a question is left blank, or a place is not a choice.
    """
    number = first_unanswered(paper, marks)
    if number is not None:
        raise unanswered(number, paper.questions[number - 1][0])
    answers = {}
    for qid, choice_ids in paper.questions:
        places = marks[qid]
        if not all(
            isinstance(p, str) and p.isdigit() and int(p) < len(choice_ids)
            for p in places
        ):
            raise DomainError(_l("That answer is not one of the choices."), field=qid)
        answers[qid] = [choice_ids[int(p)] for p in places]
    return answers


def _fingerprint(question):
    """What the learner read: a changed text or choice makes an old paper stale."""
    shown = [
        question["vi"],
        question.get("en"),
        [[c["id"], c["vi"], c.get("en")] for c in question["choices"]],
    ]
    text = json.dumps(shown, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


class PaperSeal:
    """Signs a paper into the quiz page, and reads it back from an answer."""

    def __init__(self, secret):
        self._serializer = URLSafeSerializer(secret, salt="quiz-paper")

    def seal(self, paper, quiz):
        by_id = {question["id"]: question for question in quiz.questions}
        rows = [
            [qid, list(choices), _fingerprint(by_id[qid])]
            for qid, choices in paper.questions
        ]
        return self._serializer.dumps({"q": quiz.id, "p": rows})

    def open(self, token, quiz):
        """The paper sealed in ``token`` for ``quiz``.

        :raise DomainError: the token is not ours, or the quiz changed since.
        """
        try:
            data = self._serializer.loads(token if isinstance(token, str) else "")
            rows = data["p"]
            if data["q"] != quiz.id:
                raise ValueError
            paper = Paper(tuple((qid, tuple(choices)) for qid, choices, _ in rows))
        except (BadSignature, KeyError, TypeError, ValueError):
            raise DomainError(CHANGED) from None
        by_id = {question["id"]: question for question in quiz.questions}
        for qid, _choices, fingerprint in rows:
            if qid not in by_id or _fingerprint(by_id[qid]) != fingerprint:
                raise DomainError(CHANGED)
        check_paper(paper, quiz)
        return paper
