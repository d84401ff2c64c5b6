"""Password hashing (argon2id) and the sign-up password policy."""

import ctypes
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

# argon2id as the OWASP Password Storage cheat sheet sets it (m=19 MiB, t=2, p=1),
# within RFC 9106's ranges (section 4): about 20 ms of one core per sign-in,
# where the RFC's "low memory" profile (m=64 MiB, t=3, p=4) took ten times as
# much and a training day's sign-ins filled both cores. One lane: a sign-in
# never takes more than one core.
PARAMETERS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}

hasher = PasswordHasher(**PARAMETERS)

# glibc's malloc raises its mmap threshold to the largest block freed (up to
# 32 MiB): after a worker's first sign-in, argon2's 19 MiB came from the heap
# and stayed resident for good, about 20 MB more in every worker. Fixed at
# 4 MiB, a block that large is mapped for each hash and returned when it is
# done (Pillow's buffers for an uploaded photo too); smaller ones (Brotli's for
# each page) still come from the heap, which keeps up to 8 MiB free at its top
# rather than giving it back and faulting it in again on the next request.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MALLOC_SETTINGS = {M_MMAP_THRESHOLD: 4 << 20, M_TRIM_THRESHOLD: 8 << 20}


def return_large_blocks():
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):  # not glibc: its threshold does not move
        return
    for setting, value in MALLOC_SETTINGS.items():
        mallopt(setting, value)


return_large_blocks()


def configure(cheapest=False):
    """Hash with PARAMETERS, or as cheaply as argon2 allows (the test suite only)."""
    global hasher
    if cheapest:
        hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    else:
        hasher = PasswordHasher(**PARAMETERS)


@cache
def _common_passwords():
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def normalise(password):
    """One spelling of a password however it was typed: "ả" as one character or
    as "a" and a combining hook (phones and laptops differ), NFC."""
    return unicodedata.normalize("NFC", password)


def check_password_policy(password, phone=None, name=None):
    """Refuse short, overlong, common or guessable passwords; no composition rules."""
    password = normalise(password)
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


# Marks a hash of the NFC spelling. Hashes without it were made before passwords
# were normalised, of whatever spelling was typed then.
NFC_MARK = "nfc"


def hash_password(password):
    return NFC_MARK + hasher.hash(normalise(password))


def verify_password(password_hash, password):
    """Check a password in any Unicode spelling; a missing hash never matches.

    An older, unmarked hash is of the spelling typed back then: it matches the
    password typed composed (NFC), as typed, or decomposed (NFD); sign-in then
    hashes it again, marked (see needs_rehash).
    """
    if not password_hash:
        _waste_time(password)
        return False
    if password_hash.startswith(NFC_MARK):
        return _matches(password_hash.removeprefix(NFC_MARK), normalise(password))
    return any(_matches(password_hash, spelling) for spelling in _spellings(password))


def _spellings(password):
    nfc = normalise(password)
    return dict.fromkeys((nfc, password, unicodedata.normalize("NFD", password)))


def _matches(password_hash, password):
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    """True for a hash made with older parameters or before normalising."""
    if not password_hash.startswith(NFC_MARK):
        return True
    return hasher.check_needs_rehash(password_hash.removeprefix(NFC_MARK))


def _waste_time(password):
    """Spend what a real check costs, so timing does not tell who is registered."""
    hasher.hash(password)
