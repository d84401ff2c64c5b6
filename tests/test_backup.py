"""`lms backup` and `lms restore`: a round trip brings back every row."""

import sqlite3

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Course, LessonProgress, User
from lms.services.learning import complete_lesson
from tests.conftest import DATABASES, make_user

pytestmark = pytest.mark.parametrize("app", DATABASES, indirect=True)


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["lms", *args], input=input)


def row_counts():
    """Rows in every table of the application, read afresh from the database."""
    db.session.remove()
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def learning_history(classroom, people):
    """Users, a course, a class, enrolments and some completed lessons."""
    for lesson in classroom.courses[0].lessons[:2]:
        complete_lesson(people["learner"], lesson)
    db.session.commit()


def change_everything():
    """What happens between a backup and a restore: new, changed, deleted rows."""
    make_user(phone="0912999999", name="Người mới")
    db.session.scalar(sa.select(Course)).title_vi = "Đã đổi tên"
    db.session.execute(sa.delete(LessonProgress))
    db.session.commit()


def test_round_trip_brings_back_every_row(app, learning_history, tmp_path):
    before = row_counts()
    assert before["lesson_progress"] == 2 and before["user"] == 7
    backup = tmp_path / "lms.backup"

    result = run(app, "backup", str(backup))
    assert result.exit_code == 0, result.output
    assert backup.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    assert [p.name for p in tmp_path.iterdir() if "backup" in p.name] == [backup.name]
    change_everything()
    assert row_counts() != before

    result = run(app, "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.output
    assert row_counts() == before
    assert db.session.scalar(sa.select(Course.title_vi)) != "Đã đổi tên"
    assert (
        db.session.scalar(sa.select(User).where(User.phone == "+84912999999")) is None
    )


def test_restore_asks_first_and_no_changes_nothing(app, learning_history, tmp_path):
    backup = tmp_path / "lms.backup"
    assert run(app, "backup", str(backup)).exit_code == 0
    change_everything()
    after_change = row_counts()

    result = run(app, "restore", str(backup), input="n\n")
    assert result.exit_code == 1
    assert "Replace all data" in result.output and "Aborted" in result.output
    assert row_counts() == after_change


def not_a_backup(app, tmp_path):
    """Files restore must refuse: junk, and a backup of the other database kind."""
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not a backup")
    other_program = tmp_path / "other.sqlite3"
    with sqlite3.connect(other_program) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    files = [junk, other_program]
    if db.engine.dialect.name == "sqlite":
        fake_dump = tmp_path / "fake.dump"
        fake_dump.write_bytes(b"PGDMP" + b"\x00" * 200)
        files.append(fake_dump)
    else:  # a SQLite backup of this very application, but the wrong kind
        ours = tmp_path / "ours.sqlite3"
        with sqlite3.connect(ours) as connection:
            connection.execute('CREATE TABLE "user" (id INTEGER)')
        files.append(ours)
    return files


def test_restore_refuses_what_is_not_a_backup(app, learning_history, tmp_path):
    before = row_counts()
    for bad in not_a_backup(app, tmp_path):
        result = run(app, "restore", str(bad), "--yes")
        assert result.exit_code == 1, bad
        assert "is not a backup of a" in result.output
        assert "nothing was restored" in result.output
        assert row_counts() == before


def test_backup_into_a_missing_folder_says_so(app, tmp_path):
    result = run(app, "backup", str(tmp_path / "no" / "such" / "folder" / "x"))
    assert result.exit_code == 1
    assert (
        "there is no folder" in result.output
        and "nothing was backed up" in result.output
    )
    assert not (tmp_path / "no").exists()
