"""Migrations build the same schema as the models, on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from lms.extensions import db
from tests.conftest import DATABASES

pytestmark = pytest.mark.parametrize("app", DATABASES, indirect=True)


def reset(app):
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_upgrade_from_empty_matches_the_models(app):
    reset(app)
    upgrade(directory=app.extensions["migrate"].directory)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_to_empty_and_up_again(app):
    reset(app)
    directory = app.extensions["migrate"].directory
    upgrade(directory=directory)
    downgrade(directory=directory, revision="base")
    with db.engine.connect() as connection:
        tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade(directory=directory)


def test_clubs_get_the_lessons_definitions_unless_an_admin_renamed_them(app):
    reset(app)
    directory = app.extensions["migrate"].directory
    upgrade(directory=directory, revision="0006")
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO club (code, name_vi, name_en, description_vi, description_en)"
            " VALUES ('koc', 'Câu lạc bộ KOC (người tiêu dùng có ảnh hưởng)',"
            " 'KOC club (key opinion consumers)', 'Mô tả riêng của tỉnh.', NULL),"
            " ('kol', 'CLB KOL tỉnh Bắc Ninh', 'KOL club (farmers who sell live)',"
            " 'Thành viên đã học đủ ba kỹ năng và được giảng viên duyệt bài thực hành:"
            " bán hàng livestream, thiết kế bao bì, dựng cảnh quay.', NULL)"
        )
    upgrade(directory=directory)
    with db.engine.connect() as connection:
        clubs = {
            row[0]: row[1:]
            for row in connection.exec_driver_sql(
                "SELECT code, name_vi, name_en, description_vi FROM club"
            )
        }
    assert clubs["koc"][:2] == (
        "Câu lạc bộ KOC (người giới thiệu nông sản từ trải nghiệm thật)",
        "KOC club (key opinion consumers: honest reviewers of produce)",
    )
    assert clubs["koc"][2] == "Mô tả riêng của tỉnh."  # the admin's text stays
    assert clubs["kol"][0] == "CLB KOL tỉnh Bắc Ninh"
    assert clubs["kol"][1].startswith("KOL club (key opinion leaders")
    assert clubs["kol"][2].startswith("KOL là người có uy tín")
    downgrade(directory=directory, revision="0006")
    with db.engine.connect() as connection:
        names = dict(
            tuple(row)
            for row in connection.exec_driver_sql("SELECT code, name_vi FROM club")
        )
    assert names["koc"] == "Câu lạc bộ KOC (người tiêu dùng có ảnh hưởng)"


def test_club_cards_issued_before_renewal_become_the_first_period(app):
    """0009 keeps existing cards: each becomes period 1, and a second period fits."""
    reset(app)
    directory = app.extensions["migrate"].directory
    upgrade(directory=directory, revision="0006")
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        run(
            'INSERT INTO "user" (id, phone, name, role, password_hash, locale,'
            " active, session_version, created_at)"
            " VALUES (1, '+84912000001', 'Hoa', 'learner', 'x', NULL, TRUE,"
            " 1, '2026-01-01 00:00:00')"
        )
        run(
            "INSERT INTO club (id, code, name_vi, description_vi)"
            " VALUES (1, 'koc', 'KOC', '')"
        )
        run(
            "INSERT INTO certificate (id, code, user_id, club_id, issued_at)"
            " VALUES (1, 'A', 1, 1, '2026-01-01 00:00:00')"
        )
        # A course a learner has worked on: tables others point at must be
        # altered in place (SQLite cannot copy them while foreign keys are on).
        run(
            "INSERT INTO course (id, slug, position, minutes, clubs, status,"
            " title_vi, summary_vi, updated_at) VALUES (1, 'c', 1, 5, '[]',"
            " 'published', 'C', '', '2026-01-01 00:00:00')"
        )
        run(
            "INSERT INTO lesson (id, course_id, slug, position, minutes, title_vi,"
            " body_vi, html_vi, updated_at) VALUES (1, 1, 'l', 1, 5, 'L', '', '',"
            " '2026-01-01 00:00:00')"
        )
        run(
            "INSERT INTO lesson_progress (id, user_id, lesson_id, completed_at)"
            " VALUES (1, 1, 1, '2026-01-02 00:00:00')"
        )
    upgrade(directory=directory)
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        assert run("SELECT period FROM certificate").scalar() == 1
        assert run("SELECT renewal_questions FROM club").scalar() == 5
        run("UPDATE certificate SET revoked_cause_id = 1")  # survives the copies
        run(
            "INSERT INTO certificate (id, code, user_id, club_id, issued_at, period)"
            " VALUES (2, 'B', 1, 1, '2026-06-01 00:00:00', 2)"
        )
    if db.engine.dialect.name == "sqlite":
        # Downgrading copies "user" and "lesson" on SQLite, which rows pointing
        # at them forbid while foreign keys are on: downgrades there are for
        # empty databases (README, Upgrading).
        return
    downgrade(directory=directory, revision="0006")
    with db.engine.connect() as connection:
        codes = connection.exec_driver_sql("SELECT code FROM certificate").scalars()
        assert list(codes) == ["A"]
    upgrade(directory=directory)


def test_work_sent_twice_before_0024_leaves_the_latest_waiting(app):
    """0024 allows one piece of work waiting per learner and assignment: of two
    already waiting, the earlier is returned with a note, nothing is deleted."""
    reset(app)
    directory = app.extensions["migrate"].directory
    upgrade(directory=directory, revision="0023")
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        run(
            'INSERT INTO "user" (id, phone, name, role, password_hash, active,'
            " session_version, created_at, badge_recipient_id) VALUES (1,"
            " '+84912000001', 'Hoa', 'learner', 'x', TRUE, 1,"
            " '2026-01-01 00:00:00', 'r1')"
        )
        run(
            "INSERT INTO course (id, slug, position, minutes, clubs, status,"
            " title_vi, summary_vi, updated_at) VALUES (1, 'c', 1, 5, '[]',"
            " 'published', 'C', '', '2026-01-01 00:00:00')"
        )
        run(
            "INSERT INTO assignment (id, course_id, instructions_vi, rubric,"
            " accepts_link, max_photos, updated_at) VALUES (1, 1, 'Quay', '[]',"
            " TRUE, 3, '2026-01-01 00:00:00')"
        )
        for number, status in enumerate(["approved", "pending", "pending"], 1):
            run(
                "INSERT INTO submission (id, assignment_id, user_id, link, photos,"
                " note, status, rubric, feedback, created_at) VALUES"
                f" ({number}, 1, 1, 'https://a.vn/{number}', '[]', '', '{status}',"
                f" '{{}}', '', '2026-01-0{number} 00:00:00')"
            )
    upgrade(directory=directory)
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT id, status, feedback, link FROM submission ORDER BY id"
        ).all()
    assert [(row[0], row[1]) for row in rows] == [
        (1, "approved"),
        (2, "needs_work"),
        (3, "pending"),
    ]
    assert rows[1][2].startswith("Đã được thay bằng bài nộp sau.")
    assert rows[1][3] == "https://a.vn/2"  # what was sent is kept
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO submission (assignment_id, user_id, photos, note, status,"
            " rubric, feedback, created_at) VALUES (1, 1, '[]', '', 'pending',"
            " '{}', '', '2026-01-09 00:00:00')"
        )
