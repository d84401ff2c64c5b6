"""A made-up province to try the reports on: `flask --app app lms demo-data`.

Learners join at training days (a class in their commune, which enrols them in
the class's courses) or on their own, then work through lessons in evenings and
lunch breaks, drop out or finish, take quizzes, hand in practical work that a
trainer reviews, and earn course certificates and club memberships: a year of
activity ending now. Everything is drawn from a seeded random generator, so the
same seed gives the same province.

Rows are written in bulk (COPY on PostgreSQL, executemany on SQLite), a chunk
of learners at a time, inside one transaction: an interrupted run leaves
nothing behind. The ORM's listeners do not see bulk writes, so the area copied
onto each activity row and the learner's active days are filled in here.
"""

import json
import math
import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import func, insert, select, text

from lms.clock import utcnow
from lms.collation import name_sort_keys
from lms.extensions import db
from lms.models import (
    Area,
    Certificate,
    ClassMember,
    Classroom,
    Club,
    Course,
    Enrollment,
    LearnerDay,
    Lesson,
    LessonProgress,
    QuizAttempt,
    Submission,
    User,
)
from lms.models.activity import LOCAL_OFFSET
from lms.models.classroom import classroom_course
from lms.models.totals import rebuild as rebuild_totals
from lms.models.user import new_badge_recipient_id
from lms.services.audit import audit
from lms.services.certificates import new_code
from lms.services.classes import CODE_ALPHABET, CODE_LENGTH
from lms.services.official_map import official_provinces, province_code
from lms.services.passwords import hash_password

LEARNER_PREFIX = "+8439"  # +84 39x xxx xxx: learners; staff get +84 38x xxx xxx
STAFF_PREFIX = "+8438"
DAYS = 365
CHUNK = 2000  # learners written per round trip
EXTRA_COURSES = [  # archived sample courses, see _World._extra_courses
    "Bán hàng qua Zalo và Facebook",
    "Chụp ảnh sản phẩm bằng điện thoại",
    "Chăm sóc khách hàng sau bán",
    "Tính giá thành và lợi nhuận",
    "Vận chuyển và giao hàng",
    "Ghi chép nhật ký canh tác",
    "Truy xuất nguồn gốc",
    "Bán hàng trên sàn thương mại điện tử",
    "Kể chuyện vùng trồng",
    "Làm việc với hợp tác xã",
    "Quản lý đơn hàng mùa vụ",
    "An toàn thực phẩm cơ bản",
]
EXTRA_LESSONS = 9
FAMILY = "Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Ngô Dương Giáp Thân Hà Lương".split()
MIDDLE = "Văn Thị Đức Minh Thu Ngọc Quang Thanh Hồng Xuân Hữu Kim".split()
GIVEN = (
    "Hoa Lan Hùng Dũng Hải Hương Mai Tuấn Nam Bình Thảo Trang Long Sơn Phúc Hạnh "
    "Yến Chi Linh Tâm Hiền Toàn Thắng Nga Huệ Quý Khánh Duyên Tùng Thủy"
).split()
# Training days follow the season: most before the lychee harvest (late May to July).
MONTH_WEIGHT = {1: 6, 2: 10, 3: 14, 4: 16, 5: 13, 6: 8, 7: 6, 8: 7, 9: 9, 10: 10}
MONTH_WEIGHT |= {11: 10, 12: 7}


class DemoRefused(Exception):
    """The database holds real people; demo data would be mixed into their figures."""


@dataclass
class Totals:
    learners: int = 0
    rows: dict = field(default_factory=dict)

    def add(self, table, n):
        self.rows[table] = self.rows.get(table, 0) + n


@dataclass
class CourseInfo:
    id: int
    slug: str
    title: str
    lessons: list  # lesson ids in order
    quiz_id: int | None
    assignment_id: int | None
    weight: float  # how likely a learner takes it


