"""Certificate codes as people read, type and scan them."""

import re

from sqlalchemy import select

from lms.extensions import db
from lms.models import Certificate

_BASE32 = re.compile(r"^[A-Z2-7]{26}$")


def normalise_code(raw):
    """Return the canonical code for what someone typed or scanned, else None."""
    code = re.sub(r"[^A-Za-z0-9]", "", raw or "").upper()
    return code if _BASE32.match(code) else None


def display_code(code):
    """Group a code for reading from paper: ABCD-EFGH-…-YZ."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def find_certificate(raw):
    code = normalise_code(raw)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def mask_phone(phone):
    """+84912345678 -> "+84 9x xxx xx78": enough to recognise, not to call."""
    national = phone.removeprefix("+84")
    return f"+84 {national[0]}x xxx xx{national[-2:]}"
