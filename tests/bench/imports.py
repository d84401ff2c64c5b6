"""Bulk registration from a trainer's CSV, and re-importing the bundled courses.

Registration: 10,000 rows through ``register_from_csv`` (what the trainer's
upload calls) into a class with one course, committed, against a plain
executemany INSERT of the same 10,000 users, committed. Re-import: the second
``import_courses`` of courses/ (nothing changed), committed, against parsing the
same files alone (``parse_courses``, no database).
"""

import contextlib
import io
import time

import sqlalchemy as sa

from tests.bench.context import COURSE, ROOT
from tests.bench.figures import Figure

ROWS = 10_000


def registration_csv(rows, first_phone, commune):
    lines = ["name,phone,area"]
    lines += [f"Nông dân Lớp {n},0{first_phone + n},{commune}" for n in range(rows)]
    return "\n".join(lines).encode()


def timed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def run(ctx):
    from lms import create_app
    from lms.extensions import db

    app = create_app(ctx.site().config)
    with app.app_context():
        figures = [_registration(db), _reimport(app, db)]
        db.engine.dispose()
    return figures


def _registration(db):
    from lms.clock import utcnow
    from lms.collation import name_sort_keys
    from lms.models import Area, Course, User
    from lms.services.classes import create_class
    from lms.services.registration import register_from_csv

    trainer = db.session.scalar(sa.select(User).where(User.role == "trainer"))
    # A commune of the official map the site loaded (Bắc Ninh's, by code).
    area = db.session.scalar(
        sa.select(Area).where(Area.kind == "commune").order_by(Area.code).limit(1)
    )
    course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
    classroom = create_class(trainer, "Lớp đo tải", None, "Nhà văn hoá", area, [course])
    db.session.commit()
    data = registration_csv(ROWS, 971_000_000, area.code)

    def register():
        register_from_csv(classroom, data, trainer)
        db.session.commit()

    def plain_insert():
        now = utcnow()
        db.session.execute(
            sa.insert(User),
            [
                {
                    "phone": f"+84972{n:06d}",
                    "name": f"Nông dân Lớp {n}",
                    **name_sort_keys(f"Nông dân Lớp {n}"),
                    "role": "learner",
                    "area_id": area.id,
                    "session_version": 1,
                    "active": True,
                    "created_at": now,
                }
                for n in range(ROWS)
            ],
        )
        db.session.commit()

    measured = timed(register)
    baseline = timed(plain_insert)
    return Figure(
        "import",
        f"bulk registration CSV, {ROWS:,} rows",
        "",
        measured,
        "s",
        baseline,
        f"executemany INSERT of {ROWS:,} users",
    )


def _reimport(app, db):
    from lms.content.importer import import_courses
    from lms.content.parse import parse_courses

    courses = ROOT / "courses"
    upload_dir = app.config["LMS_UPLOAD_DIR"]

    def reimport():
        counts = import_courses(courses, upload_dir)
        db.session.commit()
        if set(counts) != {"unchanged"}:
            raise RuntimeError(f"re-import changed something: {dict(counts)}")

    with contextlib.redirect_stdout(io.StringIO()):
        measured = timed(reimport)
        baseline = timed(lambda: parse_courses(courses))
    bundled = len(parse_courses(courses))
    return Figure(
        "import",
        f"re-import of the {bundled} bundled courses, unchanged",
        "",
        measured,
        "s",
        baseline,
        "parsing the course files alone",
    )
