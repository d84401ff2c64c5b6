"""One transaction per request: a success commits, anything else writes nothing.

The requests below go through the real app and database (SQLite and PostgreSQL);
the few routes made here only to fail at a chosen moment write real rows.
"""

import ast
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import redirect

from lms.extensions import db
from lms.models import AuditEvent, User
from lms.services import DomainError
from lms.services.accounts import create_user
from lms.views.transactions import refuse
from tests.conftest import DATABASES, PASSWORD
from tests.forms import every_row

VIEWS = Path(__file__).parent.parent / "lms" / "views"
# The only views that commit before their answer, and why (each says so too).
EARLY_COMMITS = {
    ("auth.py", "signup"),  # ends the transaction before the slow password hash
    ("reports.py", "_export"),  # the worker must find the job's row
    ("teach/classes.py", "roster_csv"),  # the worker must find the job's row
    ("reports_api.py", "record_token_use"),  # a token's use is noted on refusals too
}
PHONE = "0912999001"


@pytest.fixture
def config(config):
    config["PROPAGATE_EXCEPTIONS"] = False  # a crash answers 500, as in production
    config["LMS_SQLITE_BUSY_MS"] = 100  # how long a write waits for the lock
    return config


@pytest.fixture
def app(app):
    """The app with routes that write a farmer, then answer in one way each."""

    def write():
        create_user(PHONE, "Lò Văn Thử", "learner", None, PASSWORD)

    def saved():
        write()
        return "saved"

    def redirected():
        write()
        return redirect("/")

    def shown_again():
        write()
        return "the form again, with its errors", 400

    def refused():
        write()
        refuse(DomainError("Lớp này đã đóng."))
        return redirect("/")

    def crashed():
        write()
        db.session.flush()
        raise RuntimeError("a bug mid-way")

    def added():
        db.session.add(User(phone="+84912999001", name="Ba", role="learner"))
        return "Đã lưu cả hai."

    def unsavable():
        # Two accounts with one number: the database refuses only at the commit.
        for name in ("Một", "Hai"):
            db.session.add(User(phone="+84912999001", name=name, role="learner"))
        return "Đã lưu cả hai."

    for view in (saved, redirected, shown_again, refused, crashed, added, unsavable):
        app.add_url_rule(f"/try/{view.__name__}", view.__name__, view, methods=["POST"])
    return app


def written():
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.phone.like("%999001"))
    )


@pytest.mark.parametrize("app", DATABASES, indirect=True)
@pytest.mark.parametrize("route", ["saved", "redirected"])
def test_a_success_is_committed(app, client, route):
    answer = client.post(f"/try/{route}")
    assert answer.status_code in (200, 302)
    assert written() == 1


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_form_shown_again_with_errors_writes_nothing(app, client):
    before = every_row()
    assert client.post("/try/shown_again").status_code == 400
    assert every_row() == before


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_refusal_answered_with_a_redirect_writes_nothing(app, client):
    before = every_row()
    answer = client.post("/try/refused", follow_redirects=True)
    assert "Lớp này đã đóng." in answer.text
    assert every_row() == before


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_request_that_crashes_mid_way_writes_nothing(app, client):
    before = every_row()
    answer = client.post("/try/crashed")
    assert answer.status_code == 500
    assert "Có lỗi từ phía chúng tôi" in answer.text
    assert every_row() == before


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_commit_that_fails_answers_an_error_not_the_page(app, client):
    answer = client.post("/try/unsavable")
    assert answer.status_code == 500
    assert "Đã lưu cả hai." not in answer.text
    assert "Có lỗi từ phía chúng tôi" in answer.text
    assert written() == 0
    # The next request starts clean.
    assert client.post("/try/saved").status_code == 200
    assert written() == 1


def test_a_commit_that_waits_too_long_for_the_lock_answers_busy(app, client):
    """SQLite: the row is written only at the commit, and another holds the lock."""
    other = sqlite3.connect(
        app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"),
        isolation_level=None,
    )
    other.execute("BEGIN IMMEDIATE")
    try:
        answer = client.post("/try/added")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) > 0
    assert "Trang web đang bận" in answer.text
    assert "Đã lưu cả hai." not in answer.text
    assert written() == 0
    assert client.post("/try/added").status_code == 200
    assert written() == 1


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_an_account_change_refused_half_way_keeps_none_of_it(app, as_role, people):
    """The admin moves themselves to a commune and disables their own account in
    one save: the last admin cannot be disabled, so the move is not kept either."""
    admin = people["admin"]
    area = db.session.scalar(sa.text("SELECT id FROM area WHERE code = 'P-A'"))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    answer = as_role("admin").post(
        f"/admin/users/{admin.id}", data={"role": "admin", "area": area}
    )
    assert answer.status_code == 400
    assert "quản trị" in answer.text
    assert db.session.get(User, admin.id).area_id is None
    assert db.session.get(User, admin.id).active
    after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert after == before


def commits_in_views():
    """(file, function) of every ``.commit()`` call under lms/views."""
    found = []
    for path in sorted(VIEWS.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit"
                ):
                    name = path.relative_to(VIEWS).as_posix()
                    found.append((name, function.name, path, node.lineno))
    return found


def test_views_commit_only_where_documented():
    found = commits_in_views()
    elsewhere = {
        (name, function) for name, function, *_ in found if name != "transactions.py"
    }
    assert elsewhere == EARLY_COMMITS
    for name, _function, path, line in found:
        if name != "transactions.py":
            comment = path.read_text().splitlines()[line - 3 : line - 1]
            assert any("# Early commit:" in text for text in comment), (name, line)
