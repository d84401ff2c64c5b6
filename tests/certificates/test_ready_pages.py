"""A check page scanned again and again is sent as made for the last visitor,
and never once anything it shows has changed (README "Performance")."""

import gzip
import secrets
from datetime import datetime, timedelta

import brotli
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms import clock
from lms.extensions import db
from lms.models import Area, Certificate
from lms.services.certificates import revoke
from tests.conftest import DATABASES
from tests.helpers import PHONES
from tests.test_page_queries import Queries

ENCODINGS = ["br", "gzip", ""]


def scan(client, code, encoding="br", lang=None):
    """What a buyer's phone gets: the status, the headers and the page's text."""
    if lang:
        client.set_cookie("lang", lang)
    response = client.get(f"/verify/{code}", headers={"Accept-Encoding": encoding})
    body = response.get_data()
    sent = response.headers.get("Content-Encoding")
    if sent == "br":
        body = brotli.decompress(body)
    elif sent == "gzip":
        body = gzip.decompress(body)
    headers = {
        k: v for k, v in response.headers.items() if k not in ("Date", "X-Request-ID")
    }
    return response.status_code, headers, body.decode()


def made_afresh(app, client, code, **asked):
    return pages_made_afresh(app, client, [code], **asked)[0]


def pages_made_afresh(app, client, codes, **asked):
    """The pages of ``codes`` made with no page kept (each then kept)."""
    if "check_pages" in app.extensions:  # none before the first scan
        app.extensions["check_pages"].clear()
    return [scan(client, code, **asked) for code in codes]


@pytest.fixture
def buyer(app):
    return app.test_client()


@pytest.fixture
def card(card):
    """The KOC card, valid for a year."""
    card.expires_at = clock.utcnow() + timedelta(days=365)
    db.session.commit()
    return card


@pytest.fixture(autouse=True)
def real_time():
    yield
    clock.reset()


@pytest.mark.parametrize("app", DATABASES, indirect=True)
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_kept_page_is_the_page_made_afresh(app, buyer, card, encoding):
    code = card.code
    first = scan(buyer, code, encoding)
    with Queries(db.engine) as statements:
        again = scan(buyer, code, encoding)
    assert len(statements) == 1  # the rows it is made from, read once
    assert again == first == made_afresh(app, buyer, code, encoding=encoding)
    assert first[0] == 200 and "Nguyễn Thị Ngọc Ánh" in first[2]
    assert first[1].get("Content-Encoding", "") == encoding
    assert "Set-Cookie" not in first[1]


def test_each_language_and_spelling_of_the_code_gets_its_own_page(app, buyer, card):
    vi = scan(buyer, card.code)
    en = scan(buyer, card.code, lang="en")
    assert "Certificate check" in en[2] and "Kiểm tra chứng nhận" in vi[2]
    assert scan(buyer, card.code, lang="en") == en
    assert scan(buyer, card.code, lang="vi") == vi
    # A code typed in lower case is the same card; its page's language switch
    # comes back to the address typed.
    typed = scan(buyer, card.code.lower())
    assert f"/verify/{card.code.lower()}" in typed[2] and "Nguyễn Thị" in typed[2]


def test_someone_signed_in_or_with_a_message_never_gets_a_kept_page(
    app, as_role, buyer, card
):
    scan(buyer, card.code)  # a page kept for visitors
    learner = as_role("learner")
    mine = scan(learner, card.code)[2]
    assert "Sign out" in mine or "Đăng xuất" in mine
    assert 'name="csrf-token"' in mine
    assert PHONES["learner"] not in mine
    assert "Đăng xuất" not in scan(buyer, card.code)[2]


# What can change under a kept page, each a step a test draws.
def rename_holder(card, name):
    card.user.name = name


def rename_commune(card, name):
    card.user.area.name = name


def name_the_issuer(card, name):
    card.issuer_area.issuer_name = name


def retitle_the_club(card, name):
    card.club.name_vi = name


def retitle_the_course(card, name):
    card.club.courses[0].title_vi = name


def revoke_it(card, name):
    if card.revoked_at is None:
        revoke(card, card.user, name)


def let_it_expire(card, _name):
    clock.travel(card.expires_at - clock.utcnow() + timedelta(minutes=1))


