"""Certificate codes as people read, type and scan them."""

import functools
import re

from sqlalchemy import LABEL_STYLE_TABLENAME_PLUS_COL, and_, bindparam, select
from sqlalchemy.orm import joinedload

from lms.extensions import db
from lms.models import Area, Certificate, Club, Course, User

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


# What the check page shows, by the rows it reads: a change to any of these
# makes a new page (lms.views.ready_pages). tests/certificates/test_ready_pages.py
# changes every column of every one of these rows and fails if the page changes
# while this key does not.
CHECK_PAGE_SHOWS = {
    "card": ("code", "issued_at", "expires_at", "revoked_at", "revoked_reason"),
    "holder": ("name",),
    "commune": ("name",),
    "course": ("title_vi", "title_en"),
    "club": ("name_vi", "name_en"),
    "issuer": ("name", "issuer_name", "issuer_email", "issuer_phone", "issuer_url"),
    "cause": ("id",),  # a card revoked with its course certificate
    "cause_course": ("title_vi", "title_en"),
    "newer": ("code",),  # the card that replaced it
}


def check_page_rows(raw):
    """What the check page of the certificate ``raw`` names is made from
    (``CHECK_PAGE_SHOWS``), in one query, else None."""
    code = normalise_code(raw)
    if code is None:
        return None
    with db.engine.connect() as connection:
        # One statement sees one state of the database: on PostgreSQL no
        # transaction to begin and end around it, two round trips fewer a scan.
        # (SQLite's connections begin their own way: lms.database.)
        if connection.dialect.name != "sqlite":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection.execute(_check_page_rows(), {"code": code}).first()


@functools.cache
def _check_page_rows():
    card = Certificate.__table__.alias("card")
    holder = User.__table__.alias("holder")
    commune = Area.__table__.alias("commune")
    course = Course.__table__.alias("course")
    club = Club.__table__.alias("club")
    issuer = Area.__table__.alias("issuer")
    cause = Certificate.__table__.alias("cause")
    cause_course = Course.__table__.alias("cause_course")
    newer = Certificate.__table__.alias("newer")
    tables = (card, holder, commune, course, club, issuer, cause, cause_course, newer)
    joined = (
        card.join(holder, holder.c.id == card.c.user_id)
        .outerjoin(commune, commune.c.id == holder.c.area_id)
        .outerjoin(course, course.c.id == card.c.course_id)
        .outerjoin(club, club.c.id == card.c.club_id)
        .outerjoin(issuer, issuer.c.id == card.c.issuer_area_id)
        .outerjoin(cause, cause.c.id == card.c.revoked_cause_id)
        .outerjoin(cause_course, cause_course.c.id == cause.c.course_id)
        .outerjoin(
            newer,
            and_(
                newer.c.user_id == card.c.user_id,
                newer.c.club_id == card.c.club_id,
                newer.c.period == card.c.period + 1,
            ),
        )
    )
    shown = (table.c[name] for table in tables for name in CHECK_PAGE_SHOWS[table.name])
    return (
        select(*shown)
        .select_from(joined)
        .where(card.c.code == bindparam("code"))
        .set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL)
    )


def mask_phone(phone):
    """+84912345678 -> "+84 9x xxx xx78": enough to recognise, not to call."""
    national = phone.removeprefix("+84")
    return f"+84 {national[0]}x xxx xx{national[-2:]}"
