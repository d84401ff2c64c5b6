"""A class's roster, a page at a time: sorted and searched in SQL.

A class may hold ten thousand farmers. The members are ordered and cut to a page
by the database; only the page's learners are then read in detail (progress per
course, best quiz score, latest practical work, last activity), in a fixed
number of queries. The CSV export reads the whole class the same way, a chunk
at a time, so memory stays flat.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, and_, case, exists, func, literal, select

from lms.database import name_contains
from lms.extensions import db
from lms.models import (
    Assignment,
    ClassMember,
    Enrollment,
    Lesson,
    LessonProgress,
    Quiz,
    QuizAttempt,
    Submission,
    User,
)
from lms.services.learning import _empty_progress
from lms.services.ordering import by_name

PAGE_SIZE = 50
CHUNK = 500
SORTS = ("name", "progress", "activity", "review")


@dataclass
class RosterRow:
    learner: User
    progress: dict  # course id -> Progress
    best_scores: dict  # course id -> best quiz score or None
    submissions: dict  # course id -> latest submission or None
    last_active: datetime | None
    to_review: int = 0
    extra: dict = field(default_factory=dict)


def members(classroom, sort="name", search=""):
    """A SELECT of the class's learners, searched and in the order asked for."""
    query = (
        select(User)
        .join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.classroom_id == classroom.id)
    )
    condition = _matching(search)
    if condition is not None:
        query = query.where(condition)
    first = _ORDERS.get(sort, _ORDERS["name"])(classroom)
    return query.order_by(*first, *by_name(User))


def member_count(classroom, search=""):
    query = members(classroom, search=search).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(query))


def roster_page(classroom, sort="name", search="", number=1):
    """(rows, total) for page ``number`` (from 1) of the roster."""
    total = member_count(classroom, search)
    page = db.session.scalars(
        members(classroom, sort, search)
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    ).all()
    return _details(page, classroom.courses), total


def roster_rows(classroom, sort="name"):
    """Every learner of the class in order, read a chunk at a time."""
    ids = db.session.scalars(members(classroom, sort).with_only_columns(User.id)).all()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        people = {
            u.id: u for u in db.session.scalars(select(User).where(User.id.in_(chunk)))
        }
        yield from _details([people[i] for i in chunk], classroom.courses)
        db.session.expunge_all()  # keep memory flat over a big class


def _matching(search):
    """Names containing the words typed, or phones containing the digits typed."""
    search = (search or "").strip()
    if not search:
        return None
    digits = re.sub(r"\D", "", search)
    if digits and len(digits) >= len(search.replace(" ", "")) - 1:
        return User.phone.contains(digits.removeprefix("0"), autoescape=True)
    return and_(*(name_contains(User.name, word) for word in search.split()))


def _by_progress(classroom):
    """Sum over the class's courses of each learner's percent done, in SQL."""
    lesson_weight, quiz_weight, work_weight = {}, {}, {}
    quizzes, assignments = [], []
    for course in classroom.courses:
        steps = _empty_progress(course).steps_total
        if not steps:
            continue
        lesson_weight[course.id] = 100.0 / steps
        if course.live_quiz is not None:
            quizzes.append(course.live_quiz.id)
            quiz_weight[course.live_quiz.id] = 100.0 / steps
        assignment = course.open_assignment
        if assignment is not None:
            assignments.append(assignment.id)
            work_weight[assignment.id] = 100.0 / steps
    if not lesson_weight:
        return ()
    lessons = (
        select(func.sum(case(lesson_weight, value=Lesson.course_id, else_=0)))
        .select_from(LessonProgress)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(
            LessonProgress.user_id == User.id,
            Lesson.archived_at.is_(None),
            Lesson.course_id.in_(lesson_weight),
        )
    )
    passed = exists().where(
        QuizAttempt.quiz_id == Quiz.id,
        QuizAttempt.user_id == User.id,
        QuizAttempt.passed.is_(True),
    )
    quiz = select(func.sum(case(quiz_weight or {-1: 0}, value=Quiz.id, else_=0))).where(
        Quiz.id.in_(quizzes), passed
    )
    approved = exists().where(
        Submission.assignment_id == Assignment.id,
        Submission.user_id == User.id,
        Submission.status == "approved",
    )
    work = select(
        func.sum(case(work_weight or {-1: 0}, value=Assignment.id, else_=0))
    ).where(Assignment.id.in_(assignments), approved)
    score = sum(
        func.coalesce(part.correlate(User).scalar_subquery(), 0)
        for part in (lessons, quiz, work)
    )
    return (score.desc(),)


