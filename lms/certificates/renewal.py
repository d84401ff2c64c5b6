"""Renewing a club card: what it needs, the refresher quiz, the next period's card.

The club's rule decides (data an admin edits): renewing opens ``renewal_days``
before the card expires (and stays open after it has expired), needs a valid
certificate of every course the club requires now, and, unless the club sets
0 questions, a refresher quiz of ``renewal_questions`` questions drawn from
those courses' quizzes, passed with ``renewal_pass_mark`` percent. The new card
runs from the end of the old one, which ends the moment the new one is issued,
so a member is never counted or listed twice; the old card's page stays.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.clock import utcnow
from lms.extensions import db
from lms.models import Certificate
from lms.services import DomainError
from lms.services.audit import audit
from lms.services.certificates import issue_card, latest_card


@dataclass
class Renewal:
    """What renewing ``card`` needs, as its holder sees it."""

    card: Certificate
    opens_at: datetime
    missing: list = field(default_factory=list)  # courses without a valid certificate
    questions: int = 0
    pass_mark: int = 0

    def is_open(self, now=None):
        return (now or utcnow()) >= self.opens_at


def renewal_for(card):
    """How ``card`` can be renewed, or None: no expiry, revoked, or not the latest."""
    if card.club is None or card.expires_at is None or card.revoked_at is not None:
        return None
    if latest_card(card.user, card.club).id != card.id:
        return None
    club = card.club
    valid = set(
        db.session.scalars(
            select(Certificate.course_id).where(
                Certificate.user_id == card.user_id,
                Certificate.course_id.is_not(None),
                Certificate.revoked_at.is_(None),
            )
        )
    )
    return Renewal(
        card=card,
        opens_at=card.expires_at - timedelta(days=club.renewal_days),
        missing=[course for course in club.courses if course.id not in valid],
        questions=min(club.renewal_questions, len(question_pool(club))),
        pass_mark=club.renewal_pass_mark,
    )


def draw_questions(club, rng=random):
    """Draw the refresher quiz: [(course id, question)], ``renewal_questions`` long."""
    pool = question_pool(club)
    return rng.sample(pool, min(club.renewal_questions, len(pool)))


def question_pool(club):
    return [
        (course.id, question)
        for course in club.courses
        if course.live_quiz is not None
        for question in course.live_quiz.questions
    ]


def renew(learner, card, drawn, answers, now=None):
    """Issue ``card``'s next period once its club's renewal rule is met.

    :param drawn: [(course id, question id)] of the refresher quiz shown.
    :param answers: one list of chosen choice ids per drawn question.
    :raise DomainError: not the holder's, not open yet, a course missing, or the
        refresher quiz unanswered or not passed. Nothing changes then.
    """
    now = now or utcnow()
    if card.user_id != learner.id or card.club is None:
        raise DomainError(_l("This card cannot be renewed."))
    renewal = renewal_for(card)
    if renewal is None:
        latest = latest_card(learner, card.club)
        if latest.period == card.period + 1 and latest.revoked_at is None:
            return latest  # a second press, or a request at the same moment
        raise DomainError(_l("This card cannot be renewed."))
    if not renewal.is_open(now):
        raise DomainError(_l("Renewing this card is not open yet."))
    if renewal.missing:
        raise DomainError(_l("Complete every course the club requires first."))
    if renewal.questions:
        _check_refresher(card.club, renewal, drawn, answers)
    start = max(now, card.expires_at)
    issued = issue_card(learner, card.club, card.period + 1, start)
    if not issued:  # renewed at this very moment by another request
        return latest_card(learner, card.club)
    (new_card,) = issued
    card.expires_at = min(card.expires_at, now)
    audit(
        learner,
        "certificate.renew",
        learner.id,
        {"certificate": card.id, "renewed_by": new_card.id},
    )
    db.session.flush()
    return new_card


def _check_refresher(club, renewal, drawn, answers):
    pool = {(course_id, q["id"]): q for course_id, q in question_pool(club)}
    keys = [tuple(key) for key in drawn]
    if (
        len(keys) != renewal.questions
        or len(set(keys)) != len(keys)
        or not set(keys) <= pool.keys()
        or len(answers) != len(keys)
    ):
        raise DomainError(_l("The refresher quiz has changed. Please answer it again."))
    if not all(answers):
        raise DomainError(_l("Please answer every question."))
    right = sum(
        grade_one(pool[key], chosen) for key, chosen in zip(keys, answers, strict=True)
    )
    score = round(100 * right / len(keys))
    if score < renewal.pass_mark:
        raise DomainError(
            _l(
                "%(right)d of %(total)d right (%(score)d%%); renewing needs "
                "%(mark)d%%. Read the lessons again, then try new questions.",
                right=right,
                total=len(keys),
                score=score,
                mark=renewal.pass_mark,
            )
        )


def grade_one(question, chosen):
    """Right means exactly the question's correct choices, as in the course quiz."""
    return set(chosen) == {c["id"] for c in question["choices"] if c["correct"]}
