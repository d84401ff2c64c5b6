"""Progress made offline, sent later in batches: each event applied at most once."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.api_spec import EVENT_ID, LESSON_EVENT, QUIZ_EVENT
from lms.clock import utcnow
from lms.extensions import db
from lms.i18n import localised
from lms.models import SyncEvent
from lms.services import DomainError
from lms.services.catalogue import find_course_with_parts
from lms.services.course_views import published_course_for
from lms.services.learning import complete_lesson, submit_quiz
from lms.services.papers import PaperSeal, answers_from_marks, first_unanswered

MAX_EVENTS = 100
# The events as the API's OpenAPI document states them, checked by validators
# compiled once per process: the contract is written in one place.
VALID_ID = Draft202012Validator(EVENT_ID)
VALID_EVENT = {
    schema["properties"]["type"]["const"]: Draft202012Validator(schema)
    for schema in (LESSON_EVENT, QUIZ_EVENT)
}
# What the learner is told when a field is not in the expected form, by field.
FIELD_ERRORS = {
    "course": _l("This course does not exist."),
    "lesson": _l("This lesson does not exist."),
    "answers": _l("The answers are not in the expected form."),
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


def _apply(learner, event, replies, again=False):
    event_id = event.get("id") if isinstance(event, dict) else None
    if not VALID_ID.is_valid(event_id):
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
    except IntegrityError:
        # The same id arrived at the same moment (answer as that event did), or
        # another event wrote the same lesson first (apply this one again: it
        # now finds the lesson done).
        earlier = db.session.scalar(
            select(SyncEvent).where(SyncEvent.event_id == event_id)
        )
        if earlier is not None:
            return _replay(earlier, learner, fingerprint)
        if again:
            raise
        return _apply(learner, event, replies, again=True)
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
    validator = VALID_EVENT.get(kind) if isinstance(kind, str) else None
    if validator is None:
        raise DomainError(_l("Unknown event type."))
    _check_form(validator, event)
    course, done = _enrolled_course(learner, event["course"])
    at = _moment(event.get("at"))
    if kind == "lesson.complete":
        lesson = next(
            (each for each in course.active_lessons if each.slug == event["lesson"]),
            None,
        )
        if lesson is None:
            raise DomainError(_l("This lesson does not exist."))
        complete_lesson(learner, lesson, completed_at=at, enrolled=True, done=done)
        return {}
    # An attempt is written against the ORM quiz, not the process's copy.
    course = find_course_with_parts(course.slug)
    return {"quiz": _submit_quiz(learner, course, event, at, replies)}


def _check_form(validator, event):
    """Refuse an event not in the form the API states, saying which part is wrong.

    A wrong time is no reason to refuse progress (a phone's clock may be anything:
    ``_moment`` then takes the time it arrived), and a paper that is not one is
    refused by its seal, with what to do about it.
    """
    if validator.is_valid(event):  # the usual case, and the quicker check
        return
    fields = set()
    for error in validator.iter_errors(event):
        if error.validator == "additionalProperties" and not error.path:
            unknown = sorted(set(event) - set(validator.schema["properties"]))
            raise DomainError(_l("Unknown field: %(field)s.", field=", ".join(unknown)))
        if error.validator == "required" and not error.path:
            fields.update(name for name in error.validator_value if name not in event)
        elif error.path:
            fields.add(error.path[0])
    for name, message in FIELD_ERRORS.items():
        if name in fields:
            raise DomainError(message)


def _submit_quiz(learner, course, event, at, replies):
    """Grade answers given offline on the paper the saved quiz page carried."""
    quiz = course.live_quiz
    if quiz is None:
        raise DomainError(_l("This quiz is not open."))
    marks = event["answers"]  # in the form the schema states
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
    """The course's copy and the lessons the learner has done, in one query."""
    course, enrolled, done = published_course_for(learner, slug)
    if course is None:
        raise DomainError(_l("This course does not exist."))
    if not enrolled:
        raise DomainError(_l("You are not enrolled in this course."))
    return course, done


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
