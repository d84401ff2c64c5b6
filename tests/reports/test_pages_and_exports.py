"""Pages, exports and tokens: the same numbers everywhere, nobody else's people."""

import csv
import io
import re

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.formats import masked_phone, phone_text
from lms.models import ApiToken, Area, AuditEvent
from lms.reports.export import neutralise
from tests.conftest import DATABASES, WriteLockProbe
from tests.downloads import exported
from tests.helpers import page_figures, xlsx_sheets
from tests.reports.province import NAMES, PHONES, area, user

# The other commune's people as a page or export could show them: names, the
# phone whole, grouped or masked (not three digits alone, which a file's
# fingerprint in a link may hold by chance), and its class.
B1_PHONE = "+84" + PHONES["b1"][1:]
OTHER_COMMUNE = [
    NAMES["b1"],
    NAMES["b2"],
    PHONES["b1"],
    B1_PHONE,
    phone_text(B1_PHONE),
    masked_phone(B1_PHONE),
    "Lớp Bình",
]


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_page_and_exports_show_the_same_numbers(app, reader):
    official = reader("official_p")
    query = "?period=90&club=koc"
    shown = page_figures(official.get(f"/reports{query}").text)
    sheets = xlsx_sheets(exported(official, f"/reports/export.xlsx{query}").data)
    figures = {row[0]: row[1] for row in sheets["Tổng quan"][1:]}
    assert len(shown) == 13
    assert shown == {k: "–" if v is None else str(v) for k, v in figures.items()}
    text = exported(official, f"/reports/export.csv{query}").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    for label, value in figures.items():
        assert [label, "" if value is None else str(value)] in [r[:2] for r in rows]


def test_a_commune_official_never_sees_the_other_commune(reader, province):
    official = reader("official_a")
    pages = [
        official.get("/reports").text,
        official.get("/reports/learners").text,
        exported(official, "/reports/learners.csv").data.decode("utf-8-sig"),
        exported(official, "/reports/export.csv").data.decode("utf-8-sig"),
        official.get("/api/v1/reports/areas").text,
        official.get("/api/v1/reports/overview").text,
    ]
    learners = exported(official, "/reports/learners.xlsx")
    for sheet in xlsx_sheets(learners.data).values():
        pages.append(repr(sheet))
    for text in pages:
        for secret in OTHER_COMMUNE:
            assert secret not in text
    assert NAMES["a1"] in pages[1] and NAMES["a2"] in pages[2]


def test_learner_list_masks_phones_for_officials_only(reader, province):
    listed = reader("official_a").get("/reports/learners").text
    assert "0913 *** *01" in listed and "0913 000 001" not in listed
    full = reader("admin").get(f"/reports/learners?area={area('P-A').id}").text
    assert "0913 000 001" in full


def test_exports_are_audited_and_neutralise_formulas(reader, province):
    province["a3"].name = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    official = reader("official_a")
    sheets = xlsx_sheets(exported(official, "/reports/learners.xlsx").data)
    names = [row[0] for row in sheets["Học viên"][1:]]
    # Stored as a text cell, so no spreadsheet runs it (tests/test_everyday_details).
    assert '=HYPERLINK("http://evil.example")' in names
    exported(official, "/reports/export.csv?period=7")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.export")
    ).all()
    assert [(e.detail["what"], e.detail["format"]) for e in events] == [
        ("learners", "xlsx"),
        ("report", "csv"),
    ]
    assert events[1].actor_id == user("official_a").id
    assert events[1].detail["filters"]["period"] == 7
    assert [neutralise(v) for v in ("+1", "-2", "@x", "\tx", "\rx", 5, -5)] == [
        "'+1",
        "'-2",
        "'@x",
        "'\tx",
        "'\rx",
        5,
        -5,
    ]


def test_an_official_without_an_area_is_national(reader, province):
    """No area means every province, deliberately (tests/test_provinces.py)."""
    official = reader("official_none")
    page = official.get("/reports")
    assert page.status_code == 200 and "Tỉnh Mẫu" in page.text
    overview = official.get("/api/v1/reports/overview")
    assert overview.status_code == 200 and overview.get_json()["area"] is None


def test_learners_and_trainers_cannot_read_reports(reader, province):
    for key in ("learner", "trainer"):
        client = reader(key)
        assert client.get("/reports").status_code == 403
        assert client.post("/reports/export.csv").status_code == 403
        assert client.get("/api/v1/reports/overview").status_code == 403
    assert reader(None).get("/api/v1/reports/overview").status_code == 401


