"""What a flush changes in the report totals (``lms.models.totals``).

Most flushes add a learner's activity: a lesson completed, a quiz answered, an
enrolment, practical work sent, an enrolment marked complete. What that changes
follows from the rows written: a new lesson row is one more lesson on its local
day, in its area, for its course (and for all courses). Active days need the
learner's other days only when the flush recorded a new one, the learner's
first activity of a local day: then that day and the next active day after it
are counted again from the learner's days.

Anything else a flush does to a learner (a move to another area, a role change,
a deletion, a certificate issued or revoked, practical work reviewed, an
activity row changed) is rare: that learner's whole contribution is counted
before and after the flush with the SQL ``rebuild`` runs, and the difference is
added, so those cases need no rules of their own. New learners are counted from
nothing after the flush. Either way the totals equal what ``rebuild`` recounts
from the raw rows (tests/reports/test_totals.py).
"""

from collections import Counter

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from lms.models.activity import ADDED_DAYS, LearnerDay, local_day
from lms.models.certificate import Certificate
from lms.models.course import Assignment, Lesson, Quiz
from lms.models.practical import Submission
from lms.models.progress import Enrollment, LessonProgress, QuizAttempt
from lms.models.totals import ACTIVE_REACH, apply, learner_rows
from lms.models.user import User

TRACKED = (Enrollment, LessonProgress, QuizAttempt, Submission, Certificate, LearnerDay)
USER_FIELDS = ("role", "area_id", "area", "created_at")
# New rows whose change to the totals follows from their own values.
ADDED = (Enrollment, LessonProgress, QuizAttempt, Submission)
BEFORE, NEW_USERS, ROWS = "totals_before", "totals_new_users", "totals_rows"


def _changed(row, names=None):
    attrs = inspect(row).attrs
    return any(
        attr.history.has_changes()
        for attr in attrs
        if names is None or attr.key in names
    )


def _completion_only(row):
    """An enrolment of which only the completion time changed, from a known value."""
    if not isinstance(row, Enrollment):
        return False
    attrs = inspect(row).attrs
    if any(a.history.has_changes() for a in attrs if a.key != "completed_at"):
        return False
    history = attrs.completed_at.history
    return not history.has_changes() or bool(history.deleted)


def recounted(session):
    """The ids of the learners whose contribution a flush must count again."""
    users = set()
    for row in session.deleted:
        if isinstance(row, TRACKED) and row.user_id is not None:
            users.add(row.user_id)
        elif isinstance(row, User) and row.id is not None:
            users.add(row.id)
    for row in session.new:
        if isinstance(row, TRACKED) and not isinstance(row, ADDED):
            if row.user_id is not None:
                users.add(row.user_id)
    for row in session.dirty:
        if isinstance(row, User):
            if row.id is not None and _changed(row, USER_FIELDS):
                users.add(row.id)
        elif isinstance(row, TRACKED) and row.user_id is not None:
            if not _completion_only(row) and _changed(row):
                users.add(row.user_id)
    return users


# Where a request that completes lessons read from the process's copy of their
# course (lms.services.course_views), not through the session, leaves
# {lesson id: course id} for the totals.
LESSON_COURSES = "lesson_courses"


def _course_of(session, model, row_id):
    """The course of a lesson, quiz or practical work: from the session when it
    holds the row or was told, else its one column."""
    target = session.identity_map.get(identity_key(model, row_id))
    if target is not None:
        return target.course_id
    if model is Lesson and row_id in session.info.get(LESSON_COURSES, ()):
        return session.info[LESSON_COURSES][row_id]
    return session.scalar(select(model.course_id).where(model.id == row_id))


