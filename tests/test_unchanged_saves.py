"""Opening any edit form and saving it without changes changes nothing."""

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from lms.extensions import db
from lms.models import Club
from lms.services.authoring import ensure_quiz, save_assignment
from lms.services.certificates import ensure_default_clubs
from tests.conftest import DATABASES
from tests.forms import every_row, form_fields
from tests.helpers import vi


@pytest.fixture
def workspace(owned_course, people):
    """A course with lessons, a quiz, practical work and clubs that require it."""
    ensure_quiz(owned_course)
    save_assignment(
        owned_course,
        "Quay một video 1 phút",
        "",
        [("Ánh sáng rõ", ""), ("Giới thiệu sản phẩm", "Introduce the product")],
        True,
        2,
    )
    ensure_default_clubs()
    for club in db.session.scalars(sa.select(Club)):
        club.courses = [owned_course]
    db.session.commit()
    return owned_course


def edit_forms(course, people):
    """(who, page) for every edit form in the application."""
    lesson = course.active_lessons[0]
    question = course.quiz.questions[0]
    base = f"/teach/courses/{course.slug}"
    return [
        ("admin", f"/admin/users/{people['official'].id}"),
        ("admin", f"/admin/users/{people['learner'].id}"),
        ("admin", f"/admin/users/{people['admin'].id}"),
        ("admin", "/admin/clubs/koc"),
        ("admin", "/admin/clubs/kol"),
        ("admin", f"/admin/issuers/{people['official'].area.parent_id}"),
        ("trainer", f"{base}/edit"),
        ("trainer", f"{base}/lessons/{lesson.slug}/edit"),
        ("trainer", f"{base}/quiz"),
        ("trainer", f"{base}/quiz/questions/{question['id']}"),
        ("trainer", f"{base}/assignment"),
        ("learner", "/me/profile"),
    ]


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_saving_any_edit_form_unchanged_changes_no_row(as_role, people, workspace):
    for who, page in edit_forms(workspace, people):
        browser = as_role(who)
        shown = browser.get(page)
        assert shown.status_code == 200, page
        before = every_row()
        saved = browser.post(page, data=MultiDict(form_fields(shown.text, page)))
        assert saved.status_code in (302, 303), (page, saved.text[:2000])
        assert every_row() == before, page


def test_an_official_saved_unchanged_keeps_their_reports(as_role, people):
    official = people["official"]
    page = f"/admin/users/{official.id}"
    admin = as_role("admin")
    shown = admin.get(page).text
    admin.post(page, data=MultiDict(form_fields(shown, page)))
    reader = as_role("official")
    assert reader.get("/api/v1/reports/overview").status_code == 200
    assert db.session.get(type(official), official.id).area.code == "P-A"


def test_an_issuer_saved_unchanged_says_nothing_changed(as_role, people):
    page = f"/admin/issuers/{people['official'].area.parent_id}"
    admin = as_role("admin")
    shown = admin.get(page)
    saved = admin.post(
        page, data=MultiDict(form_fields(shown.text, page)), follow_redirects=True
    )
    assert vi("Nothing changed: the issuer is as it was.") in saved.text
    saying_saved = vi("Saved. Certificates issued in %(province)s show it.")
    assert saying_saved.split("%(")[0] not in saved.text