def test_tokens_are_shown_once_kept_hashed_and_revocable(app, reader, province):
    official = reader("official_a")
    made = official.post("/reports/tokens", data={"name": "Bảng điều khiển tỉnh"})
    secret = re.search(r"lms_[A-Za-z0-9_-]{40,}", made.text).group(0)
    assert secret not in official.get("/reports/tokens").text
    stored = db.session.scalar(sa.select(ApiToken))
    assert secret not in (stored.token_hash, stored.hint) and stored.hint in secret

    program = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    answer = program.get("/api/v1/reports/overview", headers=headers)
    assert answer.status_code == 200
    assert answer.json["figures"]["learners"]["value"] == 3
    bad = program.get("/api/v1/reports/overview", headers={"Authorization": "Bearer x"})
    assert bad.status_code == 401

    other = reader("official_b")
    assert other.post(f"/reports/tokens/{stored.id}/revoke").status_code == 404
    official.post(f"/reports/tokens/{stored.id}/revoke")
    assert program.get("/api/v1/reports/overview", headers=headers).status_code == 401


def test_a_nameless_token_is_refused(reader, province):
    official = reader("official_a")
    response = official.post("/reports/tokens", data={"name": "  "})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_officials_land_on_their_report(app, province):
    from tests.conftest import sign_in

    response = sign_in(app.test_client(), phone=PHONES["official_a"])
    assert response.headers["Location"].endswith("/reports")


def test_the_api_document_describes_the_reports(reader, province):
    document = reader(None).get("/api/v1/openapi.json").json
    for part in ("overview", "areas", "courses", "trend"):
        path = document["paths"][f"/api/v1/reports/{part}"]["get"]
        assert {p["name"] for p in path["parameters"]} >= {"period", "course", "class"}
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_an_admin_places_an_official_in_an_area_from_the_command_line(app, reader):
    runner = app.test_cli_runner()
    refused = runner.invoke(
        args=["lms", "set-area", "--phone", PHONES["official_none"], "--area", "X"]
    )
    assert refused.exit_code != 0 and "X" in refused.output
    placed = runner.invoke(
        args=["lms", "set-area", "--phone", PHONES["official_none"], "--area", "P-B"]
    )
    assert placed.exit_code == 0, placed.output
    answer = reader("official_none").get("/api/v1/reports/overview")
    assert answer.json["figures"]["learners"]["value"] == 2


def test_exports_count_without_holding_the_write_lock(
    app, reader, province, monkeypatch
):
    """On a big province an export counts for seconds; on SQLite, holding the write
    lock meanwhile would make every farmer's write wait, then fail."""
    from lms.jobs import exports as reports

    build_report, learner_sheet = reports.build_report, reports.learner_sheet
    another_worker_writes = WriteLockProbe(app)

    def counting_report(*args):
        another_worker_writes()
        return build_report(*args)

    def counting_learners(*args):
        another_worker_writes()
        return learner_sheet(*args)

    monkeypatch.setattr(reports, "build_report", counting_report)
    monkeypatch.setattr(reports, "learner_sheet", counting_learners)
    official = reader("official_a")
    assert exported(official, "/reports/export.xlsx").status_code == 200
    assert exported(official, "/reports/learners.csv").status_code == 200
    assert another_worker_writes.answers == [True, True]
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "report.export")
        )
        == 2
    )


def test_areas_are_listed_in_vietnamese_order(reader, province):
    """Đ after D, not after Y; a commune's kind (Phường, Xã) does not sort it."""
    for code, name in [
        ("P-Y", "Xã Yên Định"),
        ("P-D", "Xã Đại Sơn"),
        ("P-C", "Phường Chũ"),
        ("P-K", "Phường Cảnh Thụy"),
        ("P-Z", "Xã Dương Hưu"),
    ]:
        db.session.add(Area(code=code, name=name, kind="commune", parent=area("P")))
    db.session.commit()
    official = reader("official_p")
    text = exported(official, "/reports/export.csv").data.decode("utf-8-sig")
    listed = [row[0] for row in csv.reader(io.StringIO(text)) if row]
    order = [
        "Xã An",
        "Xã Bình",
        "Phường Cảnh Thụy",
        "Phường Chũ",
        "Xã Dương Hưu",
        "Xã Đại Sơn",
        "Xã Yên Định",
    ]
    assert [name for name in listed if name in order] == order
    page = official.get("/reports").text
    assert [page.index(name) for name in order] == sorted(
        page.index(name) for name in order
    )


def test_a_trainers_draft_is_not_among_the_reported_courses(reader, province):
    """A course being written is nobody's figures yet; one unpublished again
    after farmers started it still is."""
    from lms.models import Course
    from lms.services.learning import enroll

    draft = Course(slug="dang-viet", title_vi="Khoá đang viết", summary_vi=".")
    draft.status = "draft"
    db.session.add(draft)
    started = db.session.scalar(sa.select(Course).where(Course.slug == "mini"))
    started.status = "draft"
    enroll(province["a1"], started)
    db.session.commit()
    page = reader("official_p").get("/reports").text
    assert "Khoá đang viết" not in page
    assert started.title_vi in page