def row_totals(session, row):
    """{(metric, area id, key, day): n} that a new row adds to its learner's."""
    area, rows = row.area_id, Counter()
    if isinstance(row, LessonProgress):
        course = _course_of(session, Lesson, row.lesson_id)
        rows["lesson", area, course, local_day(row.completed_at)] += 1
    elif isinstance(row, QuizAttempt):
        course = _course_of(session, Quiz, row.quiz_id)
        day = local_day(row.created_at)
        rows["quiz", area, course, day] += 1
        if row.passed:
            rows["quiz_pass", area, course, day] += 1
    elif isinstance(row, Enrollment):
        rows["enrol", area, row.course_id, local_day(row.created_at)] += 1
        if row.completed_at is not None:
            rows["complete", area, row.course_id, local_day(row.completed_at)] += 1
    elif row.status == "approved" and row.reviewed_at is not None:  # Submission
        course = _course_of(session, Assignment, row.assignment_id)
        rows["approved", area, course, local_day(row.reviewed_at)] += 1
    return rows


def completion_totals(row):
    """What moving an enrolment's completion time changes."""
    history, rows = inspect(row).attrs.completed_at.history, Counter()
    for moment in history.deleted:
        if moment is not None:
            rows["complete", row.area_id, row.course_id, local_day(moment)] -= 1
    for moment in history.added:
        if moment is not None:
            rows["complete", row.area_id, row.course_id, local_day(moment)] += 1
    return rows


def active_rows(days):
    """The active-learner rows of one learner's {local day: area id}, as rebuilt."""
    rows, previous = Counter(), None
    for day in sorted(days):
        number = day.toordinal()
        if previous is None or number - previous > ACTIVE_REACH:
            key = number - ACTIVE_REACH
        else:
            key = previous
        rows["active", days[day], key, day] += 1
        previous = number
    return rows


def active_change(connection, added):
    """What the active days ``added`` {(user id, day)} change, from all the days
    of their learners as they are now."""
    days = {}
    statement = select(LearnerDay.user_id, LearnerDay.day, LearnerDay.area_id).where(
        LearnerDay.user_id.in_({user_id for user_id, _ in added})
    )
    for user_id, day, area_id in connection.execute(statement):
        days.setdefault(user_id, {})[day] = area_id
    change = Counter()
    for user_id, now in days.items():
        before = {day: a for day, a in now.items() if (user_id, day) not in added}
        change.update(active_rows(now))
        change.subtract(active_rows(before))
    return change


@event.listens_for(Session, "before_flush", insert=True)
def _count_before(session, flush_context, instances):
    """First of all the flush's listeners, before any of them writes."""
    for key in (BEFORE, NEW_USERS, ROWS, ADDED_DAYS):
        session.info.pop(key, None)  # a flush that failed left its own
    with session.no_autoflush:
        users = recounted(session)
        if users:
            connection = session.connection()
            session.info[BEFORE] = {
                user_id: learner_rows(connection, user_id) for user_id in users
            }


@event.listens_for(Session, "after_flush")
def _rows_written(session, flush_context):
    """The flush's new rows, with their ids, times and areas, and new learners."""
    new = {row.id for row in session.new if isinstance(row, User)}
    if new:
        session.info[NEW_USERS] = new
    rows = {}
    with session.no_autoflush:
        for row in session.new:
            if isinstance(row, ADDED):
                rows.setdefault(row.user_id, Counter()).update(row_totals(session, row))
        for row in session.dirty:
            if isinstance(row, Enrollment) and _completion_only(row):
                rows.setdefault(row.user_id, Counter()).update(completion_totals(row))
    if rows:
        session.info[ROWS] = rows


@event.listens_for(Session, "after_flush_postexec")
def _count_after(session, flush_context):
    """After the flush and the listener that records active days: add the change."""
    before = session.info.pop(BEFORE, None) or {}
    counted = set(before) | session.info.pop(NEW_USERS, set())
    rows = session.info.pop(ROWS, None) or {}
    days = {
        (user_id, day)
        for user_id, day in session.info.pop(ADDED_DAYS, None) or ()
        if user_id not in counted
    }
    if not (counted or rows or days):
        return
    connection = session.connection()
    deltas = Counter()
    for user_id in counted:
        deltas.update(learner_rows(connection, user_id))
        deltas.subtract(before.get(user_id, Counter()))
    for user_id, change in rows.items():
        if user_id not in counted:
            deltas.update(change)
    if days:
        deltas.update(active_change(connection, days))
    apply(connection, deltas)
