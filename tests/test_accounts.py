"""Phone numbers and passwords: the rules a farmer meets at sign-up."""

import pytest

from lms.services import DomainError
from lms.services.accounts import normalize_phone
from lms.services.passwords import check_password_policy, hash_password, verify_password


@pytest.mark.parametrize(
    "raw",
    ["0912 345 678", "0912345678", "84912345678", "+84 912 345 678", "+84-912-345-678"],
)
def test_common_spellings_become_e164(raw):
    assert normalize_phone(raw) == "+84912345678"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345",
        "0912 345",  # too short
        "0241 234 567",  # a Hà Nội landline, not a mobile
        "+1 650 253 0000",  # not Vietnamese
        "09123456789999",
        "số điện thoại",
    ],
)
def test_other_numbers_are_refused_with_an_example(raw):
    with pytest.raises(DomainError) as raised:
        normalize_phone(raw)
    assert raised.value.field == "phone"
    assert "0912 345 678" in str(raised.value.message)


@pytest.mark.parametrize(
    "password",
    ["short7!", "12345678", "password", "PASSWORD", "anhyeuem", "aaaaaaaaaaaa"],
)
def test_short_common_and_repeated_passwords_are_refused(password):
    with pytest.raises(DomainError):
        check_password_policy(password)


def test_phone_number_and_name_are_refused_as_passwords():
    with pytest.raises(DomainError):
        check_password_policy("0912345678", phone="+84912345678")
    with pytest.raises(DomainError):
        check_password_policy("nguyenvantung", name="Nguyễn Văn Tùng")
    with pytest.raises(DomainError):
        check_password_policy("Đỗ Thị Đào", name="đỗ thị đào")


def test_long_passphrases_with_any_characters_are_accepted():
    check_password_policy("vải thiều lục ngạn chín đỏ")  # no composition rules
    check_password_policy("x" * 7 + "y")


def test_no_truncation_and_argon2id():
    long = "a long passphrase about lychees " * 4
    hashed = hash_password(long)
    assert hashed.startswith("nfc$argon2id$")
    assert verify_password(hashed, long)
    assert not verify_password(hashed, long[:-1])
    assert not verify_password(hashed, long[:72])
