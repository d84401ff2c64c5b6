"""An admin finds people and changes their role, area and right to sign in."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Area, AuditEvent, User
from tests.conftest import DATABASES, PHONES, make_user, sign_in
from tests.forms import every_row


def area_id(code):
    return db.session.scalar(sa.select(Area.id).where(Area.code == code))


def test_admin_finds_people_by_name_or_phone(as_role, people):
    admin = as_role("admin")
    by_phone = admin.get("/admin/users?q=0912 000 004").text
    assert "Official" in by_phone and "Learner</a>" not in by_phone
    by_name = admin.get("/admin/users?q=trainer").text
    assert "Other Trainer" in by_name and "Classmate" not in by_name


@pytest.mark.parametrize("app", DATABASES, indirect=True)
@pytest.mark.parametrize("query", ["ĐỖ THỊ ÁNH", "đỗ ánh", "Ánh  Đỗ"])
def test_a_vietnamese_name_is_found_in_any_case_and_word_order(as_role, query):
    make_user(phone="0912 777 001", name="Đỗ Thị Ánh")
    make_user(phone="0912 777 002", name="Đỗ Văn Bình")
    page = as_role("admin").get("/admin/users", query_string={"q": query}).text
    assert "Đỗ Thị Ánh" in page and "Đỗ Văn Bình" not in page


def test_admin_moves_an_official_to_another_commune(as_role, people, app):
    official = people["official"]
    answer = as_role("admin").post(
        f"/admin/users/{official.id}",
        data={"role": "official", "area": area_id("P-B"), "active": "y"},
    )
    assert answer.status_code == 302
    assert db.session.get(User, official.id).area_id == area_id("P-B")
    audit = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.area")
    )
    assert audit.detail == {"from": "P-A", "to": "P-B"}
    reader = app.test_client()
    sign_in(reader, phone=PHONES["official"])
    scope = reader.get("/api/v1/reports/overview").json["area"]
    assert scope["code"] == "P-B"


def test_disabling_someone_signs_them_out(as_role, people):
    learner = as_role("learner")
    assert learner.get("/me/learning").status_code == 200
    as_role("admin").post(
        f"/admin/users/{people['learner'].id}",
        data={"role": "learner", "area": area_id("P-A")},
    )
    assert db.session.get(User, people["learner"].id).active is False
    assert learner.get("/me/learning").status_code == 302


def test_the_last_admin_cannot_demote_themselves(as_role, people):
    admin = people["admin"]
    answer = as_role("admin").post(
        f"/admin/users/{admin.id}",
        data={"role": "learner", "area": area_id("P-A"), "active": "y"},
    )
    assert answer.status_code == 400
    assert "quản trị" in answer.text
    assert db.session.get(User, admin.id).role == "admin"


def test_an_area_that_does_not_exist_changes_nothing(as_role, people):
    official = people["official"]
    answer = as_role("admin").post(
        f"/admin/users/{official.id}",
        data={"role": "admin", "area": 9999, "active": "y"},
    )
    assert answer.status_code == 400
    assert db.session.get(User, official.id).role == "official"
    assert "Hãy chọn một địa bàn trong danh sách." in answer.text


@pytest.mark.parametrize(
    "change",
    [
        {"role": "superuser"},
        {"area": "abc"},
        {"area": "-1"},
        {"role": ""},
    ],
)
def test_a_role_or_area_not_in_the_list_is_refused_and_changes_nothing(
    as_role, people, change
):
    official = people["official"]
    before = every_row()
    answer = as_role("admin").post(
        f"/admin/users/{official.id}",
        data={"role": "official", "area": area_id("P-A"), "active": "y"} | change,
    )
    assert answer.status_code == 400
    assert "trong danh sách" in answer.text
    assert every_row() == before


@pytest.mark.parametrize("courses", ["9999", "abc"])
def test_club_rules_with_a_course_not_in_the_list_change_nothing(
    as_role, people, mini_course, courses
):
    from lms.services.certificates import ensure_default_clubs

    ensure_default_clubs()
    db.session.commit()
    before = every_row()
    answer = as_role("admin").post(
        "/admin/clubs/koc", data={"courses": [str(mini_course.id), courses]}
    )
    assert answer.status_code == 400
    assert "Chỉ chọn trong danh sách." in answer.text
    assert every_row() == before
