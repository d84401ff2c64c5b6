"""`/healthz` answers 503 without details when the database cannot serve: it
cannot be reached, it was never set up, or there is no room left to write."""

import shutil

import pytest
from flask_migrate import upgrade

from lms import create_app
from lms.extensions import db
from tests.conftest import DATABASES, drop_everything, make_user, sign_in


def check(config, database_url):
    app = create_app(config | {"SQLALCHEMY_DATABASE_URI": database_url})
    return app.test_client().get("/healthz")


def test_postgresql_that_nobody_answers_is_unhealthy(config, json_log):
    # Port 9 (discard) has no PostgreSQL: the connection is refused at once.
    response = check(config, "postgresql://postgres@127.0.0.1:9/lms")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error"}
    assert b"127.0.0.1" not in response.data and b"refused" not in response.data
    (error,) = [line for line in json_log() if line["level"] == "ERROR"]
    assert error["message"] == "health check failed"
    assert "refused" in error["traceback"]
    assert error["request_id"] == response.headers["X-Request-ID"]


def test_sqlite_file_in_a_removed_folder_is_unhealthy(config, tmp_path):
    folder = tmp_path / "shared-disk"
    folder.mkdir()
    database_url = f"sqlite:///{folder / 'lms.sqlite3'}"
    app = create_app(config | {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    assert check(config, database_url).status_code == 200
    shutil.rmtree(folder)  # the disk went away; a worker starts afresh

    response = check(config, database_url)
    assert response.status_code == 503
    assert response.get_json() == {"status": "error"}


def forget_the_schema():
    """The database as `flask run` finds it before anyone ran `lms setup`."""
    drop_everything()


@pytest.fixture
def fresh_worker():
    """A worker that starts after the database changed under the others."""
    workers = []

    def start(app):
        worker = create_app(app.config)
        worker.test_client_class = app.test_client_class
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        with worker.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_database_never_set_up_is_unhealthy_and_pages_say_so(
    app, fresh_worker, json_log
):
    make_user()
    sign_in(farmer := app.test_client())  # a phone with a session from before
    forget_the_schema()
    farmer.application = app = fresh_worker(app)

    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and health.get_json() == {"status": "error"}
    for client, method, path in [
        (farmer, "GET", "/"),
        (app.test_client(), "GET", "/login"),
        (app.test_client(), "POST", "/signup"),
    ]:
        page = client.open(path, method=method)
        assert page.status_code == 503, path
        assert "Trang web chưa được thiết lập" in page.get_data(as_text=True)
        assert page.headers["Retry-After"].isdigit()
    english = app.test_client().get("/", headers={"Accept-Language": "en"})
    assert "The site is not set up yet" in english.get_data(as_text=True)
    assert app.test_client().get("/static/css/app.css").status_code == 200
    errors = [line["message"] for line in json_log() if line["level"] == "ERROR"]
    assert errors and all("flask --app app lms setup" in e for e in errors)


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_once_set_up_the_running_site_serves_without_a_restart(app, fresh_worker):
    forget_the_schema()
    client = fresh_worker(app).test_client()
    assert client.get("/").status_code == 503
    upgrade(directory=app.extensions["migrate"].directory)
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/").status_code == 200


def test_an_old_schema_is_not_the_latest(app):
    """After a release with a new migration, until `lms setup` (or `db upgrade`)."""
    with db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    assert app.test_client().get("/healthz").status_code == 503


def test_too_little_free_space_is_unhealthy_until_there_is_room(app, tmp_path):
    free_mb = shutil.disk_usage(tmp_path).free >> 20
    app.config["LMS_MIN_FREE_MB"] = free_mb + 1024  # a disk nearly full
    assert app.test_client().get("/healthz").status_code == 503
    app.config["LMS_MIN_FREE_MB"] = 0  # space was freed
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}
