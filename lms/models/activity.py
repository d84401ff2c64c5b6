"""Where a learner's activity counts: the area copied onto each row, and active days.

Officials' reports count rows by area. Joining millions of progress rows to their
learners is too slow for a page, so every activity row carries its learner's
``area_id``, kept right here for every write that goes through the ORM session:
new rows take the learner's area, and moving a learner moves their history.
``LearnerDay`` holds one row per learner and local day with any activity, so
"active in the last 30 days" is a count over a small index, not a scan.
"""

from datetime import date, timedelta

from sqlalchemy import Date, ForeignKey, Index, event, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from lms.extensions import db
from lms.models.certificate import Certificate
from lms.models.practical import Submission
from lms.models.progress import Enrollment, LessonProgress, QuizAttempt
from lms.models.user import User

# The programme runs in Asia/Ho_Chi_Minh, which has no daylight saving time.
LOCAL_OFFSET = timedelta(hours=7)


class LearnerDay(db.Model):
    """A learner was active (a lesson, a quiz, practical work) on this local day."""

    __table_args__ = (Index("ix_learner_day_area_day", "area_id", "day", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))


def local_day(moment):
    return (moment + LOCAL_OFFSET).date()


class LocalDay(FunctionElement):
    """``local_day`` in SQL: the local calendar day of a UTC time column."""

    type = Date()
    name = "local_day"
    inherit_cache = True


_HOURS = int(LOCAL_OFFSET.total_seconds() // 3600)
# ``local_day`` as SQL text, by dialect, for "{}" a UTC time. On SQLite whole
# seconds first: its date() rounds to the millisecond, which would put 16:59:59.9999
# UTC (23:59:59.9999 here) on the next day.
LOCAL_DAY_SQL = {
    "postgresql": f"CAST({{}} + INTERVAL '{_HOURS} hours' AS DATE)",
    "sqlite": f"date(substr({{}}, 1, 19), '+{_HOURS} hours')",
}


@compiles(LocalDay)  # SQLite
def _local_day_sqlite(element, compiler, **kw):
    return LOCAL_DAY_SQL["sqlite"].format(compiler.process(element.clauses, **kw))


@compiles(LocalDay, "postgresql")
def _local_day_postgresql(element, compiler, **kw):
    return LOCAL_DAY_SQL["postgresql"].format(compiler.process(element.clauses, **kw))


AREA_TRACKED = (Enrollment, LessonProgress, QuizAttempt, Submission, Certificate)
ACTIVITY = {LessonProgress: "completed_at", QuizAttempt: "created_at"}
ACTIVITY[Submission] = "created_at"
# Where a flush leaves the (user id, day) pairs it recorded for the first time.
ADDED_DAYS = "active_days_added"


@event.listens_for(Session, "before_flush")
def _copy_areas(session, flush_context, instances):
    with session.no_autoflush:
        for row in session.new:
            if isinstance(row, AREA_TRACKED) and row.area_id is None:
                user = session.get(User, row.user_id)
                row.area_id = user.area_id if user else None
        for user in session.dirty:
            if isinstance(user, User) and _area_changed(user):
                _move_history(session, user)


def _area_changed(user):
    attrs = inspect(user).attrs
    return attrs.area_id.history.has_changes() or attrs.area.history.has_changes()


def _move_history(session, user):
    area_id = user.area_id
    if not inspect(user).attrs.area_id.history.has_changes():
        area_id = user.area.id if user.area is not None else None
    for model in (*AREA_TRACKED, LearnerDay):
        session.execute(
            update(model)
            .where(model.user_id == user.id)
            .values(area_id=area_id)
            .execution_options(synchronize_session=False)
        )


@event.listens_for(Session, "after_flush")
def _record_active_days(session, flush_context):
    days = {}
    for row in session.new:
        moment = getattr(row, ACTIVITY.get(type(row), ""), None)
        if moment is not None:
            days[(row.user_id, local_day(moment))] = row.area_id
    if days:
        added = record_active_days(session.connection(), days)
        session.info.setdefault(ADDED_DAYS, set()).update(added)


def record_active_days(connection, days):
    """Insert {(user id, day): area id}, leaving days already recorded alone;
    return the set of (user id, day) that were new."""
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    rows = [{"user_id": u, "day": d, "area_id": a} for (u, d), a in days.items()]
    statement = insert(LearnerDay).on_conflict_do_nothing()
    added = connection.execute(
        statement.returning(LearnerDay.user_id, LearnerDay.day), rows
    )
    added = {(user_id, day) for user_id, day in added}
    if added and connection.dialect.name == "postgresql":
        # The report totals read these learners' days next. Another transaction
        # may be adding other days of theirs at this moment (two phones, a queue
        # sent again): hold the learners until the end of the transaction, so
        # that the second reads the days the first committed and each day's
        # change is counted once. (SQLite: the write lock did it already.)
        # FOR NO KEY UPDATE: rows that merely refer to the learner never wait.
        learners = sorted({user_id for user_id, _ in added})
        connection.execute(
            select(User.id)
            .where(User.id.in_(learners))
            .order_by(User.id)
            .with_for_update(key_share=True)
        )
    return added
