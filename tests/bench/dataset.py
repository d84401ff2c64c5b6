"""A fresh database for the benchmarks: bundled courses, learners, a certificate."""

import contextlib
import io
import random
from datetime import timedelta

import sqlalchemy as sa

from tests.bench.context import COURSE, LEARNER_PHONE, PASSWORD, Site

LEARNERS = {"quick": 500, "full": 5000}
# Lessons the sync load can send, each one a phone has not sent before: more
# than a run sends at up to 1,000 events a second (the bundled courses have 28
# lessons, so 250 phones for a quick run, 1,072 for a full one).
SYNC_EVENTS = {"quick": 7000, "full": 30000}


def reset_database(url):
    """Empty the bench database: a new SQLite file, or PostgreSQL's public schema."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            try:
                import os

                os.remove(path + suffix)
            except FileNotFoundError:
                pass
        return
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def prepare(ctx):
    """Set up the site as `lms setup` does, then add learners with progress and
    one learner who has earned the livestream-selling certificate."""
    from lms import create_app
    from lms.cli import setup
    from lms.extensions import db

    reset_database(ctx.database_url)
    config = ctx.bench_config()
    app = create_app(config)
    with app.app_context(), contextlib.redirect_stdout(io.StringIO()):
        setup()
        size = "quick" if ctx.quick else "full"
        learners, rows = add_learners(LEARNERS[size])
        code = earn_certificate()
        phones, lessons = add_sync_learners(SYNC_EVENTS[size])
        db.session.commit()
        db.engine.dispose()
    return Site(
        config=config,
        certificate=code,
        learners=learners,
        progress_rows=rows,
        sync_phones=phones,
        sync_lessons=lessons,
    )


def add_learners(count, seed=8):
    """Bulk-insert ``count`` learners across the communes, each with some lessons
    done in one course; return (learners, progress rows)."""
    from lms.clock import utcnow
    from lms.collation import name_sort_keys
    from lms.extensions import db
    from lms.models import Area, Enrollment, Lesson, LessonProgress, User

    chance = random.Random(seed)
    now = utcnow()
    leaves = db.session.scalars(
        sa.select(Area.id).where(
            ~Area.id.in_(sa.select(Area.parent_id).where(Area.parent_id.is_not(None)))
        )
    ).all()
    lessons = {}
    for lesson in db.session.scalars(sa.select(Lesson).order_by(Lesson.position)):
        lessons.setdefault(lesson.course_id, []).append(lesson.id)
    db.session.execute(
        sa.insert(User),
        [
            {
                "phone": f"+8491{n:07d}",
                "name": f"Nông dân {n}",
                **name_sort_keys(f"Nông dân {n}"),
                "role": "learner",
                "area_id": chance.choice(leaves),
                "session_version": 1,
                "active": True,
                "created_at": now - timedelta(days=chance.randrange(365)),
            }
            for n in range(count)
        ],
    )
    ids = db.session.scalars(sa.select(User.id).where(User.phone.like("+8491%")))
    enrollments, progress = [], []
    for user_id in ids:
        course_id = chance.choice(list(lessons))
        enrollments.append({"user_id": user_id, "course_id": course_id})
        done = lessons[course_id][: chance.randrange(len(lessons[course_id]) + 1)]
        progress += [{"user_id": user_id, "lesson_id": lesson} for lesson in done]
    db.session.execute(sa.insert(Enrollment), enrollments)
    db.session.execute(sa.insert(LessonProgress), progress)
    return count, len(progress)


def add_sync_learners(events):
    """Enough learners to send ``events`` lessons, with the bench's password,
    enrolled in every published course with nothing done; return (their
    phones, [course, lesson] pairs)."""
    from lms.clock import utcnow
    from lms.collation import name_sort_keys
    from lms.extensions import db
    from lms.models import Area, Course, Enrollment, Lesson, User
    from lms.services.passwords import hash_password

    courses = db.session.scalars(
        sa.select(Course).where(Course.status == "published").order_by(Course.id)
    ).all()
    lessons = [
        [course.slug, lesson.slug]
        for course in courses
        for lesson in db.session.scalars(
            sa.select(Lesson)
            .where(Lesson.course_id == course.id, Lesson.archived_at.is_(None))
            .order_by(Lesson.position)
        )
    ]
    area = db.session.scalar(sa.select(Area.id).where(Area.code == "07603"))
    password_hash, now = hash_password(PASSWORD), utcnow()
    phones = [f"09130{n:05d}" for n in range(-(-events // len(lessons)))]
    db.session.execute(
        sa.insert(User),
        [
            {
                "phone": f"+84{phone[1:]}",
                "name": f"Người bán {n}",
                **name_sort_keys(f"Người bán {n}"),
                "role": "learner",
                "area_id": area,
                "password_hash": password_hash,
                "session_version": 1,
                "active": True,
                "created_at": now,
            }
            for n, phone in enumerate(phones)
        ],
    )
    users = db.session.scalars(sa.select(User.id).where(User.phone.like("+8491300%")))
    db.session.execute(
        sa.insert(Enrollment),
        [{"user_id": u, "course_id": c.id} for u in users for c in courses],
    )
    return phones, lessons


def earn_certificate():
    """Take the bench learner through a whole course with the services; the
    trainer approves the practical work; return the certificate's code."""
    from lms.extensions import db
    from lms.models import Area, Certificate, Course
    from lms.services.accounts import create_user
    from lms.services.learning import complete_lesson, enroll, submit_quiz
    from lms.services.practical import review, submit

    nam_duong = "07603"  # Xã Nam Dương, Bắc Ninh, on the official map
    area = db.session.scalar(sa.select(Area).where(Area.code == nam_duong))
    learner = create_user(LEARNER_PHONE, "Nguyễn Thị Hoa", "learner", area, PASSWORD)
    trainer = create_user("0912000002", "Trần Văn Đức", "trainer", area, PASSWORD)
    course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
    enroll(learner, course)
    for lesson in course.active_lessons:
        complete_lesson(learner, lesson)
    quiz = course.live_quiz
    right = {
        q["id"]: [c["id"] for c in q["choices"] if c["correct"]] for q in quiz.questions
    }
    submit_quiz(learner, quiz, right)
    work = submit(
        learner, course.assignment, "https://example.vn/live", [], "", "/nonexistent"
    )
    rubric = {criterion["id"]: "pass" for criterion in course.assignment.rubric}
    review(trainer, work, True, rubric, "")
    db.session.flush()
    return db.session.scalar(
        sa.select(Certificate.code).where(
            Certificate.user_id == learner.id, Certificate.course_id == course.id
        )
    )
