"""Fixtures: an app on a fresh database, a client, and small factories."""

import io
import json
import logging
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask.testing import FlaskClient
from PIL import Image

from lms import create_app, jobs
from lms.content.importer import import_courses
from lms.extensions import db
from lms.logs import log_json_lines
from lms.models import Area, Course
from lms.services.accounts import create_user
from lms.services.areas import import_areas
from lms.services.classes import create_class, join_class

# The two-commune province with known activity, for reports (tests/reports).
pytest_plugins = ["tests.reports.province"]

FIXTURES = Path(__file__).parent / "fixtures"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DATABASES = ["sqlite", "postgres"]
PASSWORD = "vải thiều chín đỏ"

AREAS_CSV = """code,name,kind,parent_code
P,Tỉnh Mẫu,province,
P-A,Xã An,commune,P
P-B,Xã Bình,commune,P
""".encode()


def postgres_url():
    """The PostgreSQL to test against, or skip (fail in CI) when there is none."""
    url = os.environ.get("LMS_TEST_DATABASE_URL", DEFAULT_POSTGRES)
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.OperationalError as error:
        unavailable(f"PostgreSQL not reachable at {url}: {error.orig}")
    return url


def unavailable(reason):
    """Skip a test whose service is missing; fail instead where CI requires it."""
    if os.environ.get("LMS_TEST_REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)


def database_url(kind, tmp_path):
    if kind == "postgres":
        return postgres_url()
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def config(tmp_path):
    """Settings for one test; tests may change them before asking for ``app``."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "LMS_CHEAP_PASSWORD_HASHING": True,
        "LMS_UPLOAD_DIR": str(tmp_path / "uploads"),
        "LMS_PUBLIC_URL": "http://localhost",  # the test client's host
        "LMS_JOB_QUEUE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        "LMS_PROVINCES": "P",  # the province of AREAS_CSV, not the official map
    }


class IsolatedClient(FlaskClient):
    """Run each request in its own app context and session, as a real server does.

    The test's own session is committed first (so the request sees the setup)
    and expired after (so the test sees what the request wrote).
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def app(request, config, tmp_path):
    kind = getattr(request, "param", "sqlite")
    config["SQLALCHEMY_DATABASE_URI"] = database_url(kind, tmp_path)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        stamp_latest(app)
        import_areas(AREAS_CSV)
        db.session.commit()
        yield app
        jobs.queue(app).stop()  # a job still running ends before its tables go
        db.session.rollback()
        drop_everything()
        db.engine.dispose()


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


@pytest.fixture
def client(app):
    return app.test_client()


def make_user(phone="0912345678", name="Nguyễn Thị Hoa", role="learner", area="P-A"):
    from lms.models import Area

    area_obj = db.session.scalar(sa.select(Area).where(Area.code == area))
    user = create_user(phone, name, role, area_obj, PASSWORD)
    db.session.commit()
    return user


def sign_in(client, phone="0912345678", password=PASSWORD):
    return client.post("/login", data={"phone": phone, "password": password})


@pytest.fixture
def learner(app):
    return make_user()


@pytest.fixture
def signed_in(client, learner):
    sign_in(client)
    return client


def copy_courses(tmp_path, *names, source=FIXTURES / "courses"):
    """Copy fixture course folders into a fresh directory and return it."""
    target = tmp_path / "courses"
    target.mkdir(exist_ok=True)
    for name in names:
        shutil.copytree(source / name, target / name)
    return target


@pytest.fixture
def course_dir(tmp_path):
    return copy_courses(tmp_path, "mini")


@pytest.fixture
def mini_course(app, course_dir):
    """The small fixture course "mini": 3 lessons and a 2-question quiz."""
    import_courses(course_dir, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    from lms.models import Course

    return db.session.scalar(sa.select(Course).where(Course.slug == "mini"))


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


@pytest.fixture
def people(app):
    """Accounts by role; ``trainer`` owns the mini course and runs a class with
    ``learner`` and ``classmate`` in it."""
    roles = {
        "learner": "learner",
        "trainer": "trainer",
        "other_trainer": "trainer",
        "official": "official",
        "admin": "admin",
        "classmate": "learner",
        "official_b": "official",
    }
    return {
        key: make_user(
            phone=PHONES[key],
            name=key.replace("_", " ").title(),
            role=role,
            # The admin has no area: they manage the whole site (an admin with
            # an area manages only it; tests/test_provinces.py).
            area={"official_b": "P-B", "admin": None}.get(key, "P-A"),
        )
        for key, role in roles.items()
    }


@pytest.fixture
def owned_course(mini_course, people):
    mini_course.owner_id = people["trainer"].id
    db.session.commit()
    return mini_course


@pytest.fixture
def classroom(owned_course, people):
    area = db.session.scalar(sa.select(Area).where(Area.code == "P-A"))
    classroom = create_class(
        people["trainer"], "Lớp Xã An", None, "Nhà văn hoá", area, [owned_course]
    )
    join_class(people["learner"], classroom)
    join_class(people["classmate"], classroom)
    db.session.commit()
    return classroom


@pytest.fixture
def as_role(app, people):
    """as_role("trainer") -> a client signed in as that person; None: anonymous."""

    def client(role):
        browser = app.test_client()
        if role is not None:
            sign_in(browser, phone=PHONES[role])
        return browser

    return client


def jpeg(width=1600, height=1200, color="red"):
    data = io.BytesIO()
    Image.new("RGB", (width, height), color).save(data, "JPEG")
    data.seek(0)
    return data


def course_by_slug(slug):
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))


@pytest.fixture
def json_log():
    """Send logs to a stream as create_app does under gunicorn; read them back."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = log_json_lines(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)
