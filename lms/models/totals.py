"""Daily totals for the officials' reports, kept in the activity's transaction.

A report over a year of a million learners cannot count raw rows on every page.
``ReportTotal`` holds, per figure, area, key (a course, a club, or for active
learners a day number) and local day, how many rows there were. Each area's row
covers its whole subtree, and area 0 the whole site, so any area's figure is a sum
over at most a few hundred days whatever the number of learners.

The rows a learner contributes are counted by the same SQL (``contributions``)
that ``rebuild`` runs over every learner at once. What each flush changes is
added with an upsert (``apply``) in the flush's transaction: worked out from the
rows the flush writes when it adds activity, else by counting the learner's
contribution before and after it (``lms.models.totals_flush``), so the totals
always equal what ``rebuild`` produces from the raw rows.

Active learners are distinct people, which daily counts cannot add up. Each
active day of a learner is counted under ``key`` = the day number (``toordinal``)
of the learner's previous active day, or 31 days before this one when that is
earlier (or there is none). A learner is active in a window [a, b) of at most 31
days exactly when one of their active days in it has a previous active day
before a: the count is ``sum(n) where a <= day < b and key < ordinal(a)``.
"""

import functools
from collections import Counter
from datetime import date

from sqlalchemy import Date, Index, Integer, String, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.activity import LOCAL_DAY_SQL
from lms.models.area import Area

SITE = 0  # the area id of the rows that cover the whole site
ACTIVE_REACH = 31  # the longest window "active" counts exactly, in days
COURSE_KEYED = ("enrol", "lesson", "complete", "quiz", "quiz_pass", "approved", "cert")


class ReportTotal(db.Model):
    """``n`` rows of ``metric`` on local ``day`` in ``area_id``'s subtree, for ``key``.

    ``key`` 0 is every course; course-keyed figures are kept both per course and
    for all courses. ``n`` may be negative for stock changes (a card that lapses).
    """

    __table_args__ = (Index("ix_report_total_area", "metric", "area_id", "day"),)

    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class ReportMonth(db.Model):
    """The daily totals of one calendar month (``month``: its first day), summed.

    A year, or a stock since the start, then reads a row per month and the days
    of the months it covers in part: the cost stays flat as the days pile up.
    Every figure but ``active`` (exact only over a month at most) has them.
    """

    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


NO_MONTHS = ("active",)


def _sql(dialect):
    """(local day of a UTC time, day number of a date) as SQL for the dialect."""
    day = LOCAL_DAY_SQL[dialect]
    if dialect == "postgresql":
        return day, "({} - DATE '0001-01-01' + 1)"
    return day, "CAST(julianday({}) - 1721424.5 AS INTEGER)"


