"""Password hashing (argon2id) and the sign-up password policy."""

import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from lms.services import DomainError

MIN_LENGTH = 8
MAX_LENGTH = 256  # long passphrases are welcome; a megabyte is not a password
COMMON_PASSWORDS = (
    Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
)

hasher = PasswordHasher()  # argon2id with the RFC 9106 low-memory parameters


def use_cheapest_hashing():
    """Make hashing fast for the test suite; never in production."""
    global hasher
    hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)


@cache
def _common_passwords():
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def check_password_policy(password, phone=None, name=None):
    """Refuse short, overlong, common or guessable passwords; no composition rules."""
    if len(password) < MIN_LENGTH:
        raise DomainError(
            _l("Use at least %(n)d characters.", n=MIN_LENGTH), field="password"
        )
    if len(password) > MAX_LENGTH:
        raise DomainError(
            _l("Use at most %(n)d characters.", n=MAX_LENGTH), field="password"
        )
    folded = password.casefold()
    digits = "".join(c for c in password if c.isdigit())
    if folded in _common_passwords() or len(set(folded)) == 1:
        raise DomainError(
            _l("This password is too common and easy to guess. Choose another."),
            field="password",
        )
    if phone and digits and len(digits) >= 8 and digits[-8:] == phone[-8:]:
        raise DomainError(
            _l("Do not use your phone number as your password."), field="password"
        )
    if name and _plain(password) == _plain(name):
        raise DomainError(
            _l("Do not use your name as your password."), field="password"
        )


def _plain(text):
    """Fold case, accents and spaces: "Nguyễn Văn Tùng" -> "nguyenvantung"."""
    text = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c) and not c.isspace())


def hash_password(password):
    return hasher.hash(password)


def verify_password(password_hash, password):
    """Check a password; a missing hash (account not activated) never matches."""
    if not password_hash:
        _waste_time(password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return hasher.check_needs_rehash(password_hash)


def _waste_time(password):
    """Spend what a real check costs, so timing does not tell who is registered."""
    hasher.hash(password)