def _by_activity(classroom):
    lesson = (
        select(func.max(LessonProgress.completed_at))
        .where(LessonProgress.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    quiz = (
        select(func.max(QuizAttempt.created_at))
        .where(QuizAttempt.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite's max() of several values is NULL if one is; '' sorts last.
        never = literal("", String)
        latest = func.max(func.coalesce(lesson, never), func.coalesce(quiz, never))
    else:
        latest = func.greatest(lesson, quiz)  # ignores NULLs
    return (latest.desc().nulls_last(),)


def _by_review(classroom):
    pending = (
        select(func.count())
        .select_from(Submission)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(
            Submission.user_id == User.id,
            Submission.status == "pending",
            Assignment.course_id.in_([c.id for c in classroom.courses]),
        )
        .correlate(User)
        .scalar_subquery()
    )
    return (pending.desc(),)


_ORDERS = {
    "name": lambda classroom: (),
    "progress": _by_progress,
    "activity": _by_activity,
    "review": _by_review,
}


def _details(people, courses):
    """A RosterRow for each of ``people``, in their order, in a few queries."""
    ids = [person.id for person in people]
    course_ids = [course.id for course in courses]
    if not ids:
        return []
    done = {
        (user_id, course_id): n
        for user_id, course_id, n in db.session.execute(
            select(LessonProgress.user_id, Lesson.course_id, func.count())
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(
                LessonProgress.user_id.in_(ids),
                Lesson.course_id.in_(course_ids),
                Lesson.archived_at.is_(None),
            )
            .group_by(LessonProgress.user_id, Lesson.course_id)
        )
    }
    scores, passed = {}, set()
    for user_id, course_id, best, any_passed in db.session.execute(
        select(
            QuizAttempt.user_id,
            Quiz.course_id,
            func.max(QuizAttempt.score),
            func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)),
        )
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(QuizAttempt.user_id.in_(ids), Quiz.course_id.in_(course_ids))
        .group_by(QuizAttempt.user_id, Quiz.course_id)
    ):
        scores[(user_id, course_id)] = best
        if any_passed:
            passed.add((user_id, course_id))
    latest, approved = {}, set()
    for submission, course_id in db.session.execute(
        select(Submission, Assignment.course_id)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Submission.user_id.in_(ids), Assignment.course_id.in_(course_ids))
        .order_by(Submission.created_at, Submission.id)
    ):
        latest[(submission.user_id, course_id)] = submission
        if submission.status == "approved":
            approved.add((submission.user_id, course_id))
    enrolled = {
        (user_id, course_id): completed_at
        for user_id, course_id, completed_at in db.session.execute(
            select(
                Enrollment.user_id, Enrollment.course_id, Enrollment.completed_at
            ).where(Enrollment.user_id.in_(ids), Enrollment.course_id.in_(course_ids))
        )
    }
    last_active = _last_active(ids)
    empty = {course.id: _empty_progress(course) for course in courses}
    rows = []
    for person in people:
        progress = {}
        for course in courses:
            key = (person.id, course.id)
            one = _copy(empty[course.id])
            one.lessons_done = done.get(key, 0)
            one.quiz_passed = key in passed
            one.practical_approved = key in approved
            one.enrolled = key in enrolled
            one.completed_at = enrolled.get(key)
            progress[course.id] = one
        statuses = {c.id: latest.get((person.id, c.id)) for c in courses}
        rows.append(
            RosterRow(
                learner=person,
                progress=progress,
                best_scores={c.id: scores.get((person.id, c.id)) for c in courses},
                submissions=statuses,
                last_active=last_active.get(person.id),
                to_review=sum(
                    1 for s in statuses.values() if s and s.status == "pending"
                ),
            )
        )
    return rows


def _copy(progress):
    return type(progress)(**progress.__dict__)


def _last_active(ids):
    last = dict(
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
        if last.get(user_id) is None or when > last[user_id]:
            last[user_id] = when
    return last
