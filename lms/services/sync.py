"""Progress made offline, sent later in batches: each event applied at most once."""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.clock import utcnow
from lms.extensions import db
from lms.i18n import localised
from lms.models import Course, Enrollment, Lesson, SyncEvent
from lms.services import DomainError
from lms.services.learning import complete_lesson, submit_quiz
from lms.services.papers import PaperSeal, answers_from_marks, first_unanswered

MAX_EVENTS = 100
EVENT_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
FIELDS = {
    "lesson.complete": {"id", "type", "course", "lesson", "at"},
    "quiz.submit": {"id", "type", "course", "paper", "answers", "at"},
}
OLDEST = timedelta(days=365)  # a phone's clock may be wrong; older is "now"


@dataclass
class Replies:
    """What the answers need from the web side: links, papers, language."""

    attempt_url: Callable  # builds a quiz attempt's URL from the attempt
    seal: PaperSeal  # reads the quiz papers the pages were given
    locale: str = "vi"  # for course titles in messages


def apply_events(learner, events, replies):
    """Apply a batch in order; return one result per event, nothing dropped."""
    return [_apply(learner, event, replies) for event in events]


def _apply(learner, event, replies):
    event_id = event.get("id") if isinstance(event, dict) else None
    if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
        return _rejected(None, _l("The event has no valid id."))
    fingerprint = hashlib.sha256(
        json.dumps(event, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    earlier = db.session.scalar(select(SyncEvent).where(SyncEvent.event_id == event_id))
    if earlier is not None:
        return _replay(earlier, learner, fingerprint)
    try:
        with db.session.begin_nested():
            result = _handle(learner, event, replies)
            db.session.add(
                SyncEvent(
                    event_id=event_id,
                    user_id=learner.id,
                    kind=event["type"],
                    fingerprint=fingerprint,
                    result=result,
                )
            )
    except DomainError as error:
        return _rejected(event_id, error.message)
    except IntegrityError:  # the same id arrived at the same moment
        earlier = db.session.scalar(
            select(SyncEvent).where(SyncEvent.event_id == event_id)
        )
        return _replay(earlier, learner, fingerprint)
    return {"id": event_id, "status": "applied", **result}


def _replay(earlier, learner, fingerprint):
    if earlier.user_id != learner.id or earlier.fingerprint != fingerprint:
        return _rejected(
            earlier.event_id, _l("This event id was already used for something else.")
        )
    return {"id": earlier.event_id, "status": "duplicate", **earlier.result}


def _rejected(event_id, message):
    return {"id": event_id, "status": "rejected", "error": str(message)}


def _handle(learner, event, replies):
    kind = event.get("type")
    if not isinstance(kind, str) or kind not in FIELDS:
        raise DomainError(_l("Unknown event type."))
    unknown = sorted(set(event) - FIELDS[kind])
    if unknown:
        raise DomainError(_l("Unknown field: %(field)s.", field=", ".join(unknown)))
    course = _enrolled_course(learner, event.get("course"))
    at = _moment(event.get("at"))
    if kind == "lesson.complete":
        if not isinstance(event.get("lesson"), str):
            raise DomainError(_l("This lesson does not exist."))
        lesson = db.session.scalar(
            select(Lesson).where(
                Lesson.course_id == course.id,
                Lesson.slug == event.get("lesson"),
                Lesson.archived_at.is_(None),
            )
        )
        if lesson is None:
            raise DomainError(_l("This lesson does not exist."))
        complete_lesson(learner, lesson, completed_at=at)
        return {}
    return {"quiz": _submit_quiz(learner, course, event, at, replies)}


def _submit_quiz(learner, course, event, at, replies):
    """Grade answers given offline on the paper the saved quiz page carried."""
    quiz = course.live_quiz
    if quiz is None:
        raise DomainError(_l("This quiz is not open."))
    marks = event.get("answers")
    if not isinstance(marks, dict) or not all(
        isinstance(v, list) and all(isinstance(c, str) for c in v)
        for v in marks.values()
    ):
        raise DomainError(_l("The answers are not in the expected form."))
    title = localised(course, "title", replies.locale)
    try:
        paper = replies.seal.open(event.get("paper"), quiz)
    except DomainError:
        raise DomainError(
            _l(
                "Your quiz answers for “%(course)s” were not saved: the quiz was "
                "changed since. Open it again and answer.",
                course=title,
            )
        ) from None
    number = first_unanswered(paper, marks)
    if number is not None:
        raise DomainError(
            _l(
                "Your quiz answers for “%(course)s” were not saved: question "
                "%(number)d has no answer. Open the quiz and answer every question.",
                course=title,
                number=number,
            )
        )
    answers = answers_from_marks(paper, marks)
    attempt = submit_quiz(learner, quiz, answers, submitted_at=at, paper=paper)
    verdict = (
        _l(
            "Quiz for “%(course)s”: %(score)d%%, passed.",
            course=title,
            score=attempt.score,
        )
        if attempt.passed
        else _l(
            "Quiz for “%(course)s”: %(score)d%%, not passed yet.",
            course=title,
            score=attempt.score,
        )
    )
    return {
        "score": attempt.score,
        "passed": attempt.passed,
        "attempt": replies.attempt_url(attempt),
        "message": str(verdict),
    }


def _enrolled_course(learner, slug):
    if not isinstance(slug, str):
        raise DomainError(_l("This course does not exist."))
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not course.is_published:
        raise DomainError(_l("This course does not exist."))
    enrolled = db.session.scalar(
        select(Enrollment.id).filter_by(user_id=learner.id, course_id=course.id)
    )
    if enrolled is None:
        raise DomainError(_l("You are not enrolled in this course."))
    return course


def _moment(raw):
    """When it happened, by the phone's clock, kept within what can be true."""
    now = utcnow()
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return now
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    if moment > now or moment < now - OLDEST:
        return now
    return moment
