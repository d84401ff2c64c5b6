"""The report's tables: the overview, the breakdowns by area and course, the trend."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.models import (
    Area,
    Assignment,
    Course,
    Enrollment,
    Lesson,
    Quiz,
)
from lms.reports.figures import (
    METRICS,
    area_column,
    by_day,
    grouped,
    number,
    windows,
)
from lms.reports.scope import _utc, today
from lms.reports.stored import (
    from_totals,
    total_by_area,
    total_by_course,
    total_by_day,
)

OVERVIEW = (
    "learners",
    "active_7",
    "active_30",
    "enrolments",
    "lessons_completed",
    "courses_completed",
    "quiz_pass_rate",
    "practical_approved",
    "course_certificates",
    "koc_certificates",
    "kol_certificates",
    "koc_members",
    "kol_members",
)
BY_AREA = (
    "learners",
    "active_30",
    "enrolments",
    "lessons_completed",
    "courses_completed",
    "course_certificates",
    "koc_members",
    "kol_members",
)
BY_COURSE = (
    "enrolments",
    "lessons_completed",
    "courses_completed",
    "quiz_attempts",
    "quiz_pass_rate",
    "practical_approved",
    "course_certificates",
)
TREND_SERIES = {
    "new_learners": ("learners",),
    "courses_completed": ("courses_completed",),
    "certificates": ("course_certificates", "koc_certificates", "kol_certificates"),
}
TREND_WEEKS = 52


@dataclass(frozen=True)
class Figure:
    """A number for the period and the same number for the comparison."""

    value: int | None
    previous: int | None

    @property
    def change(self):
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def overview(scope, known=None):
    """{figure name: Figure} for the scope's period.

    ``known``: values for the period already counted (the sums of ``by_area``),
    so that they are not counted twice.
    """
    known = known or {}
    figures = {}
    for name in OVERVIEW:
        if name == "quiz_pass_rate":
            continue
        now, before = windows(name, scope.period)
        value = known[name] if name in known else number(name, scope, *now)
        figures[name] = Figure(value, number(name, scope, *before))
    passed = [
        number("quiz_passed", scope, *w) for w in windows("quiz_passed", scope.period)
    ]
    tried = [
        number("quiz_attempts", scope, *w)
        for w in windows("quiz_attempts", scope.period)
    ]
    figures["quiz_pass_rate"] = Figure(*map(pass_rate, passed, tried))
    return {name: figures[name] for name in OVERVIEW}


def pass_rate(passed, attempts):
    return round(100 * passed / attempts) if attempts else None


@dataclass(frozen=True)
class Row:
    key: object  # an Area or a Course
    values: dict


def by_area(scope):
    """A row per child area of the scope's area, and one for learners directly in it."""
    children = _child_areas(scope.area)
    if not children:
        return []
    owner = _owner_of(scope.area)
    rows = {child.id: defaultdict(int) for child in children}
    rows[DIRECT] = defaultdict(int)
    for name in BY_AREA:
        start, end = windows(name, scope.period)[0]
        if from_totals(scope):
            counts = total_by_area(name, scope, start, end, [c.id for c in children])
        else:
            counts = grouped(name, scope, start, end, area_column(name))
        for area_id, count in counts.items():
            if area_id in owner:
                rows[owner[area_id]][name] += count
    result = [Row(c, {n: rows[c.id][n] for n in BY_AREA}) for c in children]
    if any(rows[DIRECT].values()):
        result.append(Row(scope.area, {n: rows[DIRECT][n] for n in BY_AREA}))
    return result


def totals(rows):
    """The sums of ``by_area``'s rows: the scope's own figures, since every row of
    activity lies in exactly one area (and a learner's rows all in the same one)."""
    if not rows:
        return {}
    return {name: sum(row.values[name] for row in rows) for name in BY_AREA}


def _child_areas(area):
    parent = None if area is None else area.id
    children = db.session.scalars(
        select(Area).where(
            Area.parent_id.is_(parent) if parent is None else Area.parent_id == parent
        )
    ).all()
    # In Vietnamese order, without the kind ("Xã", "Phường"), as the lists are.
    return sorted(children, key=lambda a: (a.name_sort, a.name, a.id))


def _owner_of(area):
    """{area id: id of the child of ``area`` it lies under, or DIRECT for ``area``}."""
    prefix = "/" if area is None else area.path
    owner = {}
    for area_id, path in db.session.execute(
        select(Area.id, Area.path).where(Area.path.startswith(prefix))
    ):
        below = path[len(prefix) :].strip("/")
        owner[area_id] = int(below.split("/")[0]) if below else DIRECT
    return owner


DIRECT = 0  # the row of learners placed in the area itself, not in a child


def by_course(scope):
    """A row per course counted: the chosen ones, else every current course."""
    courses = _report_courses(scope)
    rows = {course.id: defaultdict(int) for course in courses}
    for name in COURSE_COUNTS:
        metric = METRICS[name]
        start, end = windows(name, scope.period)[0]
        if from_totals(scope):
            counts, course_of = total_by_course(name, scope, start, end), None
        else:
            counts = grouped(name, scope, start, end, metric.by_course)
            course_of = _course_of(metric.by_course)
        for key, count in counts.items():
            course_id = course_of.get(key) if course_of is not None else key
            if course_id in rows:
                rows[course_id][name] += count
    for values in rows.values():
        values["quiz_pass_rate"] = pass_rate(
            values["quiz_passed"], values["quiz_attempts"]
        )
    return [Row(c, {n: rows[c.id][n] for n in BY_COURSE}) for c in courses]


COURSE_COUNTS = tuple(n for n in BY_COURSE if n != "quiz_pass_rate") + ("quiz_passed",)
PARTS = {"lesson_id": Lesson, "quiz_id": Quiz, "assignment_id": Assignment}


def _course_of(column):
    """{lesson, quiz or assignment id: course id}, or None when it is the course."""
    part = PARTS.get(column.key)
    if part is None:
        return None
    return dict(db.session.execute(select(part.id, part.course_id)).all())


def _report_courses(scope):
    query = select(Course).order_by(Course.position, Course.id)
    if scope.courses:
        query = query.where(Course.id.in_(scope.courses))
    else:
        query = query.where(Course.archived_at.is_(None), reported_course())
    return db.session.scalars(query).all()


def reported_course():
    """A filter for the courses reports list: published, or a draft some learner
    has started (unpublished again later); not a trainer's draft in the making."""
    started = select(Enrollment.id).where(Enrollment.course_id == Course.id).exists()
    return (Course.status == "published") | started


def trend(scope, now):
    """Weekly counts for the last 52 weeks: {series: [counts]}, and the weeks' starts.

    Weeks start on Monday, local time; the last one is the current week. Each
    figure is read by local day in one query, from the daily totals or, for a
    class, from its members' rows, and the days are summed into weeks.
    """
    this_monday = today(now) - timedelta(days=today(now).weekday())
    first = this_monday - timedelta(weeks=TREND_WEEKS - 1)
    weeks = [first + timedelta(weeks=i) for i in range(TREND_WEEKS)]
    start, end = _utc(weeks[0]), _utc(weeks[-1] + timedelta(weeks=1))
    days_of = total_by_day if from_totals(scope) else by_day
    series = {}
    for name, metrics in TREND_SERIES.items():
        counts = [0] * TREND_WEEKS
        for metric in metrics:
            for day, count in days_of(metric, scope, start, end).items():
                n = (day - weeks[0]).days // 7
                if 0 <= n < TREND_WEEKS:
                    counts[n] += count
        series[name] = counts
    return weeks, series
