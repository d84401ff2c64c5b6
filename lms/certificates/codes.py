"""Certificate codes as people read, type and scan them."""

import functools
import re

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from lms.extensions import db
from lms.models import Certificate, User

_BASE32 = re.compile(r"^[A-Z2-7]{26}$")
_LOOKALIKES = str.maketrans("018", "OIB")


def normalise_code(raw):
    """Return the canonical code for what someone typed or scanned, else None.

    The whole check link pasted from a chat (".../verify/ABCD...") counts as
    its code: a buyer sent the link has no other.
    """
    raw = raw or ""
    if "/verify/" in raw:
        raw = re.split(r"[?#]", raw.rsplit("/verify/", 1)[1])[0]
    code = re.sub(r"[^A-Za-z0-9]", "", raw).upper()
    # Codes have no 0, 1 or 8 (letters A-Z and digits 2-7): read off paper,
    # they were the letters that look like them.
    code = code.translate(_LOOKALIKES)
    return code if _BASE32.match(code) else None


def display_code(code):
    """Group a code for reading from paper: ABCD-EFGH-…-YZ."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def find_certificate(raw, with_what_it_shows=False):
    """The certificate with the code ``raw`` names, else None.

    :param with_what_it_shows: load in the same query what its page shows (the
        holder and their commune, the course or club, the issuer, the revoked
        course certificate that revoked a card) instead of one query each.
    """
    code = normalise_code(raw)
    if code is None:
        return None
    statement = _shown() if with_what_it_shows else _plain()
    return db.session.scalar(statement, {"code": code})


@functools.cache
def _plain():
    return select(Certificate).where(Certificate.code == bindparam("code"))


@functools.cache
def _shown():
    return _plain().options(
        joinedload(Certificate.user).joinedload(User.area),
        joinedload(Certificate.course),
        joinedload(Certificate.club),
        joinedload(Certificate.issuer_area),
        joinedload(Certificate.revoked_cause).joinedload(Certificate.course),
    )


def mask_phone(phone):
    """+84912345678 -> "+84 9x xxx xx78": enough to recognise, not to call."""
    national = phone.removeprefix("+84")
    return f"+84 {national[0]}x xxx xx{national[-2:]}"
