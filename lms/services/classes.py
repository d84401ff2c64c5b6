"""Classes for training days: join codes, joining, and the trainer's roster."""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.models import (
    ClassMember,
    Classroom,
    LessonProgress,
    Quiz,
    QuizAttempt,
    Submission,
    User,
)
from lms.services import DomainError
from lms.services.learning import enroll, progress_by_course

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud or copied from a projector
# survives. 6 characters of 22 give over 100 million codes.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6


def normalise_join_code(raw):
    return "".join(c for c in (raw or "").upper() if c.isalnum())


def create_class(trainer, name, held_on, place, area, courses):
    """Open a class with a fresh join code; its courses must be published."""
    if not (name or "").strip():
        raise DomainError(_l("Give the class a name."), field="name")
    if not courses:
        raise DomainError(_l("Choose at least one course."), field="courses")
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
        try:
            with db.session.begin_nested():
                db.session.add(classroom)
        except IntegrityError:  # the code was taken: draw another
            continue
        return classroom
    raise DomainError(_l("Could not make a join code. Please try again."))


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
        try:
            with db.session.begin_nested():
                db.session.add(ClassMember(classroom=classroom, user_id=learner.id))
        except IntegrityError:
            pass  # joined by a double tap at the same moment
    for course in classroom.courses:
        if course.is_published:
            enroll(learner, course)


@dataclass
class RosterRow:
    learner: User
    progress: dict  # course id -> Progress
    best_scores: dict  # course id -> best quiz score or None
    submissions: dict  # course id -> latest submission status or None
    last_active: datetime | None
    to_review: int = 0
    extra: dict = field(default_factory=dict)


SORT_KEYS = {
    "name": lambda row: (row.learner.name_sort_given, row.learner.id),
    "family": lambda row: (row.learner.name_sort_family, row.learner.id),
    "progress": lambda row: -sum(p.percent for p in row.progress.values()),
    "activity": lambda row: -(row.last_active or datetime.min).timestamp(),
    "review": lambda row: -row.to_review,
}


def roster(classroom, sort="name"):
    """Each learner's progress per course, best quiz score, practical work and
    last activity, in a fixed number of queries whatever the class size."""
    members = db.session.scalars(
        select(User)
        .join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.classroom_id == classroom.id)
    ).all()
    ids = [member.id for member in members]
    courses = classroom.courses
    course_ids = [course.id for course in courses]
    if not ids:
        return []
    scores = {
        (user_id, course_id): score
        for user_id, course_id, score in db.session.execute(
            select(QuizAttempt.user_id, Quiz.course_id, func.max(QuizAttempt.score))
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .where(QuizAttempt.user_id.in_(ids), Quiz.course_id.in_(course_ids))
            .group_by(QuizAttempt.user_id, Quiz.course_id)
        )
    }
    latest = {}
    for submission in db.session.scalars(
        select(Submission)
        .where(Submission.user_id.in_(ids))
        .order_by(Submission.created_at, Submission.id)
    ):
        latest[(submission.user_id, submission.assignment.course_id)] = submission
    last_active = dict(
        db.session.execute(
            select(LessonProgress.user_id, func.max(LessonProgress.completed_at))
            .where(LessonProgress.user_id.in_(ids))
            .group_by(LessonProgress.user_id)
        ).all()
    )
    for user_id, when in db.session.execute(
        select(QuizAttempt.user_id, func.max(QuizAttempt.created_at))
        .where(QuizAttempt.user_id.in_(ids))
        .group_by(QuizAttempt.user_id)
    ):
        if last_active.get(user_id) is None or when > last_active[user_id]:
            last_active[user_id] = when
    rows = []
    for member in members:
        statuses = {course.id: latest.get((member.id, course.id)) for course in courses}
        rows.append(
            RosterRow(
                learner=member,
                progress=progress_by_course(member, courses),
                best_scores={c.id: scores.get((member.id, c.id)) for c in courses},
                submissions=statuses,
                last_active=last_active.get(member.id),
                to_review=sum(
                    1 for s in statuses.values() if s and s.status == "pending"
                ),
            )
        )
    return sorted(rows, key=SORT_KEYS.get(sort, SORT_KEYS["name"]))
