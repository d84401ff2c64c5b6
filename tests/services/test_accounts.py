"""The accounts service, called directly on a real database: numbers, sign-up,
sign-in, and what an admin may change."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import AuditEvent, User
from lms.services import DomainError
from lms.services.accounts import (
    authenticate,
    change_password,
    find_by_phone,
    normalize_phone,
    register_learner,
    set_active,
    set_area,
    signup_problems,
)
from lms.services.areas import import_areas
from tests.helpers import PASSWORD, count, make_user, vi
from tests.reports.province import area


@pytest.mark.parametrize(
    "spelling", ["0912345678", "0912 345 678", "84912345678", "+84 912-345-678"]
)
def test_every_common_spelling_of_a_number_is_the_same_account(app, spelling):
    make_user(phone="0912345678")
    assert normalize_phone(spelling) == "+84912345678"
    assert find_by_phone(spelling).phone == "+84912345678"


@pytest.mark.parametrize("number", ["0243 826 1234", "+33 6 12 34 56 78", "12345", ""])
def test_a_number_that_is_not_a_vietnamese_mobile_is_refused(app, number):
    with pytest.raises(DomainError) as refused:
        normalize_phone(number)
    assert refused.value.field == "phone"
    assert "0912 345 678" in str(refused.value.message)


def test_a_learner_registers_in_a_commune_of_a_served_province(app):
    user = register_learner(
        "0912 000 111", " Lò  Văn Sáng ", area("P-A"), PASSWORD, provinces=[area("P")]
    )
    db.session.commit()
    stored = db.session.scalar(sa.select(User).where(User.phone == "+84912000111"))
    assert stored is user
    assert (user.role, user.name, user.area.code) == ("learner", "Lò Văn Sáng", "P-A")
    assert authenticate("0912000111", PASSWORD) is user


@pytest.mark.parametrize(("where", "served"), [("P", "P"), ("P-A", "Q"), (None, "P")])
def test_a_learner_outside_a_served_commune_is_refused(app, where, served):
    import_areas(b"code,name,kind,parent_code\nQ,T\xe1\xbb\x89nh Hai,province,\n")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        register_learner(
            "0912000111",
            "Lò Văn Sáng",
            where and area(where),
            PASSWORD,
            provinces=[area(served)],
        )
    assert refused.value.field == "area"
    db.session.rollback()
    assert count(User) == 0


def test_a_taken_number_in_another_spelling_is_refused_and_keeps_one_account(app):
    make_user(phone="0912000111")
    with pytest.raises(DomainError) as refused:
        register_learner("+84 912 000 111", "Người Khác", area("P-B"), PASSWORD)
    assert refused.value.field == "phone"
    db.session.rollback()
    assert count(User) == 1
    assert find_by_phone("0912000111").name == "Nguyễn Thị Hoa"


def test_sign_up_problems_are_all_reported_at_once(app):
    make_user(phone="0912000111")
    problems = signup_problems("0912 000 111", "   ", area("P"), "123")
    assert set(problems) == {"phone", "name", "area", "password"}
    taken = "This phone number is already registered. Sign in instead."
    assert str(problems["phone"]) == vi(taken)
    assert signup_problems("0912000222", "Lò Văn Sáng", area("P-A"), PASSWORD) == {}


def test_sign_in_refuses_a_wrong_password_and_a_disabled_account(app):
    admin = make_user(phone="0912000001", role="admin")
    farmer = make_user(phone="0912000002")
    assert authenticate("0912000002", PASSWORD) is farmer
    assert authenticate("0912000002", PASSWORD + "x") is None
    assert authenticate("0912000003", PASSWORD) is None
    version = farmer.session_version
    set_active(farmer, False, admin)
    db.session.commit()
    assert authenticate("0912000002", PASSWORD) is None
    assert farmer.session_version == version + 1  # signed out everywhere


def test_a_wrong_current_password_changes_nothing(app):
    farmer = make_user()
    before = (farmer.password_hash, farmer.session_version)
    with pytest.raises(DomainError) as refused:
        change_password(farmer, "not it at all", "một mật khẩu mới dài")
    assert refused.value.field == "current_password"
    db.session.rollback()
    assert (farmer.password_hash, farmer.session_version) == before
    change_password(farmer, PASSWORD, "một mật khẩu mới dài")
    db.session.commit()
    assert authenticate("0912345678", "một mật khẩu mới dài") is farmer
    assert authenticate("0912345678", PASSWORD) is None


def test_only_an_admin_moves_someone_to_another_area_and_it_is_audited(app):
    trainer = make_user(phone="0912000001", role="trainer")
    # An admin without an area manages the whole site (one with an area, only it).
    admin = make_user(phone="0912000002", role="admin", area=None)
    farmer = make_user(phone="0912000003")
    with pytest.raises(DomainError):
        set_area(farmer, area("P-B"), trainer)
    db.session.rollback()
    assert farmer.area.code == "P-A"
    set_area(farmer, area("P-B"), admin)
    db.session.commit()
    assert db.session.get(User, farmer.id).area.code == "P-B"
    moves = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.area")
    ).all()
    assert [(m.actor_id, m.subject_id, m.detail) for m in moves] == [
        (admin.id, farmer.id, {"from": "P-A", "to": "P-B"})
    ]
