"""What several test modules share: constants, factories, page readers, and the
fixtures that more than one folder uses (loaded by tests/conftest.py).

Test modules import from here, never from each other."""

import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from babel.support import Translations
from PIL import Image

from lms.extensions import db
from lms.models import Area, Certificate, Club, Course
from lms.services.accounts import create_user
from lms.services.areas import import_areas
from lms.services.learning import complete_lesson, submit_quiz

ROOT = Path(__file__).parent.parent


def fresh_python(code):
    """What ``code`` prints, run in a new interpreter from the project's folder
    (as a worker starts: nothing imported or allocated by the test run)."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


FIXTURES = Path(__file__).parent / "fixtures"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DATABASES = ["sqlite", "postgres"]
PASSWORD = "vải thiều chín đỏ"

AREAS_CSV = """code,name,kind,parent_code
P,Tỉnh Mẫu,province,
P-A,Xã An,commune,P
P-B,Xã Bình,commune,P
""".encode()


_reached = {}  # configured PostgreSQL URL -> this worker's, once it answered


def worker_number():
    """0 in a plain run and in pytest-xdist's first worker, n in worker ``gw<n>``."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def postgres_url():
    """The PostgreSQL to test against, or skip (fail in CI) when there is none.

    Each parallel worker after the first gets a database of its own beside the
    configured one (``test`` -> ``test_w1``), made on first use."""
    url = os.environ.get("LMS_TEST_DATABASE_URL", DEFAULT_POSTGRES)
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    if url in _reached:
        return _reached[url]
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            own = own_database(connection, worker_number())
        engine.dispose()
    except sa.exc.OperationalError as error:
        unavailable(f"PostgreSQL not reachable at {url}: {error.orig}")
    _reached[url] = sa.make_url(url).set(database=own).render_as_string(False)
    return _reached[url]


def own_database(connection, worker):
    """The name of ``worker``'s database on the server ``connection`` reaches."""
    name = connection.engine.url.database
    if worker == 0:
        return name
    own = f"{name}_w{worker}"
    exists = connection.execute(
        sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own}
    ).scalar()
    if not exists:
        connection.commit()
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            f'CREATE DATABASE "{own}"'
        )
    return own


def unavailable(reason):
    """Skip a test whose service is missing; fail instead where CI requires it."""
    if os.environ.get("LMS_TEST_REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)


def set_up_schema(app):
    """Tables from the models, the stamp of the latest migration, the sample areas."""
    db.drop_all()
    db.create_all()
    stamp_latest(app)
    import_areas(AREAS_CSV)
    db.session.commit()


def drop_everything():
    """Leave the database as a new machine has it: no tables, no migration stamp."""
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def stamp_latest(app):
    """Mark the tables made from the models as being at the latest migration,
    as `lms setup` leaves a database."""
    directory = app.extensions["migrate"].directory
    with db.engine.begin() as connection:
        MigrationContext.configure(connection).stamp(
            ScriptDirectory.from_config(alembic_config(directory)), "heads"
        )


def alembic_config(directory):
    config = AlembicConfig()
    config.set_main_option("script_location", str(directory))
    return config


def make_user(phone="0912345678", name="Nguyễn Thị Hoa", role="learner", area="P-A"):
    area_obj = db.session.scalar(sa.select(Area).where(Area.code == area))
    user = create_user(phone, name, role, area_obj, PASSWORD)
    db.session.commit()
    return user


def sign_in(client, phone="0912345678", password=PASSWORD):
    return client.post("/login", data={"phone": phone, "password": password})


def copy_courses(tmp_path, *names, source=FIXTURES / "courses"):
    """Copy fixture course folders into a fresh directory and return it."""
    target = tmp_path / "courses"
    target.mkdir(exist_ok=True)
    for name in names:
        shutil.copytree(source / name, target / name)
    return target


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


class WriteLockProbe:
    """Called during slow work: can another worker take SQLite's write lock now,
    without waiting? Each answer is kept in ``answers``."""

    def __init__(self, app):
        self.database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        self.answers = []

    def __call__(self):
        other = sqlite3.connect(self.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            self.answers.append(True)
        except sqlite3.OperationalError:
            self.answers.append(False)
        finally:
            other.close()


def redis_url():
    """The Redis to test against, or skip (fail in CI) when there is none."""
    import redis

    url = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    worker = worker_number()
    if worker:  # parallel workers flush their own database: the ones below
        base, _, number = url.rpartition("/")
        url = f"{base}/{(int(number or 0) - worker) % 16}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.exceptions.ConnectionError as error:
        unavailable(f"Redis not reachable at {url}: {error}")
    return url


# People and objects for the trainer's workspace: one of each role, two trainers.
PHONES = {
    "learner": "0912000001",
    "trainer": "0912000002",
    "other_trainer": "0912000003",
    "official": "0912000004",
    "admin": "0912000005",
    "classmate": "0912000006",
    "official_b": "0912000007",
}


def jpeg(width=1600, height=1200, color="red"):
    data = io.BytesIO()
    Image.new("RGB", (width, height), color).save(data, "JPEG")
    data.seek(0)
    return data


def course_by_slug(slug):
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))


# Vietnamese, the site's first language: what a page says, from the catalogue.
VI = Translations.load(str(ROOT / "lms" / "translations"), ["vi"])


def vi(msgid):
    return VI.gettext(msgid)


# The mini course's quiz, answered right and wrong.
RIGHT = {"sprayed": ["a"], "before-live": ["a", "b"]}
WRONG = {"sprayed": ["b"], "before-live": ["a"]}


def finish(learner, course, answers=RIGHT):
    """Every lesson done and the quiz answered, through the services."""
    for lesson in course.active_lessons:
        complete_lesson(learner, lesson)
    submit_quiz(learner, course.quiz, answers)
    db.session.commit()


def run(app, *args, input=None):
    """`lms ARGS` on the command line."""
    return app.test_cli_runner().invoke(args=["lms", *args], input=input)


def setup_on_empty_database(app, course_dir, provinces="24"):
    """Run `lms setup` as on a new machine: no tables, the fixture course, the
    official map of ``provinces``."""
    app.config["LMS_COURSES_DIR"] = str(course_dir)
    app.config["LMS_PROVINCES"] = provinces
    drop_everything()
    return run(app, "setup")


def lesson_event(lesson="first", **extra):
    """A "lesson done" event as the phone sends it to the sync API."""
    return {
        "id": str(uuid.uuid4()),
        "type": "lesson.complete",
        "course": "mini",
        "lesson": lesson,
        "at": "2026-01-01T08:00:00Z",
        **extra,
    }


def page_figures(html):
    """The figures of a report page: {label: value as shown}."""
    pairs = re.findall(
        r'figure-label">(.*?)</span>\s*<strong class="figure-value">(.*?)</strong>',
        html,
    )
    return {label: value for label, value in pairs}


def xlsx_sheets(data):
    """An Excel file's sheets: {title: [row values]}."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.values) for sheet in book.worksheets}


@pytest.fixture
def card(app, people, owned_course):
    """The learner's KOC card, earned by finishing the mini course."""
    db.session.add(Club(code="koc", name_vi="CLB KOC", courses=[owned_course]))
    db.session.commit()
    people["learner"].name = "Nguyễn Thị Ngọc Ánh"
    finish(people["learner"], owned_course)
    return db.session.scalar(
        sa.select(Certificate).where(Certificate.club_id.is_not(None))
    )