def contributions_sql(dialect, one_user):
    """SELECT metric, area_id, key, day, n: each learner's own rows, grouped.

    ``one_user``: restrict to ``:user_id`` (the flush) or count everyone (rebuild).
    """
    day, ordinal = _sql(dialect)
    who = "AND {t}.user_id = :user_id" if one_user else ""

    def flow(metric, table, moment, key, join="", where=""):
        parts = [
            f"SELECT '{metric}' AS metric, {table}.area_id AS area_id, {key} AS key,",
            f" {day.format(f'{table}.{moment}')} AS day, count(*) AS n",
            f" FROM {table} {join} WHERE {table}.{moment} IS NOT NULL {where}",
            f" {who.format(t=table)} GROUP BY 1, 2, 3, 4",
        ]
        return "".join(parts)

    user_filter = "AND u.id = :user_id" if one_user else ""
    lapse = (
        "CASE WHEN c.revoked_at IS NOT NULL AND (c.expires_at IS NULL OR "
        "c.revoked_at < c.expires_at) THEN {revoked} "
        "ELSE {expired} END"
    ).format(
        revoked=day.format("c.revoked_at"),
        expired=day.format("c.expires_at - INTERVAL '1 microsecond'")
        if dialect == "postgresql"
        # The second before, when the time has no fraction of a second.
        else "date(substr(c.expires_at, 1, 19), '+7 hours', CASE WHEN "
        "CAST(substr(c.expires_at, 21) AS INTEGER) = 0 THEN '-1 seconds' "
        "ELSE '+0 seconds' END)",
    )
    active_key = (
        f"CASE WHEN prev IS NULL OR {ordinal.format('day')} - {ordinal.format('prev')}"
        f" > {ACTIVE_REACH} THEN {ordinal.format('day')} - {ACTIVE_REACH}"
        f" ELSE {ordinal.format('prev')} END"
    )
    parts = [
        f"SELECT 'signup' AS metric, u.area_id AS area_id, 0 AS key,"
        f' {day.format("u.created_at")} AS day, count(*) AS n FROM "user" u'
        f" WHERE u.role = 'learner' {user_filter} GROUP BY 1, 2, 3, 4",
        flow("enrol", "enrollment", "created_at", "enrollment.course_id"),
        flow("complete", "enrollment", "completed_at", "enrollment.course_id"),
        flow(
            "lesson",
            "lesson_progress",
            "completed_at",
            "lesson.course_id",
            "JOIN lesson ON lesson.id = lesson_progress.lesson_id",
        ),
        flow(
            "quiz",
            "quiz_attempt",
            "created_at",
            "quiz.course_id",
            "JOIN quiz ON quiz.id = quiz_attempt.quiz_id",
        ),
        flow(
            "quiz_pass",
            "quiz_attempt",
            "created_at",
            "quiz.course_id",
            "JOIN quiz ON quiz.id = quiz_attempt.quiz_id",
            "AND quiz_attempt.passed",
        ),
        flow(
            "approved",
            "submission",
            "reviewed_at",
            "assignment.course_id",
            "JOIN assignment ON assignment.id = submission.assignment_id",
            "AND submission.status = 'approved'",
        ),
        flow(
            "cert",
            "certificate",
            "issued_at",
            "certificate.course_id",
            where="AND certificate.course_id IS NOT NULL",
        ),
        flow(
            "card",
            "certificate",
            "issued_at",
            "certificate.club_id",
            where="AND certificate.club_id IS NOT NULL",
        ),
        flow(
            "member",
            "certificate",
            "issued_at",
            "certificate.club_id",
            where="AND certificate.club_id IS NOT NULL",
        ),
        # A card stops counting on the day it is revoked or lapses.
        "SELECT 'member', c.area_id, c.club_id, "
        + lapse
        + ", -count(*) FROM certificate c WHERE c.club_id IS NOT NULL"
        " AND (c.revoked_at IS NOT NULL OR c.expires_at IS NOT NULL)"
        + (" AND c.user_id = :user_id" if one_user else "")
        + " GROUP BY 1, 2, 3, 4",
        "SELECT 'active', area_id, "
        + active_key
        + ", day, count(*) FROM (SELECT area_id, day, "
        "lag(day) OVER (PARTITION BY user_id ORDER BY day) AS prev FROM learner_day"
        + (" WHERE user_id = :user_id" if one_user else "")
        + ") AS days GROUP BY 1, 2, 3, 4",
    ]
    return "\nUNION ALL\n".join(parts)


def _levels():
    """SELECT area_id, level: every area with itself, its ancestors and the site."""
    concat = "b.path || '%'"
    return (
        f"SELECT a.id AS area_id, b.id AS level FROM area a JOIN area b"
        f" ON a.id = b.id OR (b.path <> '' AND a.path LIKE {concat})"
        f" UNION ALL SELECT id, {SITE} FROM area UNION ALL SELECT NULL, {SITE}"
    )


