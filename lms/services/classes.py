"""Classes for training days: join codes and joining (roster: lms.services.roster)."""

import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.clock import utcnow
from lms.database import insert_once, lock_person
from lms.extensions import db
from lms.models import ClassMember, Classroom
from lms.services import DomainError
from lms.services.learning import enroll

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud or copied from a projector
# survives. 6 characters of 22 give over 100 million codes.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
# A class just like one the trainer opened this long ago is the same one sent again.
SAME_CLASS_WITHIN = timedelta(minutes=10)


def normalise_join_code(raw):
    return "".join(c for c in (raw or "").upper() if c.isalnum())


def create_class(trainer, name, held_on, place, area, courses):
    """Open a class with a fresh join code; its courses must be published.

    The same class sent again within minutes (a double tap, or sent again after
    the answer was lost on a training day's network) is the class the first one
    opened, with its join code: ``trainer`` is held while their recent classes
    are looked at, so two at one moment cannot both open one.
    """
    if not (name or "").strip():
        raise DomainError(_l("Give the class a name."), field="name")
    if not courses:
        raise DomainError(_l("Choose at least one course."), field="courses")
    lock_person(trainer.id)
    same = _recent_same_class(
        trainer, name.strip(), held_on, (place or "").strip(), area
    )
    if same is not None and {c.id for c in same.courses} == {c.id for c in courses}:
        return same
    for _ in range(10):
        classroom = Classroom(
            name=name.strip(),
            held_on=held_on,
            place=(place or "").strip(),
            area=area,
            trainer_id=trainer.id,
            courses=list(courses),
            join_code="".join(
                secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)
            ),
        )
        if insert_once(classroom):
            return classroom
        # the code was taken: draw another
    raise DomainError(_l("Could not make a join code. Please try again."))


def _recent_same_class(trainer, name, held_on, place, area):
    return db.session.scalar(
        select(Classroom)
        .where(
            Classroom.trainer_id == trainer.id,
            Classroom.name == name,
            Classroom.held_on == held_on if held_on else Classroom.held_on.is_(None),
            Classroom.place == place,
            Classroom.area_id == area.id if area else Classroom.area_id.is_(None),
            Classroom.created_at >= utcnow() - SAME_CLASS_WITHIN,
        )
        .order_by(Classroom.id.desc())
        .limit(1)
    )


def find_open_class(raw_code):
    """Return the open class with this code, or raise with a clear message."""
    code = normalise_join_code(raw_code)
    classroom = db.session.scalar(select(Classroom).where(Classroom.join_code == code))
    if classroom is None:
        raise DomainError(_l("No class has this code. Check it with your trainer."))
    if not classroom.is_open:
        raise DomainError(_l("This class is closed. Ask your trainer."))
    return classroom


def join_class(learner, classroom):
    """Put ``learner`` in the class and enrol them in its courses; twice is harmless."""
    if not classroom.is_open:
        raise DomainError(_l("This class is closed. Ask your trainer."))
    if learner.role != "learner":
        raise DomainError(_l("Only learners join classes."))
    exists = db.session.scalar(
        select(ClassMember).filter_by(classroom_id=classroom.id, user_id=learner.id)
    )
    if exists is None:
        # False when joined by a double tap at the same moment: nothing to do
        insert_once(ClassMember(classroom_id=classroom.id, user_id=learner.id))
    for course in classroom.courses:
        if course.is_published:
            enroll(learner, course)
