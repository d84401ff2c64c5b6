"""An admin finds people and changes their role, area and right to sign in."""

import re
import unicodedata

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


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_names_typed_decomposed_or_with_only_the_d_stroke_are_found(as_role):
    """Unikey's "Unicode tổ hợp" sends marks as separate characters; "đuc" has
    its đ but no tone."""
    make_user(phone="0912 777 011", name="Trần Minh Đức")
    make_user(phone="0912 777 012", name="Trần Minh Hùng")
    admin = as_role("admin")
    for typed in (unicodedata.normalize("NFD", "Đức"), "đuc", "ĐUC", "duc"):
        page = admin.get("/admin/users", query_string={"q": typed}).text
        assert "Trần Minh Đức" in page and "Trần Minh Hùng" not in page, typed


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


def test_a_province_admin_is_no_stand_in_for_the_last_site_admin(as_role, people):
    """With only a province's admin beside them, the whole-site admin can
    neither disable themselves nor move into an area: no one left could manage
    clubs or admins from the web."""
    make_user(phone="0912 000 301", name="Quản Trị Tỉnh", role="admin", area="P")
    admin = people["admin"]
    before = every_row()
    kept_out = as_role("admin").post(
        f"/admin/users/{admin.id}", data={"name": admin.name, "role": "admin"}
    )
    assert kept_out.status_code == 400
    assert "Bạn không thể tự khoá tài khoản của mình." in kept_out.text
    moved = as_role("admin").post(
        f"/admin/users/{admin.id}",
        data={"name": admin.name, "role": "admin", "area": area_id("P"), "active": "y"},
    )
    assert moved.status_code == 400 and "quản trị viên cuối cùng" in moved.text
    assert every_row() == before
    # A second whole-site admin may be disabled by the first, and may leave.
    other = make_user(phone="0912 000 302", name="Quản Trị Hai", role="admin")
    db.session.commit()
    disabled = as_role("admin").post(
        f"/admin/users/{other.id}", data={"name": other.name, "role": "admin"}
    )
    assert disabled.status_code == 302
    assert db.session.get(User, other.id).active is False


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


def test_admin_corrects_a_name_and_an_empty_one_changes_nothing(as_role, people):
    learner = people["learner"]
    admin = as_role("admin")
    form = admin.get(f"/admin/users/{learner.id}").text
    assert 'name="name"' in form and 'value="Learner"' in form
    fields = {"role": "learner", "area": area_id("P-A"), "active": "y"}
    blank = admin.post(
        f"/admin/users/{learner.id}",
        data={**fields, "name": " \u200b ", "role": "trainer"},
    )
    assert blank.status_code == 400 and "Hãy nhập họ tên người này." in blank.text
    db.session.expire_all()
    assert (learner.name, learner.role) == ("Learner", "learner")
    done = admin.post(
        f"/admin/users/{learner.id}", data={**fields, "name": "  Nguyễn  Thị Hoà "}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert learner.name == "Nguyễn Thị Hoà"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.name")
    )
    assert event.detail == {"from": "Learner", "to": "Nguyễn Thị Hoà"}
    again = admin.post(
        f"/admin/users/{learner.id}", data={**fields, "name": "Nguyễn Thị Hoà"}
    )
    assert again.status_code == 302
    renamed = sa.select(sa.func.count()).where(AuditEvent.action == "user.name")
    assert db.session.scalar(renamed) == 1  # saved unchanged: no second event