def rebuild(connection, months=True):
    """Recount every total from the raw rows, in the caller's transaction.

    ``months`` False: the daily totals only (migration 0021, before the months).

    Each learner's rows are grouped once into a scratch table, then added to
    every level above by a plain equality join (a learner without an area, -1,
    counts for the site only), then the months are summed from the days.
    """
    dialect = connection.dialect.name
    connection.execute(text("DELETE FROM report_total"))
    if months:
        connection.execute(text("DELETE FROM report_month"))
    for table in ("total_own", "total_level"):
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    own = contributions_sql(dialect, one_user=False)
    connection.execute(
        text(
            "CREATE TEMPORARY TABLE total_own AS SELECT metric,"
            " coalesce(area_id, -1) AS area_id, key, day, sum(n) AS n FROM ("
            + own
            + ") AS o GROUP BY 1, 2, 3, 4"
        )
    )
    connection.execute(
        text(
            "CREATE TEMPORARY TABLE total_level AS SELECT area_id, level FROM ("
            + _levels()
            + ") AS l WHERE area_id IS NOT NULL UNION ALL SELECT -1, "
            + str(SITE)
        )
    )
    connection.execute(text("CREATE INDEX ix_total_level ON total_level (area_id)"))
    keyed = ", ".join(f"'{m}'" for m in COURSE_KEYED)
    connection.execute(
        text(
            "INSERT INTO report_total (metric, area_id, key, day, n)"
            " SELECT o.metric, l.level, CASE WHEN w.whole = 1 THEN o.key ELSE 0 END,"
            " o.day, sum(o.n) FROM total_own AS o"
            " JOIN total_level AS l ON l.area_id = o.area_id"
            " JOIN (SELECT 1 AS whole UNION ALL SELECT 0) AS w"
            f" ON w.whole = 1 OR (o.metric IN ({keyed}) AND o.key <> 0)"
            " GROUP BY 1, 2, 3, 4 HAVING sum(o.n) <> 0"
        )
    )
    if months:
        fill_months(connection)
    for table in ("total_own", "total_level"):
        connection.execute(text(f"DROP TABLE {table}"))


def fill_months(connection):
    """Sum the daily totals into an empty ``report_month``."""
    month = (
        "CAST(date_trunc('month', day) AS DATE)"
        if connection.dialect.name == "postgresql"
        else "date(day, 'start of month')"
    )
    skipped = ", ".join(f"'{m}'" for m in NO_MONTHS)
    connection.execute(
        text(
            "INSERT INTO report_month (metric, area_id, key, month, n)"
            f" SELECT metric, area_id, key, {month}, sum(n) FROM report_total"
            f" WHERE metric NOT IN ({skipped}) GROUP BY 1, 2, 3, 4"
            " HAVING sum(n) <> 0"
        )
    )


def learner_rows(connection, user_id):
    """Counter {(metric, area id, key, day): n} of one learner's own rows."""
    sql = text(contributions_sql(connection.dialect.name, one_user=True))
    counts = Counter()
    for metric, area_id, key, day, n in connection.execute(sql, {"user_id": user_id}):
        if isinstance(day, str):
            day = date.fromisoformat(day)
        counts[(metric, area_id, key, day)] += n
    return counts


def apply(connection, deltas):
    """Add {(metric, area id, key, day): n} to the totals of every level above."""
    deltas = {k: n for k, n in deltas.items() if n}
    if not deltas:
        return
    areas = {area_id for _, area_id, _, _ in deltas if area_id is not None}
    paths = dict(
        connection.execute(select(Area.id, Area.path).where(Area.id.in_(areas))).all()
    )
    rows = Counter()
    for (metric, area_id, key, day), n in deltas.items():
        levels = {SITE}
        if area_id is not None:
            path = (paths.get(area_id) or "").strip("/")
            levels |= {area_id, *(int(p) for p in path.split("/") if p)}
        keys = [key, 0] if metric in COURSE_KEYED and key else [key]
        for level in levels:
            for k in keys:
                rows[(metric, level, k, day)] += n
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    # Always in the same order: two transactions then lock the rows they share
    # (today's site-wide row, above all) one after the other, never crosswise.
    values = [
        {"metric": m, "area_id": a, "key": k, "day": d, "n": n}
        for (m, a, k, d), n in sorted(rows.items())
        if n
    ]
    if not values:
        return
    months = Counter()
    for row in values:
        if row["metric"] not in NO_MONTHS:
            month = row["day"].replace(day=1)
            months[(row["metric"], row["area_id"], row["key"], month)] += row["n"]
    _add(connection, insert, ReportTotal, "day", values)
    _add(
        connection,
        insert,
        ReportMonth,
        "month",
        [
            {"metric": m, "area_id": a, "key": k, "month": d, "n": n}
            for (m, a, k, d), n in sorted(months.items())
            if n
        ],
    )


def _add(connection, insert, model, moment, values):
    """Upsert ``values`` into ``model``'s table, adding ``n`` to what is there."""
    if values:
        connection.execute(_upsert(insert, model, moment), values)


@functools.cache
def _upsert(insert, model, moment):
    # Built once per process: every lesson, quiz and enrolment runs it twice.
    statement = insert(model)
    return statement.on_conflict_do_update(
        index_elements=["metric", "area_id", "key", moment],
        set_={"n": model.n + statement.excluded.n},
    )
