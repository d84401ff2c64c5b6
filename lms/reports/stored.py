"""The officials' figures read from the stored totals (``lms.models.totals``).

Without a class filter every figure is a sum over total rows of the scope's
area (each area's rows cover its subtree). A window reads the monthly sums of
the calendar months it covers whole and the daily rows of the days around them,
and a stock (learners, members: everything before the end of the window) the
months since the start and the days of the last month: a few dozen rows per
area whatever the number of learners and however long the site has run. A
class is small, and its members are not in the totals, so a class's figures are
still counted from the raw rows (``figures``).
"""

from datetime import date, timedelta

from sqlalchemy import and_, func, literal, or_, select, union_all

from lms.extensions import db
from lms.models import Club
from lms.models.totals import COURSE_KEYED, NO_MONTHS, SITE, ReportMonth, ReportTotal
from lms.reports.scope import today

TOTALS = {
    "learners": "signup",
    "active_7": "active",
    "active_30": "active",
    "enrolments": "enrol",
    "lessons_completed": "lesson",
    "courses_completed": "complete",
    "quiz_attempts": "quiz",
    "quiz_passed": "quiz_pass",
    "practical_approved": "approved",
    "course_certificates": "cert",
    "koc_certificates": "card",
    "kol_certificates": "card",
    "koc_members": "member",
    "kol_members": "member",
}
STOCKS = ("learners", "koc_members", "kol_members")  # all before the window's end
WINDOWS = {"active_7": 7, "active_30": 30}
CLUB_OF = {
    "koc_certificates": "koc",
    "kol_certificates": "kol",
    "koc_members": "koc",
    "kol_members": "kol",
}


def from_totals(scope):
    return scope.classroom is None


def level(scope):
    return SITE if scope.area is None else scope.area.id


def _key_condition(name, scope, key, by_course=False):
    """The condition on the ``key`` column for the figure and the filters."""
    if name in CLUB_OF:
        code = CLUB_OF[name]
        if scope.club is not None and scope.club.code != code:
            return key.is_(None)  # another club than the one chosen
        club_id = _club_ids(scope).get(code)
        return key == (club_id if club_id is not None else -1)
    if TOTALS[name] in COURSE_KEYED:
        if scope.courses:
            return key.in_(scope.courses)
        return key != 0 if by_course else key == 0
    return None


def _club_ids(scope):
    """{club code: id}, read once per scope (a page asks for it many times)."""
    ids = scope.__dict__.get("_club_ids")
    if ids is None:
        ids = dict(db.session.execute(select(Club.code, Club.id)).all())
        object.__setattr__(scope, "_club_ids", ids)  # a cache on a frozen Scope
    return ids


def _next_month(day):
    return (day.replace(day=1) + timedelta(days=31)).replace(day=1)


def _spans(name, first, last):
    """(months [from, to) or None, day ranges) that make up [first, last).

    ``first`` None: since the start. Whole months come from ``report_month``.
    """
    if TOTALS[name] in NO_MONTHS:
        return None, [(first, last)]
    month_from = (
        None if first is None else (first if first.day == 1 else _next_month(first))
    )
    month_to = last.replace(day=1)
    if month_from is not None and month_from >= month_to:
        return None, [(first, last)]
    days = [(month_to, last)]
    if month_from is not None and first < month_from:
        days.append((first, month_from))
    return (month_from, month_to), days


def _select(model, moment, name, scope, spans, areas, by_course):
    """SELECT area_id, key, n of ``model``'s rows of the figure in ``spans``."""
    column = getattr(model, moment)
    within = [
        and_(*([column >= a] if a is not None else []), column < b) for a, b in spans
    ]
    conditions = [model.metric == TOTALS[name], or_(*within)]
    if areas is None:
        conditions.append(model.area_id == level(scope))
    else:
        conditions.append(model.area_id.in_(areas))
    key = _key_condition(name, scope, model.key, by_course)
    if key is not None:
        conditions.append(key)
    return select(model.area_id, model.key, model.n).where(*conditions)


def _rows(name, scope, start, end, areas=None, by_course=False):
    """A subquery of (area_id, key, n) whose sum is the figure over [start, end)."""
    first, last = today(start), today(end)
    if name in STOCKS:
        first = None
    months, days = _spans(name, first, last)
    parts = [_select(ReportTotal, "day", name, scope, days, areas, by_course)]
    if name in WINDOWS:
        parts[0] = parts[0].where(ReportTotal.key < first.toordinal())
    if months is not None:
        parts.append(
            _select(ReportMonth, "month", name, scope, [months], areas, by_course)
        )
    if len(parts) == 1:
        return parts[0].subquery()
    return union_all(*parts).subquery()


def total_number(name, scope, start, end):
    rows = _rows(name, scope, start, end)
    query = select(func.coalesce(func.sum(rows.c.n), literal(0)))
    return int(db.session.scalar(query))


def total_by_area(name, scope, start, end, children):
    """{child area id: count} and, under the scope's area, what lies directly in it."""
    rows = _rows(name, scope, start, end, areas=[*children, level(scope)])
    sums = dict(
        db.session.execute(
            select(rows.c.area_id, func.sum(rows.c.n)).group_by(rows.c.area_id)
        ).all()
    )
    whole = sums.pop(level(scope), 0)
    counts = {area_id: int(sums.get(area_id, 0)) for area_id in children}
    if scope.area is not None:
        counts[scope.area.id] = int(whole) - sum(counts.values())
    return counts


def total_by_course(name, scope, start, end):
    """{course id: count} of a course-keyed figure."""
    rows = _rows(name, scope, start, end, by_course=True)
    sums = db.session.execute(
        select(rows.c.key, func.sum(rows.c.n)).group_by(rows.c.key)
    )
    return {key: int(n) for key, n in sums}


def total_by_day(name, scope, start, end):
    """{local day: count} of a flow over [start, end), for the weekly trend."""
    spans = [(today(start), today(end))]
    query = _select(ReportTotal, "day", name, scope, spans, None, False)
    rows = query.with_only_columns(ReportTotal.day, func.sum(ReportTotal.n))
    return {
        (date.fromisoformat(d) if isinstance(d, str) else d): int(n)
        for d, n in db.session.execute(rows.group_by(ReportTotal.day))
    }
