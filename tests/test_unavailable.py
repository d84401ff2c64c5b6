"""A database that cannot write just now (SQLite's lock held too long, a full
disk) answers 503 with Retry-After and a page in the user's language, never 500;
nothing is half-written, and the same request succeeds once it can.

SQLite only: PostgreSQL's equivalents (deadlock, disk full) cannot be brought
about on purpose here; they are mapped to the same answers.
"""

import sqlite3
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from lms.extensions import db
from lms.models import Lesson, LessonProgress, SyncEvent
from tests.conftest import count, jpeg


@pytest.fixture
def config(config):
    config["LMS_SQLITE_BUSY_MS"] = 100  # how long a write waits for the lock
    return config


@pytest.fixture
def farmer(as_role, mini_course):
    """A farmer enrolled in the course: their lessons and events are writes."""
    client = as_role("learner")
    assert client.post("/courses/mini/enroll").status_code == 302
    return client


def sync(client):
    event = {
        "id": str(uuid.uuid4()),
        "type": "lesson.complete",
        "course": "mini",
        "lesson": "second",
        "at": "2026-01-01T08:00:00Z",
    }
    return client.post("/api/v1/progress/sync", json={"events": [event]})


def progress():
    return db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress))


def test_writes_while_another_holds_the_lock_too_long_answer_503(app, farmer):
    other = sqlite3.connect(
        app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"),
        isolation_level=None,
    )
    other.execute("BEGIN IMMEDIATE")  # a backup, a stuck worker: the lock is held
    try:
        page = farmer.post("/courses/mini/lessons/first/complete")
        api = sync(farmer)
        reading = farmer.get("/courses/mini/lessons/first")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert page.status_code == 503 and api.status_code == 503
    assert "Trang web đang bận" in page.get_data(as_text=True)
    assert "Trang web đang bận" in api.get_json()["error"]
    assert int(page.headers["Retry-After"]) > 0
    assert int(api.headers["Retry-After"]) > 0
    assert reading.status_code == 200  # reading never waits for the lock
    assert progress() == 0
    # The phone comes back as told, and everything goes through once.
    assert farmer.post("/courses/mini/lessons/first/complete").status_code == 302
    assert sync(farmer).get_json()["results"][0]["status"] == "applied"
    assert progress() == 2


@pytest.fixture
def full_disk(app):
    """SQLite as on a full disk: no new page can be written (SQLITE_FULL)."""
    with db.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

    def no_room(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    db.engine.dispose()
    event.listen(db.engine, "connect", no_room)

    def free_space():
        event.remove(db.engine, "connect", no_room)
        db.engine.dispose()

    yield free_space
    if event.contains(db.engine, "connect", no_room):
        free_space()


def sync_a_day_offline(client):
    """A hundred events: more than the free room left in the database's pages."""
    events = [
        {
            "id": str(uuid.uuid4()),
            "type": "lesson.complete",
            "course": "mini",
            "lesson": lesson,
            "at": "2026-01-01T08:00:00Z",
        }
        for lesson in ("first", "second", "third") * 34
    ][:100]
    return client.post("/api/v1/progress/sync", json={"events": events})


def save_long_lesson(trainer, **headers):
    return trainer.post(
        "/teach/courses/mini/lessons/first/edit",
        data={
            "title_vi": "Bài một",
            "body_vi": "\n\n".join(["Ánh sáng tự nhiên. " * 40] * 20),  # within limits
            "version": "1",
        },
        headers=headers,
    )


def test_a_full_disk_answers_503_in_the_users_language_and_recovers(
    app, as_role, owned_course, full_disk
):
    farmer, trainer = as_role("learner"), as_role("trainer")
    farmer.post("/courses/mini/enroll")
    full_disk_pages = [save_long_lesson(trainer), sync_a_day_offline(farmer)]
    english = save_long_lesson(trainer, **{"Accept-Language": "en"})

    assert [r.status_code for r in full_disk_pages] == [503, 503]
    assert "Trang web tạm thời không lưu được" in full_disk_pages[0].get_data(
        as_text=True
    )
    assert "Trang web tạm thời không lưu được" in full_disk_pages[1].get_json()["error"]
    assert "The site cannot save right now" in english.get_data(as_text=True)
    assert all(int(r.headers["Retry-After"]) > 0 for r in full_disk_pages)
    assert progress() == 0 and count(SyncEvent) == 0
    assert (
        db.session.scalar(sa.select(Lesson.version).where(Lesson.slug == "first")) == 1
    )

    full_disk()  # space was freed: nothing to restart
    assert save_long_lesson(trainer).status_code == 302
    results = sync_a_day_offline(farmer).get_json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 100
    assert progress() == 3 and count(SyncEvent) == 100


def test_an_upload_on_a_full_disk_answers_503(app, as_role, owned_course, monkeypatch):
    """Pictures are files: a full disk there says the same, not 500."""
    from lms.services import images

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(images, "_write_atomically", disk_full)
    response = as_role("trainer").post(
        "/teach/courses/mini/images", data={"image": (jpeg(), "a.jpg"), "alt": "Vườn"}
    )
    assert response.status_code == 503
    assert "Trang web tạm thời không lưu được" in response.get_data(as_text=True)


def test_the_lock_wait_and_the_free_space_come_from_the_environment(monkeypatch):
    from lms import create_app
    from lms.config import ConfigurationError

    monkeypatch.setenv("LMS_SQLITE_BUSY_MS", "250")
    monkeypatch.setenv("LMS_MIN_FREE_MB", "500")
    app = create_app({"TESTING": True, "SECRET_KEY": "test"})
    assert app.config["LMS_SQLITE_BUSY_MS"] == 250
    assert app.config["LMS_MIN_FREE_MB"] == 500
    monkeypatch.setenv("LMS_SQLITE_BUSY_MS", "5 seconds")
    with pytest.raises(ConfigurationError, match="LMS_SQLITE_BUSY_MS"):
        create_app({"TESTING": True, "SECRET_KEY": "test"})


def test_events_that_change_nothing_are_answered_while_the_lock_is_held(app, farmer):
    """A phone replaying events already sent, or sending one that is refused,
    gets its answers at once: reading never waits for the lock, and a savepoint
    is not a write."""
    sent = {
        "id": str(uuid.uuid4()),
        "type": "lesson.complete",
        "course": "mini",
        "lesson": "second",
    }
    refused = {**sent, "id": str(uuid.uuid4()), "lesson": "nowhere"}
    path = "/api/v1/progress/sync"
    assert farmer.post(path, json={"events": [sent]}).status_code == 200
    other = sqlite3.connect(
        app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"),
        isolation_level=None,
    )
    other.execute("BEGIN IMMEDIATE")
    try:
        answer = farmer.post(path, json={"events": [sent, refused]})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert answer.status_code == 200
    statuses = [result["status"] for result in answer.get_json()["results"]]
    assert statuses == ["duplicate", "rejected"]
    assert progress() == 1
