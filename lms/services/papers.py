"""Quiz papers: the questions one attempt asks, and the order of their choices.

Every attempt gets its own paper, drawn on the server: the questions (all of
them, or ``quiz.draw`` of the pool) in a random order, each with its choices
shuffled, so the place of a right answer tells nothing. Answers are given by
their place on the paper, never by the choice ids (which follow the order the
quiz was written in). The paper travels with the quiz page as a signed token,
so showing the quiz changes nothing and a page saved on the phone can still be
answered offline; it is kept with the attempt for grading and the review.

The token is signed, not secret, so it carries only the questions and a random
nonce: the order of the choices follows from the nonce and the server's key,
and reading the token tells nothing about which choice was written first.
"""

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from lms.services import DomainError

_RANDOM = secrets.SystemRandom()
PLACE = re.compile(r"[0-9]{1,2}")  # ASCII digits only: "²" is a digit to str too
CHANGED = _l("This quiz was changed after you opened it. Open it again and answer.")


@dataclass(frozen=True)
class Paper:
    """((question id, (choice id, ...) in the order shown), ...) in order."""

    questions: tuple
    nonce: str = ""  # orders the choices with the server's key (PaperSeal)

    @classmethod
    def from_json(cls, rows):
        return cls(tuple((row["id"], tuple(row["choices"])) for row in rows))

    def as_json(self):
        return [{"id": qid, "choices": list(ids)} for qid, ids in self.questions]


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
            isinstance(p, str) and PLACE.fullmatch(p) and int(p) < len(choice_ids)
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
    """Draws papers for the quiz page, signs them into it, and reads them back."""

    def __init__(self, secret):
        self._serializer = URLSafeSerializer(secret, salt="quiz-paper")
        key = secret.encode() if isinstance(secret, str) else secret
        self._key = hmac.new(key, b"quiz-paper-choices", hashlib.sha256).digest()

    def draw(self, quiz, rng=_RANDOM):
        """A fresh paper for one attempt: questions drawn and choices shuffled."""
        picked = rng.sample(list(quiz.questions), quiz.questions_per_attempt)
        nonce = secrets.token_urlsafe(12)
        return self._paper(nonce, [q["id"] for q in picked], quiz)

    def seal(self, paper, quiz):
        by_id = {question["id"]: question for question in quiz.questions}
        rows = [[qid, _fingerprint(by_id[qid])] for qid, _ in paper.questions]
        return self._serializer.dumps({"q": quiz.id, "n": paper.nonce, "p": rows})

    def open(self, token, quiz):
        """The paper sealed in ``token`` for ``quiz``.

        :raise DomainError: the token is not ours, or the quiz changed since.
        """
        try:
            data = self._serializer.loads(token if isinstance(token, str) else "")
            nonce, rows = str(data["n"]), [(str(q), str(f)) for q, f in data["p"]]
            if data["q"] != quiz.id or not rows:
                raise ValueError
        except (BadSignature, KeyError, TypeError, ValueError):
            raise DomainError(CHANGED) from None
        by_id = {question["id"]: question for question in quiz.questions}
        for qid, fingerprint in rows:
            if qid not in by_id or _fingerprint(by_id[qid]) != fingerprint:
                raise DomainError(CHANGED)
        return self._paper(nonce, [qid for qid, _ in rows], quiz)

    def _paper(self, nonce, question_ids, quiz):
        """Each question's choices in the order the key and nonce give them."""
        by_id = {question["id"]: question for question in quiz.questions}
        rows = []
        for qid in question_ids:
            ids = [choice["id"] for choice in by_id[qid]["choices"]]
            rows.append(
                (qid, tuple(sorted(ids, key=lambda c: self._rank(nonce, qid, c))))
            )
        return Paper(tuple(rows), nonce)

    def _rank(self, nonce, qid, choice_id):
        message = f"{nonce}\x1f{qid}\x1f{choice_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()
