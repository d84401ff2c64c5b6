"""`/healthz` answers 503 without details when the database cannot be reached."""

import shutil

from lms import create_app


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
    assert check(config, database_url).status_code == 200
    shutil.rmtree(folder)  # the disk went away; a worker starts afresh

    response = check(config, database_url)
    assert response.status_code == 503
    assert response.get_json() == {"status": "error"}