def test_a_farmer_in_no_class_gets_a_password_code_from_an_admin(app, as_role, people):
    """A farmer who signed up alone from a shared link forgot the password: no
    trainer has them in a class, so the admin's page of the person gives the
    code, and the farmer sets a new password with it."""
    farmer = make_user(phone="0912 555 111", name="Lò Văn Tự")
    admin = as_role("admin")
    page = admin.get(f"/admin/users/{farmer.id}").text
    assert "Cấp mã đặt lại mật khẩu" in page
    answer = admin.post(f"/teach/learners/{farmer.id}/reset-code")
    code = re.search(r'class="join-code">(\d{8})<', answer.text).group(1)
    assert f'href="/admin/users/{farmer.id}"' in answer.text
    used = app.test_client().post(
        "/code",
        data={"phone": "0912555111", "code": code, "password": "vải chín đỏ cây"},
    )
    assert used.status_code == 302
    assert (
        sign_in(app.test_client(), "0912555111", "vải chín đỏ cây").status_code == 302
    )
    # Staff are not given codes this way.
    staff = admin.get(f"/admin/users/{people['official'].id}").text
    assert "Cấp mã đặt lại mật khẩu" not in staff


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_names_typed_without_marks_and_parts_of_numbers_are_found(as_role, people):
    make_user(phone="0912 777 001", name="Trần Văn Đức")
    make_user(phone="0912 777 002", name="Trần Văn Dực")
    # Typed decomposed (a letter, then its marks), as some phones send it.
    make_user(phone="0912 888 003", name=unicodedata.normalize("NFD", "Nông Thị Ánh"))
    admin = as_role("admin")

    def found(query):
        page = admin.get("/admin/users", query_string={"q": query}).text
        return {
            name
            for name in ("Trần Văn Đức", "Trần Văn Dực", "Nông Thị Ánh")
            if name in page
        }

    assert found("duc") == {"Trần Văn Đức", "Trần Văn Dực"}
    assert found("Đức") == {"Trần Văn Đức"}  # typed with marks: those marks
    assert found("TRAN van DUC") == {"Trần Văn Đức", "Trần Văn Dực"}
    assert found("nong anh") == {"Nông Thị Ánh"}
    assert found("777") == set()  # too short to be a number's part
    assert found("0912 777") == {"Trần Văn Đức", "Trần Văn Dực"}
    assert found("888003") == {"Nông Thị Ánh"}


def test_people_come_in_pages_of_fifty(as_role, people):
    for number in range(60):
        make_user(phone=f"0915 000 {number:03d}", name=f"Nông dân {number:02d}")
    admin = as_role("admin")
    first = admin.get("/admin/users?q=nong dan").text
    assert first.count("Nông dân ") == 50 and "Trang sau →" in first
    second = admin.get("/admin/users?q=nong+dan&page=2").text
    assert second.count("Nông dân ") == 10 and "Trang sau" not in second
    assert "← Trang trước" in second
    shown = set(re.findall(r"Nông dân \d\d", first + second))
    assert len(shown) == 60


@pytest.mark.parametrize("area", ["P", ""], ids=["province", "no area"])
def test_a_learner_stays_in_a_commune(as_role, people, area):
    """Placed on a province, or on none, a farmer would drop out of every
    commune's figures while still counted above: refused, nothing changed."""
    learner = people["learner"]
    answer = as_role("admin").post(
        f"/admin/users/{learner.id}",
        data={
            "name": "Learner",
            "role": "learner",
            "area": area_id(area) if area else "",
            "active": "y",
        },
    )
    assert answer.status_code == 400
    assert "Học viên phải thuộc một xã" in answer.text
    db.session.expire_all()
    assert learner.area.code == "P-A"


def test_an_official_of_a_province_becomes_a_farmer_of_a_commune(as_role, people):
    official = people["official"]
    admin = as_role("admin")
    official.area = db.session.get(Area, area_id("P"))
    db.session.commit()
    fields = {"name": official.name, "role": "learner", "active": "y"}
    kept = admin.post(
        f"/admin/users/{official.id}", data={**fields, "area": area_id("P")}
    )
    assert kept.status_code == 400
    moved = admin.post(
        f"/admin/users/{official.id}", data={**fields, "area": area_id("P-B")}
    )
    assert moved.status_code == 302
    db.session.expire_all()
    assert (official.role, official.area.code) == ("learner", "P-B")


def test_an_account_with_no_commune_can_still_be_disabled(app, as_role, people):
    """A learner made at the command line with no area: the admin disables the
    account without being made to choose a commune first."""
    farmer = make_user(phone="0912 444 555", name="Lò Văn Tự", area=None)
    answer = as_role("admin").post(
        f"/admin/users/{farmer.id}",
        data={"name": "Lò Văn Tự", "role": "learner", "area": ""},
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert farmer.active is False and farmer.area is None