def generate(learners, seed=1, allow_existing=False, progress=None):
    """Add a province's year to the database; return (Totals, staff password, staff).

    Refuses (DemoRefused) when learners already exist, unless ``allow_existing``.
    ``progress(n)`` is called after every chunk of ``n`` learners.
    """
    existing = db.session.scalar(
        select(func.count()).select_from(User).where(User.role == "learner")
    )
    if existing and not allow_existing:
        raise DemoRefused(existing)
    chance = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    world = _World(chance, now)
    world.load(learners)
    password = secrets.token_urlsafe(9)
    staff = world.add_staff(hash_password(password))
    world.add_classes()
    totals = Totals()
    done = 0
    while done < learners:
        size = min(CHUNK, learners - done)
        world.add_learners(size, totals)
        done += size
        if progress:
            progress(size)
    totals.learners = done
    detail = {"learners": done, "seed": seed, "rows": totals.rows}
    audit(None, "demo_data", detail=detail)
    _fix_sequences()
    db.session.flush()
    # The bulk writes bypass the session's listeners: count the totals at once.
    rebuild_totals(db.session.connection())
    return totals, password, staff


def more_provinces(setting, count):
    """The setting naming ``count`` provinces: the site's own first, then the
    following ones by official code (Bắc Ninh, Phú Thọ, Hải Phòng, ...)."""
    chosen = official_provinces(setting)
    codes = [province_code(p) for p in chosen]
    others = [
        province_code(p)
        for p in official_provinces("all")
        if province_code(p) not in codes
    ]
    start = max((int(c) for c in codes), default=0)
    after = [c for c in others if int(c) > start] + [
        c for c in others if int(c) < start
    ]
    return ", ".join((codes + after)[:count])


class _World:
    """The province being made: its communes, courses, staff and classes."""

    def __init__(self, chance, now):
        self.chance = chance
        self.now = now
        self.start = now - timedelta(days=DAYS)
        self.connection = db.session.connection()

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
            **name_sort_keys(name),
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
            _Learner(self, area.id, rows).live()
        for model in WRITE_ORDER:
            self.write(model, rows[model])
            totals.add(model.__tablename__, len(rows[model]))

    def write(self, model, rows):
        """Insert ``rows`` (dicts) into ``model``'s table, in bulk."""
        if not rows:
            return
        table = model.__table__
        if self.connection.dialect.name != "postgresql":
            self.connection.execute(insert(table), rows)
            return
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.connection.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(v) if isinstance(v, dict | list) else v
                        for v in row.values()
                    ]
                )

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


WRITE_ORDER = [
    User,
    ClassMember,
    Enrollment,
    LessonProgress,
    QuizAttempt,
    Submission,
    Certificate,
    LearnerDay,
]