def renew_it(card, _name):
    newest = db.session.scalar(
        sa.select(sa.func.max(Certificate.period)).where(
            Certificate.user_id == card.user_id, Certificate.club_id == card.club_id
        )
    )
    db.session.add(
        Certificate(
            code=secrets.token_hex(13).upper()[:26],
            user_id=card.user_id,
            club_id=card.club_id,
            period=newest + 1,
            issuer_area_id=card.issuer_area_id,
        )
    )


STEPS = [
    rename_holder,
    rename_commune,
    name_the_issuer,
    retitle_the_club,
    retitle_the_course,
    revoke_it,
    let_it_expire,
    renew_it,
]
NAMES = (
    st.text("AĂÂBCDĐEÊ aăâbđêơư", min_size=1, max_size=12).map(str.strip).filter(bool)
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(STEPS), NAMES, st.sampled_from(["vi", "en"])),
        max_size=6,
    )
)
def test_after_any_change_the_next_scan_shows_it(app, buyer, card, steps):
    assert card.user.area is not None and card.issuer_area is not None
    scan(buyer, card.code)
    for step, name, lang in steps:
        step(card, name)
        db.session.commit()
        seen = scan(buyer, card.code, lang=lang)
        assert seen == made_afresh(app, buyer, card.code, lang=lang), step.__name__
        if step is rename_holder:
            assert name in seen[2]
    clock.reset()


def test_a_card_expiring_between_two_scans_says_so_on_the_second(app, buyer, card):
    assert "⏱" not in scan(buyer, card.code)[2]
    clock.travel(card.expires_at - clock.utcnow() + timedelta(seconds=1))
    assert "⏱" in scan(buyer, card.code)[2]


def test_a_province_renamed_shows_on_the_next_scan(app, buyer, card):
    province = db.session.get(Area, card.issuer_area_id)
    assert province.name in scan(buyer, card.code)[2]
    province.name = "Tỉnh Đổi Tên"
    db.session.commit()
    assert "Tỉnh Đổi Tên" in scan(buyer, card.code)[2]


def changed(value, column):
    """Another value of the same kind and length, or None if there is none to try."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, datetime):
        return value + timedelta(days=1, seconds=1)
    if isinstance(value, str) and value:
        return value[:-1] + ("Z" if value[-1] != "Z" else "Y")
    if value is None and isinstance(column.type, sa.String):
        return "Đổi"
    if value is None and isinstance(column.type, sa.DateTime):
        return clock.utcnow() + timedelta(days=400)
    return None


# Columns that link rows rather than describe them, as foreign keys do: a
# certificate's code is its address, an area's path the ids above it.
LINKS = {"code", "path"}


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_whatever_column_changes_the_page_changes_the_kept_page(app, buyer, card):
    """Every column of every row the page reads is changed in turn: if the page
    made afresh differs, so must the page a scan gets (CHECK_PAGE_SHOWS)."""
    course_certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.club_id.is_(None))
    )
    revoke(course_certificate, card.user, "Bài thi do người khác làm hộ")
    renew_it(card, None)
    db.session.commit()
    newer = db.session.scalar(
        sa.select(Certificate).where(Certificate.period == card.period + 1)
    )
    rows = [
        card,
        card.user,
        card.user.area,
        card.club,
        card.issuer_area,
        course_certificate,
        course_certificate.course,
        newer,
    ]
    codes = [card.code, course_certificate.code]
    first = pages_made_afresh(app, buyer, codes)  # and kept
    assert "✗" in first[0][2] and newer.code in first[0][2]
    tried = 0
    for row in rows:
        mapper = sa.inspect(type(row))
        for column in mapper.columns:
            if column.primary_key or column.foreign_keys or column.key in LINKS:
                continue
            value = changed(getattr(row, column.key), column)
            if value is None:
                continue
            setattr(row, column.key, value)
            try:
                db.session.commit()
            except sa.exc.DBAPIError:  # a constraint refuses it: not a state to show
                db.session.rollback()
                continue
            tried += 1
            seen = [scan(buyer, code) for code in codes]
            assert seen == pages_made_afresh(app, buyer, codes), column
    assert tried > 50  # of 79 columns: the rest link rows, or no value is allowed
