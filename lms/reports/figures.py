"""The officials' figures, counted in SQL over the area-carrying activity rows.

Every figure is a Metric: a counting query over one table for a scope and a
time window, which can also be grouped by area or by course. The page, the
exports and the API all read the numbers from here, so they always agree.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select

from lms.extensions import db
from lms.models import (
    Certificate,
    Club,
    Enrollment,
    LearnerDay,
    LessonProgress,
    QuizAttempt,
    Submission,
    User,
)
from lms.models.activity import LocalDay
from lms.permissions import in_area_ids
from lms.reports.scope import today
from lms.reports.stored import WINDOWS, from_totals, total_number


@dataclass(frozen=True)
class Metric:
    """``count(scope, start, end)`` is a SELECT of one number over ``model``.

    ``stock``: a total at the end of the window (learners, members), compared with
    the total at its start; otherwise a flow, compared with the window before.
    ``by_course``: the column that tells the course (or lesson, quiz, assignment).
    ``moment``: the time column a flow's window reads (learners: sign-up).
    """

    model: type
    count: Callable
    stock: bool = False
    by_course: object = None
    moment: object = None


def in_scope(model, scope):
    """Conditions for ``model``'s rows in the scope's area and class."""
    area = User.area_id if model is User else model.area_id
    person = User.id if model is User else model.user_id
    conditions = in_area_ids(area, scope.area_ids)
    members = scope.member_ids()
    if members is not None:
        conditions.append(person.in_(members))
    return conditions


def _between(column, start, end):
    return [column >= start, column < end]


def _learners(scope, start, end):
    return select(func.count()).where(
        *in_scope(User, scope), User.role == "learner", User.created_at < end
    )


def _active(scope, start, end):
    return select(func.count(func.distinct(LearnerDay.user_id))).where(
        *in_scope(LearnerDay, scope),
        LearnerDay.day >= today(start),
        LearnerDay.day <= today(end - timedelta(seconds=1)),
    )


def _flow(model, column, restrict=None, *extra):
    def count(scope, start, end):
        conditions = [*in_scope(model, scope), *_between(column, start, end), *extra]
        if restrict is not None:
            ids = restrict(scope)
            if ids is not None:
                conditions.append(ids)
        return select(func.count()).where(*conditions)

    return count


def _courses(column):
    return lambda scope: column.in_(scope.courses) if scope.courses else None


def _via(column, ids_of):
    def restrict(scope):
        ids = ids_of(scope)
        return None if ids is None else column.in_(ids)

    return restrict


def _certificates(club_code):
    """Course certificates (``club_code`` None) or a club's memberships."""

    def kind(scope):
        if club_code is None:
            if scope.courses:
                return Certificate.course_id.in_(scope.courses)
            return Certificate.course_id.is_not(None)
        if scope.club is not None and scope.club.code != club_code:
            return Certificate.id.is_(None)  # another club than the one chosen
        # The id, not a subquery: the planner then reads the club's own index range.
        club_id = db.session.scalar(select(Club.id).where(Club.code == club_code))
        if club_id is None:  # no such club here ("club_id = NULL" would be IS NULL)
            return Certificate.id.is_(None)
        return Certificate.club_id == club_id

    return kind


def _members(club_code):
    kind = _certificates(club_code)

    def count(scope, start, end):
        return select(func.count()).where(
            *in_scope(Certificate, scope),
            kind(scope),
            Certificate.issued_at < end,
            or_(Certificate.revoked_at.is_(None), Certificate.revoked_at >= end),
            or_(Certificate.expires_at.is_(None), Certificate.expires_at > end),
        )

    return count


def _flow_metric(model, column, restrict=None, *extra, by_course=None):
    """A Metric of ``model``'s rows whose ``column`` falls in the window."""
    count = _flow(model, column, restrict, *extra)
    return Metric(model, count, by_course=by_course, moment=column)


METRICS = {
    "learners": Metric(User, _learners, stock=True, moment=User.created_at),
    "active_7": Metric(LearnerDay, _active),
    "active_30": Metric(LearnerDay, _active),
    "enrolments": _flow_metric(
        Enrollment,
        Enrollment.created_at,
        _courses(Enrollment.course_id),
        by_course=Enrollment.course_id,
    ),
    "lessons_completed": _flow_metric(
        LessonProgress,
        LessonProgress.completed_at,
        _via(LessonProgress.lesson_id, lambda s: s.lesson_ids()),
        by_course=LessonProgress.lesson_id,
    ),
    "courses_completed": _flow_metric(
        Enrollment,
        Enrollment.completed_at,
        _courses(Enrollment.course_id),
        by_course=Enrollment.course_id,
    ),
    "quiz_attempts": _flow_metric(
        QuizAttempt,
        QuizAttempt.created_at,
        _via(QuizAttempt.quiz_id, lambda s: s.quiz_ids()),
        by_course=QuizAttempt.quiz_id,
    ),
    "quiz_passed": _flow_metric(
        QuizAttempt,
        QuizAttempt.created_at,
        _via(QuizAttempt.quiz_id, lambda s: s.quiz_ids()),
        QuizAttempt.passed.is_(True),
        by_course=QuizAttempt.quiz_id,
    ),
    "practical_approved": _flow_metric(
        Submission,
        Submission.reviewed_at,
        _via(Submission.assignment_id, lambda s: s.assignment_ids()),
        Submission.status == "approved",
        by_course=Submission.assignment_id,
    ),
    "course_certificates": _flow_metric(
        Certificate,
        Certificate.issued_at,
        _certificates(None),
        by_course=Certificate.course_id,
    ),
    "koc_certificates": _flow_metric(
        Certificate, Certificate.issued_at, _certificates("koc")
    ),
    "kol_certificates": _flow_metric(
        Certificate, Certificate.issued_at, _certificates("kol")
    ),
    "koc_members": Metric(Certificate, _members("koc"), stock=True),
    "kol_members": Metric(Certificate, _members("kol"), stock=True),
}


def windows(name, period):
    """(start, end) for the value and for the comparison, as the metric reads them."""
    metric = METRICS[name]
    if name in WINDOWS:
        days = timedelta(days=WINDOWS[name])
        end = period.end
        return (end - days, end), (end - 2 * days, end - days)
    if metric.stock:
        return (period.start, period.end), (period.start, period.start)
    previous = period.previous
    return (period.start, period.end), (previous.start, previous.end)


def number(name, scope, start, end):
    """The figure over [start, end): from the totals, or counted for a class."""
    if from_totals(scope):
        return total_number(name, scope, start, end)
    return db.session.scalar(METRICS[name].count(scope, start, end))


def grouped(name, scope, start, end, column):
    """{group value: count} for the metric grouped by ``column``."""
    return _grouped(METRICS[name].count(scope, start, end), column)


def by_day(name, scope, start, end):
    """{local day: count} for the metric over [start, end), in one query: what
    a class's trend reads (one pass over its members' rows, not one a week)."""
    metric = METRICS[name]
    query = metric.count(scope, start, end)
    if name == "learners":  # a total: count the registrations in the window
        query = query.where(metric.moment >= start)
    return _grouped(query, LocalDay(metric.moment))


def _grouped(query, column):
    count = query.selected_columns[0]
    rows = db.session.execute(query.with_only_columns(column, count).group_by(column))
    return dict(rows.all())


def area_column(name):
    model = METRICS[name].model
    return User.area_id if model is User else model.area_id
