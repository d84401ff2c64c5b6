"""The province being made: its communes, courses, staff and training days."""

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache

from sqlalchemy import func, insert, select

from lms.collation import name_sort_keys
from lms.demo.bulk import Bulk
from lms.demo.learner import WRITE_ORDER, Learner
from lms.demo.shape import (
    DAYS,
    EXTRA_COURSES,
    EXTRA_LESSONS,
    FAMILY,
    GIVEN,
    LEARNER_PREFIX,
    MIDDLE,
    MONTH_WEIGHT,
    STAFF_PREFIX,
)
from lms.extensions import db
from lms.models import Area, Classroom, Club, Course, Lesson, User
from lms.models.activity import LOCAL_OFFSET
from lms.models.classroom import classroom_course
from lms.models.user import new_badge_recipient_id
from lms.services.classes import CODE_ALPHABET, CODE_LENGTH


class DemoRefused(Exception):
    """The database holds real people; demo data would be mixed into their figures."""


@dataclass
class CourseInfo:
    id: int
    slug: str
    title: str
    lessons: list  # lesson ids in order
    quiz_id: int | None
    assignment_id: int | None
    weight: float  # how likely a learner takes it


class World:
    """The province being made: its communes, courses, staff and classes."""

    def __init__(self, chance, now):
        self.chance = chance
        self.now = now
        self.start = now - timedelta(days=DAYS)
        self.connection = db.session.connection()
        self.bulk = Bulk(self.connection)

    # -- what is there already ------------------------------------------------

    def load(self, learners):
        areas = db.session.scalars(select(Area).order_by(Area.id)).all()
        parents = {a.parent_id for a in areas}
        self.areas = areas
        self.communes = [a for a in areas if a.id not in parents]
        if not self.communes:
            raise DemoRefused(0)
        # Communes differ in size; the first commune's district (in the sample, the
        # lychee district) has twice the farmers of the others.
        busy = self.communes[0].parent_id
        self.commune_weight = [
            self.chance.lognormvariate(0, 0.6) * (2 if a.parent_id == busy else 1)
            for a in self.communes
        ]
        total = sum(self.commune_weight)
        self.expected = {
            a.id: learners * w / total
            for a, w in zip(self.communes, self.commune_weight, strict=True)
        }
        self.courses = self._courses()
        clubs = db.session.scalars(select(Club).order_by(Club.id)).all()
        self.clubs = [
            (club.id, {c.id for c in club.courses}, club.valid_months) for club in clubs
        ]
        self.next_id = {
            model: (db.session.scalar(select(func.max(model.id))) or 0) + 1
            for model in (User, Classroom)
        }
        taken = db.session.scalar(
            select(func.max(User.phone)).where(User.phone.like(LEARNER_PREFIX + "%"))
        )
        self.next_phone = int(taken.removeprefix(LEARNER_PREFIX)) + 1 if taken else 0

    def _courses(self):
        real = db.session.scalars(
            select(Course)
            .where(Course.archived_at.is_(None))
            .order_by(Course.position, Course.id)
        ).all()
        courses = [
            CourseInfo(
                c.id,
                c.slug,
                c.title_vi,
                [lesson.id for lesson in c.active_lessons],
                c.live_quiz.id if c.live_quiz else None,
                c.open_assignment.id if c.open_assignment else None,
                1.0 if c.slug == "livestream-selling" else 0.6,
            )
            for c in real
            if c.is_published and c.active_lessons
        ]
        return courses + self._extra_courses()

    def _extra_courses(self):
        """Courses a province adds over a year, archived now; they make up the
        bulk of the lesson progress, as a year of a real catalogue would."""
        existing = db.session.scalars(
            select(Course).where(Course.slug.like("demo-%")).order_by(Course.slug)
        ).all()
        if not existing:
            archived = self.now - timedelta(days=1)
            for n, title in enumerate(EXTRA_COURSES, start=1):
                course = Course(
                    slug=f"demo-{n:02d}",
                    position=100 + n,
                    title_vi=f"{title} (khoá mẫu)",
                    summary_vi="Khoá học mẫu của dữ liệu thử, không có nội dung.",
                    archived_at=archived,
                )
                course.lessons = [
                    Lesson(
                        slug=f"bai-{k}",
                        position=k,
                        title_vi=f"Bài {k}",
                        body_vi="Bài học mẫu của dữ liệu thử.",
                        html_vi="<p>Bài học mẫu của dữ liệu thử.</p>",
                    )
                    for k in range(1, EXTRA_LESSONS + 1)
                ]
                db.session.add(course)
                existing.append(course)
            db.session.flush()
        return [
            CourseInfo(
                c.id,
                c.slug,
                c.title_vi,
                [lesson.id for lesson in c.lessons],
                None,
                None,
                self.chance.uniform(0.5, 0.9),
            )
            for c in existing
        ]

    # -- staff and classes ----------------------------------------------------

    def add_staff(self, password_hash):
        """A trainer per commune (two in big ones) and an official per area."""
        taken = db.session.scalar(
            select(func.count()).where(User.phone.like(STAFF_PREFIX + "%"))
        )
        rows, staff = [], []
        self.trainers = {}
        for area in self.areas:
            roles = ["official"]
            if area in self.communes:
                roles += ["trainer"] * (2 if self.expected[area.id] > 6000 else 1)
            for role in roles:
                user = self._person(role, area.id, self.start, STAFF_PREFIX, taken)
                user["password_hash"] = password_hash
                taken += 1
                rows.append(user)
                staff.append((role, user["phone"], user["name"], area.name))
                if role == "trainer":
                    self.trainers.setdefault(area.id, []).append(user["id"])
        self.write(User, rows)
        return staff

    def add_classes(self):
        """Training days in every commune over the year, about 60 farmers each."""
        days = [self.start.date() + timedelta(days=n) for n in range(DAYS)]
        weights = [MONTH_WEIGHT[d.month] for d in days]
        classes, links = [], []
        self.classes = {}
        codes = set(db.session.scalars(select(Classroom.join_code)))
        real = [c for c in self.courses if not c.slug.startswith("demo-")]
        for area in self.communes:
            count = max(1, round(self.expected[area.id] * 0.75 / 60))
            for held_on in sorted(self.chance.choices(days, weights, k=count)):
                number = self.next_id[Classroom]
                self.next_id[Classroom] += 1
                code = self._join_code(codes)
                kind = self.chance.random()
                courses = real[:1] if kind < 0.6 else real[:2] if kind < 0.85 else real
                classes.append(
                    {
                        "id": number,
                        "name": f"{courses[0].title}, {area.name} {held_on:%d/%m}",
                        "held_on": held_on,
                        "place": self._place(area),
                        "area_id": area.id,
                        "trainer_id": self.chance.choice(self.trainers[area.id]),
                        "join_code": code,
                        "is_open": (self.now.date() - held_on).days < 14,
                        "created_at": datetime.combine(held_on, time(1))
                        - timedelta(days=7),
                    }
                )
                links += [{"classroom_id": number, "course_id": c.id} for c in courses]
                self.classes.setdefault(area.id, []).append((number, held_on, courses))
        self.write(Classroom, classes)
        self.connection.execute(insert(classroom_course), links)

    def _place(self, area):
        village = f"Nhà văn hoá thôn {self.chance.randint(1, 12)}"
        # Official names carry their kind ("Xã Đại Sơn"): "Hội trường xã Đại Sơn".
        hall = f"Hội trường {area.name[:1].lower()}{area.name[1:]}"
        return self.chance.choice([village, hall])

    def _join_code(self, taken):
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in taken:
                taken.add(code)
                return code

    def _person(self, role, area_id, created_at, prefix, number):
        user_id = self.next_id[User]
        self.next_id[User] += 1
        c = self.chance
        name = f"{c.choice(FAMILY)} {c.choice(MIDDLE)} {c.choice(GIVEN)}"
        return {
            "id": user_id,
            "phone": f"{prefix}{number:07d}",
            "name": name,
            **_sort_keys(name),
            "password_hash": None,
            "role": role,
            "area_id": area_id,
            "session_version": 1,
            "active": True,
            "listed_publicly": False,
            "created_at": created_at,
            "badge_recipient_id": new_badge_recipient_id(),
        }

    # -- learners -------------------------------------------------------------

    def add_learners(self, count, totals):
        rows = {model: [] for model in WRITE_ORDER}
        for _ in range(count):
            area = self.chance.choices(self.communes, self.commune_weight)[0]
            Learner(self, area.id, rows).live()
        for model in WRITE_ORDER:
            self.write(model, rows[model])
            totals.add(model.__tablename__, len(rows[model]))

    def write(self, model, rows):
        """Insert ``rows`` (dicts) into ``model``'s table, in bulk."""
        self.bulk.write(model, rows)

    def local(self, day, hour, minute=0):
        """UTC time for a local (UTC+7) day and hour."""
        return datetime.combine(day, time(hour, minute)) - LOCAL_OFFSET

    def study_time(self, after, keen):
        """When the learner next sits down to study: an evening or a lunch break."""
        gap = self.chance.expovariate(keen / 3)  # days
        day = (after + LOCAL_OFFSET + timedelta(days=gap)).date()
        hour = self.chance.choice([12, 19, 20, 20, 21, 21, 22])
        moment = self.local(day, hour, self.chance.randrange(60))
        return max(moment, after + timedelta(minutes=5))


@cache
def _sort_keys(name):
    """A few thousand names recur among a million people: sort keys made once."""
    return name_sort_keys(name)