class _Learner:
    """One farmer's year, appended to ``rows`` by table."""

    def __init__(self, world, area_id, rows):
        self.w = world
        self.c = world.chance
        self.area_id = area_id
        self.rows = rows
        self.keen = self.c.betavariate(1.6, 1.4)  # 0: drops out at once, 1: does it all
        self.days = set()
        self.completed = {}  # course id -> when

    def live(self):
        w, c = self.w, self.c
        classes = w.classes.get(self.area_id)
        if classes and c.random() < 0.75:
            number, held_on, courses = c.choice(classes)
            joined = w.local(held_on, c.choice([8, 9, 14]), c.randrange(60))
            user = self._user(joined)
            self.rows[ClassMember].append(
                {"classroom_id": number, "user_id": user, "joined_at": joined}
            )
            taken = list(courses)
        else:
            # Sign-ups on their own grow over the year as word spreads.
            age = DAYS * math.sqrt(c.random())
            joined = w.now - timedelta(days=DAYS - age, minutes=c.randrange(1440))
            user = self._user(min(joined, w.now - timedelta(minutes=1)))
            taken = [c.choices(w.courses, [x.weight for x in w.courses])[0]]
        self.user = user
        start = self.joined
        for course in taken:
            self.take(course, start + timedelta(minutes=c.randrange(2, 20)))
        for course in w.courses:
            if course not in taken and c.random() < course.weight * self.keen * 0.9:
                later = start + timedelta(days=c.expovariate(1 / 40))
                if later < w.now:
                    self.take(course, later)
        self._certificates()
        self.rows[LearnerDay] += [
            {"user_id": user, "day": day, "area_id": self.area_id}
            for day in sorted(self.days)
        ]

    def _user(self, joined):
        w = self.w
        row = w._person("learner", self.area_id, joined, LEARNER_PREFIX, w.next_phone)
        w.next_phone += 1
        self.rows[User].append(row)
        self.joined = joined
        return row["id"]

    def _row(self, model, **values):
        values |= {"user_id": self.user, "area_id": self.area_id}
        self.rows[model].append(values)
        return values

    def _active(self, moment):
        self.days.add((moment + LOCAL_OFFSET).date())

    def take(self, course, enrolled_at):
        """Enrol, then go through the lessons, the quiz and the practical work."""
        w, c = self.w, self.c
        enrollment = self._row(
            Enrollment, course_id=course.id, created_at=enrolled_at, completed_at=None
        )
        moment = enrolled_at
        for position, lesson in enumerate(course.lessons):
            if position and c.random() > 0.72 + 0.27 * self.keen:
                return  # gave up
            if position == 0 or c.random() < 0.4:
                moment = w.study_time(moment, self.keen + 0.2)
            else:
                moment += timedelta(minutes=c.randrange(4, 15))  # the next one at once
            if moment >= w.now:
                return
            self._row(LessonProgress, lesson_id=lesson, completed_at=moment)
            self._active(moment)
        if course.quiz_id:
            moment = self._quiz(course, moment)
            if moment is None:
                return
        if course.assignment_id:
            moment = self._practical(course, moment)
            if moment is None:
                return
        enrollment["completed_at"] = moment
        self.completed[course.id] = moment

    def _quiz(self, course, moment):
        """Up to three attempts; the time of the pass, or None."""
        w, c = self.w, self.c
        for _ in range(3):
            moment += timedelta(minutes=c.randrange(2, 30))
            if moment >= w.now:
                return None
            passed = c.random() < 0.6 + 0.35 * self.keen
            score = c.randrange(75, 101, 5) if passed else c.randrange(20, 75, 5)
            self._row(
                QuizAttempt,
                quiz_id=course.quiz_id,
                answers={},
                results={},
                score=score,
                passed=passed,
                created_at=moment,
            )
            self._active(moment)
            if passed:
                return moment
            moment = w.study_time(moment, self.keen + 0.2)
        return None

    def _practical(self, course, moment):
        """Hand in, be reviewed, perhaps hand in again; the approval time, or None."""
        w, c = self.w, self.c
        if c.random() > 0.35 + 0.6 * self.keen:
            return None
        trainer = c.choice(w.trainers[self.area_id])
        for attempt in range(3):
            moment += timedelta(days=c.expovariate(1 / 4))
            if moment >= w.now:
                return None
            reviewed = moment + timedelta(hours=c.expovariate(1 / 40))
            approved = c.random() < (0.75 if attempt == 0 else 0.95)
            pending = reviewed >= w.now
            self._row(
                Submission,
                assignment_id=course.assignment_id,
                link=f"https://www.facebook.com/watch/?v={c.randrange(10**15)}",
                photos=[],
                note="",
                status="pending"
                if pending
                else ("approved" if approved else "needs_work"),
                rubric={},
                feedback="" if pending or approved else "Quay gần hơn, nói rõ giá.",
                reviewer_id=None if pending else trainer,
                reviewed_at=None if pending else reviewed,
                created_at=moment,
            )
            self._active(moment)
            if pending:
                return None
            if approved:
                return reviewed
            moment = reviewed
        return None

    def _certificates(self):
        for course_id, moment in self.completed.items():
            self._certificate(moment, course_id=course_id)
        for club_id, required, months in self.w.clubs:
            if required and required <= self.completed.keys():
                moment = max(self.completed[c] for c in required)
                expires = moment + timedelta(days=30 * months) if months else None
                revoked = self.c.random() < 0.005
                self._certificate(
                    moment,
                    club_id=club_id,
                    period=1,
                    expires_at=expires,
                    revoked_at=moment + timedelta(days=20) if revoked else None,
                    revoked_reason="Vi phạm quy chế câu lạc bộ." if revoked else None,
                )

    def _certificate(self, moment, course_id=None, club_id=None, **more):
        self._row(
            Certificate,
            code=new_code(),  # unguessable, as every certificate's
            course_id=course_id,
            club_id=club_id,
            issued_at=moment,
            **(
                {
                    "expires_at": None,
                    "revoked_at": None,
                    "revoked_reason": None,
                    "period": None,
                }
                | more
            ),
        )


def _copyable(value):
    return json.dumps(value) if isinstance(value, dict | list) else value


def _fix_sequences():
    """PostgreSQL: move the id sequences past the ids written here."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in ("user", "classroom"):
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT max(id) FROM "{table}"))'
            )
        )


def analyze():
    """After a bulk load (and its commit): refresh the planner's statistics and,
    on PostgreSQL, the visibility map, without which counts cannot be answered
    from the indexes alone (autovacuum would get there, later)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
