"""What a report counts: whose area, which period, and which courses, class or club."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.ids import parse_id
from lms.models import (
    Area,
    Assignment,
    ClassMember,
    Classroom,
    Club,
    Course,
    Lesson,
    Quiz,
)
from lms.models.activity import LOCAL_OFFSET
from lms.permissions import subtree_ids, within

PERIODS = (7, 30, 90, 365)
DEFAULT_PERIOD = 30


class ScopeError(ValueError):
    """A filter that is not one of the choices; the message is for the user."""


@dataclass(frozen=True)
class Period:
    """Whole local days: ``days`` ending with ``last_day``; times are UTC."""

    days: int
    last_day: date

    @property
    def start_day(self):
        return self.last_day - timedelta(days=self.days - 1)

    @property
    def start(self):
        return _utc(self.last_day - timedelta(days=self.days - 1))

    @property
    def end(self):
        return _utc(self.last_day + timedelta(days=1))

    @property
    def previous(self):
        return Period(self.days, self.last_day - timedelta(days=self.days))


def _utc(day):
    return datetime.combine(day, time()) - LOCAL_OFFSET


def today(now):
    return (now + LOCAL_OFFSET).date()


@dataclass(frozen=True)
class Scope:
    """``area`` None means every area (admins); ids are the area and its subtree."""

    area: Area | None
    area_ids: tuple | None
    period: Period
    course: Course | None = None
    club: Club | None = None
    classroom: Classroom | None = None
    courses: tuple = field(default=())  # the courses counted; () = all

    def filters(self):
        """The filters as URL parameters, to build links and exports."""
        params = {"period": self.period.days}
        if self.area is not None:
            params["area"] = self.area.id
        if self.course is not None:
            params["course"] = self.course.slug
        if self.club is not None:
            params["club"] = self.club.code
        if self.classroom is not None:
            params["class"] = self.classroom.id
        return params

    def member_ids(self):
        """A subquery of the class's learners, or None when no class is chosen."""
        if self.classroom is None:
            return None
        return select(ClassMember.user_id).where(
            ClassMember.classroom_id == self.classroom.id
        )

    def _of_courses(self, column, model):
        if not self.courses:
            return None
        return select(column).where(model.course_id.in_(self.courses))

    def lesson_ids(self):
        return self._of_courses(Lesson.id, Lesson)

    def quiz_ids(self):
        return self._of_courses(Quiz.id, Quiz)

    def assignment_ids(self):
        return self._of_courses(Assignment.id, Assignment)


def build_scope(top, args, now):
    """Read the filters in ``args`` for someone who may see ``top``'s subtree.

    :raise ScopeError: a filter that is not one of the choices.
    :raise LookupError: an area or class outside ``top``'s subtree (show 404); its
        argument says which ("area" or "class").
    """
    area = top
    if args.get("area"):
        area = _get(Area, args["area"])
        if area is None or not within(top, area):
            raise LookupError("area")
    period = _period(args.get("period"), now)
    course = club = classroom = None
    courses = ()
    if args.get("course"):
        course = db.session.scalar(select(Course).where(Course.slug == args["course"]))
        if course is None:
            raise ScopeError("course")
        courses = (course.id,)
    if args.get("club"):
        club = db.session.scalar(select(Club).where(Club.code == args["club"]))
        if club is None:
            raise ScopeError("club")
        club_courses = tuple(c.id for c in club.courses)
        if course is not None:
            club_courses = tuple(c for c in courses if c in club_courses)
        courses = club_courses or (-1,)  # a course outside the club: nothing counts
    if args.get("class"):
        classroom = _get(Classroom, args["class"])
        if classroom is None or not _class_within(top, classroom):
            raise LookupError("class")
    return Scope(area, subtree_ids(area), period, course, club, classroom, courses)


def _class_within(top, classroom):
    if top is None:
        return True
    return classroom.area is not None and within(top, classroom.area)


def _get(model, raw):
    row_id = parse_id(raw)
    return db.session.get(model, row_id) if row_id is not None else None


def _period(raw, now):
    if raw in (None, ""):
        days = DEFAULT_PERIOD
    elif parse_id(raw) in PERIODS:
        days = parse_id(raw)
    else:
        raise ScopeError("period")
    return Period(days, today(now))


def breadcrumb(top, area):
    """The areas from ``top`` (the reader's own) down to ``area``."""
    chain = []
    while area is not None:
        chain.append(area)
        if top is not None and area.id == top.id:
            break
        area = area.parent
    return list(reversed(chain))
