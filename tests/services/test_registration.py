"""Registering a training day's farmers from a CSV, called directly: all rows or
none, each farmer in the class with a one-time activation code."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import AccessCode, ClassMember, Enrollment, User
from lms.services.codes import code_hash
from lms.services.registration import (
    AlreadyRegistered,
    RegistrationError,
    register_from_csv,
)
from tests.helpers import count, make_user

CSV = "name,phone,area\nLò Văn Sáng,0912 100 001,P-A\nHà Thị Mai,84912100002,xã bình\n"


def test_every_farmer_gets_an_account_in_the_class_and_a_code(app, classroom, people):
    data = "\ufeff".encode() + CSV.encode()  # as Excel saves "CSV UTF-8"
    registered = register_from_csv(classroom, data, people["trainer"])
    db.session.commit()
    assert [(r.name, r.phone) for r in registered] == [
        ("Lò Văn Sáng", "+84912100001"),
        ("Hà Thị Mai", "+84912100002"),
    ]
    for farmer, commune in zip(registered, ("P-A", "P-B"), strict=True):
        user = db.session.scalar(sa.select(User).where(User.phone == farmer.phone))
        assert (user.role, user.area.code, user.active) == ("learner", commune, True)
        assert user.password_hash is None
        code = db.session.scalar(
            sa.select(AccessCode).where(AccessCode.user_id == user.id)
        )
        assert code.purpose == "activate"
        assert code.code_hash == code_hash(user.id, farmer.code)
        members = sa.select(ClassMember.classroom_id).where(
            ClassMember.user_id == user.id
        )
        assert db.session.scalars(members).all() == [classroom.id]
        courses = sa.select(Enrollment.course_id).where(Enrollment.user_id == user.id)
        assert db.session.scalars(courses).all() == [classroom.courses[0].id]


def test_one_bad_row_registers_nobody_and_names_its_line(app, classroom, people):
    before = count(User)
    data = CSV + "Không Số,12345,P-A\nTrùng Số,0912100001,P-A\nXa Lắm,0912100003,Z\n"
    with pytest.raises(RegistrationError) as refused:
        register_from_csv(classroom, data.encode(), people["trainer"])
    db.session.rollback()
    assert [line for line, _reason in refused.value.problems] == [4, 5, 6]
    assert "2" in str(refused.value.problems[1][1])  # the line it repeats
    assert count(User) == before
    assert count(AccessCode) == 0


def test_a_file_that_is_not_utf8_is_refused_with_how_to_save_it(app, classroom, people):
    with pytest.raises(RegistrationError) as refused:
        legacy = "name,phone,area\nLò Sáng,0912100001,P-A\n".encode("latin-1")
        register_from_csv(classroom, legacy, people["trainer"])
    assert [line for line, _reason in refused.value.problems] == [1]
    assert "UTF-8" in str(refused.value.problems[0][1])


def test_numbers_with_accounts_are_named_or_left_out_on_request(app, classroom, people):
    make_user(phone="0912100002", name="Hà Thị Mai Cũ")
    trainer = people["trainer"]
    with pytest.raises(AlreadyRegistered) as named:
        register_from_csv(classroom, CSV.encode(), trainer)
    db.session.rollback()
    # Not in the trainer's classes: the account's own name is not told, only
    # that it differs from the list's (a sign of a mistyped number).
    [found] = named.value.accounts
    assert (found.line, found.name, found.phone) == (3, "Hà Thị Mai", "+84912100002")
    assert found.account is None and found.other_name and not found.in_class
    assert named.value.others == 1
    assert count(AccessCode) == 0
    registered = register_from_csv(classroom, CSV.encode(), trainer, True)
    db.session.commit()
    assert [r.phone for r in registered] == ["+84912100001"]
    kept = db.session.scalar(sa.select(User).where(User.phone == "+84912100002"))
    assert kept.name == "Hà Thị Mai Cũ" and kept.password_hash is not None
