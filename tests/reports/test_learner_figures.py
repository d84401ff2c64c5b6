"""The learner list, its exports and the overview agree with the certificates held."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.clock import utcnow
from lms.extensions import db
from lms.models import Certificate, Club
from lms.services.certificates import revoke
from tests.conftest import DATABASES
from tests.downloads import exported
from tests.helpers import page_figures, xlsx_sheets
from tests.reports.province import NAMES, user


def card(key, club_code):
    return db.session.scalar(
        sa.select(Certificate)
        .join(Club, Club.id == Certificate.club_id)
        .where(Certificate.user_id == user(key).id, Club.code == club_code)
    )


def clubs_by_name(rows):
    return {row[0]: row[-1] or "" for row in rows if row and row[0] in NAMES.values()}


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_club_columns_follow_cards_revocations_and_expiries(reader, province):
    # a1 holds KOC, revoked now; b1 holds KOC and KOL, its KOL expired yesterday.
    revoke(card("a1", "koc"), user("admin"), "Mượn tài khoản người khác")
    card("b1", "kol").expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    official = reader("official_p")

    expected = {
        NAMES["a1"]: "",
        NAMES["a2"]: "",
        NAMES["a3"]: "",
        NAMES["b1"]: "KOC",
        NAMES["b2"]: "",
    }
    csv_rows = list(
        csv.reader(
            io.StringIO(
                exported(official, "/reports/learners.csv").data.decode("utf-8-sig")
            )
        )
    )
    assert clubs_by_name(csv_rows) == expected
    sheet = xlsx_sheets(exported(official, "/reports/learners.xlsx").data)["Học viên"]
    assert clubs_by_name(sheet) == expected

    listed = official.get("/reports/learners").text
    assert listed.count("· KOC") == 1 and "· KOL" not in listed
    row_of_b1 = listed.split(NAMES["b1"])[1].split("</tr>")[0]
    assert "· KOC" in row_of_b1

    figures = official.get("/api/v1/reports/overview").json["figures"]
    assert figures["koc_members"]["value"] == 1
    assert figures["kol_members"]["value"] == 0
    shown = page_figures(official.get("/reports").text)
    assert "1" in shown.values()


def test_revoked_course_certificates_leave_the_count(reader, province):
    official = reader("official_p")
    before = official.get("/reports/learners").text
    row = before.split(NAMES["b1"])[1].split("</tr>")[0]
    assert "<td>2 · KOC · KOL</td>" in row
    course_card = db.session.scalar(
        sa.select(Certificate).where(
            Certificate.user_id == user("b1").id, Certificate.course_id.is_not(None)
        )
    )
    revoke(course_card, user("admin"), "Bài thực hành không phải của mình")
    db.session.commit()
    after = official.get("/reports/learners").text
    row = after.split(NAMES["b1"])[1].split("</tr>")[0]
    # One course certificate left; the KOL card needed the revoked one and went
    # with it (a card stands only on valid certificates).
    assert "<td>1" in row and "· KOL" not in row
