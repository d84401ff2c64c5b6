"""Fixtures: an app on a fresh database, a client, and small factories."""

import io
import json
import logging
import shutil

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from lms import create_app, jobs
from lms.content.importer import import_courses
from lms.extensions import db
from lms.logs import log_json_lines
from lms.models import Area, Course
from lms.services.areas import import_areas
from lms.services.classes import create_class, join_class

# Helpers once lived here; test modules still import them from tests.conftest.
pytest.register_assert_rewrite("tests.helpers")
from tests.helpers import (  # noqa: E402, F401
    AREAS_CSV,
    DATABASES,
    DEFAULT_POSTGRES,
    FIXTURES,
    PASSWORD,
    PHONES,
    WriteLockProbe,
    alembic_config,
    copy_courses,
    count,
    course_by_slug,
    drop_everything,
    jpeg,
    make_user,
    postgres_url,
    redis_url,
    set_up_schema,
    sign_in,
    stamp_latest,
    unavailable,
)

# Fixtures that more than one folder uses (tests/helpers.py), and the
# two-commune province with known activity, for reports (tests/reports).
pytest_plugins = ["tests.helpers", "tests.reports.province"]


def reuse_url_builders():
    """Compile each route's URL builder once per test process, not once per app.

    Every test makes its own app, and Werkzeug turns each of its ~100 routes into
    Python code twice (about nine tenths of ``create_app``'s time). The code
    depends only on the rule's text, its parsed parts and defaults, the same in
    every app, so the compiled (unbound) function is kept and bound to each new
    rule. Should Werkzeug rename this private method, tests just run slower."""
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:
        return
    built = {}

    def cached(self, append_unknown=True):
        key = (self.rule, tuple(self._trace), append_unknown)
        key += tuple(sorted((self.defaults or {}).items(), key=repr))
        try:
            return built[key]
        except TypeError:  # an unhashable default: build it every time
            return compile_builder(self, append_unknown)
        except KeyError:
            built[key] = compile_builder(self, append_unknown)
            return built[key]

    Rule._compile_builder = cached


reuse_url_builders()


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


@pytest.fixture(scope="session")
def prepared_sqlite(tmp_path_factory):
    """One SQLite file set up as `lms setup` leaves it (tables, migration stamp)
    with the sample areas, built once; each test works on its own copy."""
    folder = tmp_path_factory.mktemp("prepared")
    path = folder / "prepared.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "LMS_JOB_QUEUE_URL": f"sqlite:///{folder / 'jobs.sqlite3'}",
            "LMS_UPLOAD_DIR": str(folder / "uploads"),
        }
    )
    with app.app_context():
        set_up_schema(app)
        db.session.remove()
        db.engine.dispose()  # the last connection folds the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


class PostgresState:
    """The test database's schema is made once; between tests its rows go.

    Before each test the tables and columns are compared with the ones made
    from the models (a test may drop, migrate or alter them): the same, and
    every table is emptied (TRUNCATE, sequences restarted); different, and the
    schema is made again from scratch."""

    SHAPE = """
        SELECT table_name, column_name, data_type, is_nullable,
               coalesce(column_default, '')
        FROM information_schema.columns WHERE table_schema = current_schema()
        UNION ALL
        SELECT tablename, indexname, indexdef, '', '' FROM pg_indexes
        WHERE schemaname = current_schema()
        UNION ALL
        SELECT 'alembic_version', version_num, '', '', '' FROM alembic_version
        ORDER BY 1, 2, 3
    """

    def __init__(self):
        self.shape = None  # what the schema looks like just after it is made

    def current_shape(self):
        try:
            with db.engine.begin() as connection:
                return connection.exec_driver_sql(self.SHAPE).all()
        except sa.exc.ProgrammingError:  # no alembic_version: not set up
            return None

    def reset(self, app):
        if self.shape is not None and self.current_shape() == self.shape:
            tables = ", ".join(
                db.engine.dialect.identifier_preparer.quote(table.name)
                for table in db.metadata.sorted_tables
            )
            with db.engine.begin() as connection:
                connection.exec_driver_sql(
                    f"TRUNCATE {tables} RESTART IDENTITY CASCADE"
                )
            import_areas(AREAS_CSV)
            db.session.commit()
            return
        drop_everything()
        set_up_schema(app)
        self.shape = self.current_shape()


@pytest.fixture(scope="session")
def postgres_state():
    return PostgresState()


@pytest.fixture
def app(request, config, tmp_path):
    """The app on its own database: a fresh copy of the prepared SQLite file, or
    (``indirect`` param "postgres") the test PostgreSQL database, emptied."""
    kind = getattr(request, "param", "sqlite")
    if kind == "postgres":
        config["SQLALCHEMY_DATABASE_URI"] = postgres_url()
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("prepared_sqlite"), path)
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        if kind == "postgres":
            request.getfixturevalue("postgres_state").reset(app)
        yield app
        jobs.queue(app).stop()  # a job still running ends before its tables go
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def learner(app):
    return make_user()


@pytest.fixture
def signed_in(client, learner):
    sign_in(client)
    return client


@pytest.fixture
def course_dir(tmp_path):
    return copy_courses(tmp_path, "mini")


@pytest.fixture
def mini_course(app, course_dir):
    """The small fixture course "mini": 3 lessons and a 2-question quiz."""
    import_courses(course_dir, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    return db.session.scalar(sa.select(Course).where(Course.slug == "mini"))


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
