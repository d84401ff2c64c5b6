"""Small things a farmer, a trainer or an official meets on every visit (issue 21)."""

import csv
import io
import re

import openpyxl
import pytest
import segno
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Area, Classroom
from lms.services.classes import create_class
from tests.conftest import PASSWORD
from tests.downloads import exported
from tests.quiz_pages import fill
from tests.reports.province import area


def text(response):
    return response.get_data(as_text=True)


def header(html):
    return html.split("</header>")[0]


# Farmer


def test_every_unanswered_question_is_outlined(signed_in, mini_course):
    response = signed_in.post("/courses/mini/quiz", data=fill(signed_in, "mini", {}))
    html = text(response)
    assert response.status_code == 400
    assert html.count('class="question has-error"') == 2
    assert html.count("Chưa trả lời") == 2


def test_only_the_unanswered_questions_are_outlined(signed_in, mini_course):
    answered = fill(signed_in, "mini", {"sprayed": "a"})
    html = text(signed_in.post("/courses/mini/quiz", data=answered))
    assert html.count('class="question has-error"') == 1
    assert 'aria-describedby="before-live-error"' in html
    assert 'aria-describedby="sprayed-error"' not in html


def test_offline_page_never_offers_to_sign_in(client, signed_in):
    # The service worker keeps a copy fetched signed out and shows it to anyone.
    for browser in (client.application.test_client(), signed_in):
        html = text(browser.get("/offline"))
        assert 'href="/login"' not in header(html)
        assert "Đăng nhập" not in header(html)
        assert 'href="/me/learning"' in header(html)


def test_card_page_shows_a_qr_code_of_its_check_page(as_role, card):  # noqa: F811
    html = text(as_role("learner").get("/me/certificates"))
    url = f"http://localhost/verify/{card.code}"
    drawn = re.search(r'<svg role="img"[^>]*class="qr-card".*?</svg>', html, re.S)
    assert drawn, "no QR code on the card's page"
    expected = io.BytesIO()
    segno.make(url, error="m").save(expected, kind="svg", border=2, nl=False)
    path = re.search(r' d="([^"]+)"', expected.getvalue().decode()).group(1)
    assert f'd="{path}"' in drawn.group(0)
    assert "Mã QR" in drawn.group(0)  # named for screen readers


def test_verify_page_shows_its_own_qr_code_unless_revoked(as_role, card):  # noqa: F811
    assert 'class="qr-card"' in text(as_role(None).get(f"/verify/{card.code}"))
    card.revoked_at = card.issued_at
    card.revoked_reason = "Sai thông tin"
    db.session.commit()
    assert 'class="qr-card"' not in text(as_role(None).get(f"/verify/{card.code}"))


def test_badge_wallet_jargon_is_behind_more_and_explained(as_role, card):  # noqa: F811
    html = text(as_role("learner").get("/me/certificates"))
    assert "ví huy hiệu" not in html
    more = html.split('<details class="more">')[1].split("</details>")[0]
    assert f"/certificates/{card.code}/badge.png" in more
    assert f"/certificates/{card.code}/badge.png" not in html.replace(more, "")
    assert "Thêm" in more and "Badgr" in more


def test_photo_shrinking_fallback_is_allowed_by_the_csp(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    img_src = next(d for d in csp.split(";") if d.strip().startswith("img-src"))
    assert "blob:" in img_src.split()
    assert "'unsafe-inline'" not in csp


def test_too_large_page_says_the_limit_and_leads_back_to_the_form(
    app, signed_in, mini_course
):
    app.config["MAX_CONTENT_LENGTH"] = 2 << 20
    response = signed_in.post(
        "/language",
        data={"next": "y" * (3 << 20)},
        headers={"Referer": "http://localhost/courses/mini/practical?tab=1"},
    )
    html = text(response)
    assert response.status_code == 413
    assert "2 MB" in html
    assert 'href="/courses/mini/practical?tab=1"' in html
    assert 'class="button" href="/courses"' not in html


def test_too_large_page_ignores_another_sites_referer(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(
        "/login", data={"x": "y" * 5000}, headers={"Referer": "https://evil.example/x"}
    )
    assert 'href="/login"' in text(response)
    assert "evil.example" not in text(response)


# Trainer and official


def test_signing_up_from_a_join_link_preselects_the_class_commune(
    client, classroom, people
):
    join = f"/join/{classroom.join_code}"
    html = text(client.get(f"/signup?next={join}"))
    commune = db.session.scalar(sa.select(Area.id).where(Area.code == "P-A"))
    assert re.search(rf'<option selected value="{commune}"', html)
    plain = text(client.get("/signup"))
    assert not re.search(r"<option[^>]* selected[^>]* value=\"\d", plain)


def test_after_signing_up_from_a_join_link_the_next_step_is_named(client, classroom):
    join = f"/join/{classroom.join_code}"
    commune = db.session.scalar(sa.select(Area.id).where(Area.code == "P-A"))
    response = client.post(
        f"/signup?next={join}",
        data={
            "phone": "0987 654 321",
            "name": "Lò Văn Sáng",
            "area": commune,
            "password": PASSWORD,
        },
        follow_redirects=True,
    )
    html = text(response)
    assert response.request.path == join
    flashed = re.search(r'<p class="flash[^>]*>([^<]*)</p>', html).group(1)
    assert "Lò Văn Sáng" in flashed and "“Tham gia lớp này”" in flashed
    assert "Hãy chọn một khoá học" not in flashed


def test_reset_code_leads_back_to_the_class(as_role, classroom, people):
    trainer = as_role("trainer")
    roster = text(trainer.get(f"/teach/classes/{classroom.id}"))
    action = re.search(
        rf'action="(/teach/learners/{people["learner"].id}/reset-code[^"]*)"', roster
    ).group(1)
    html = text(trainer.post(action.replace("&amp;", "&")))
    assert f'href="/teach/classes/{classroom.id}"' in html
    assert "Quay lại Lớp Xã An" in html


def test_reset_code_from_someone_elses_class_goes_back_to_teaching(
    as_role, classroom, people
):
    theirs = create_class(
        people["other_trainer"], "Lớp khác", None, "", None, classroom.courses
    )
    db.session.commit()
    html = text(
        as_role("trainer").post(
            f"/teach/learners/{people['learner'].id}/reset-code?class_id={theirs.id}"
        )
    )
    assert f"/teach/classes/{theirs.id}" not in html
    assert 'href="/teach"' in html and "Lớp khác" not in html


def test_question_editor_shows_every_problem_at_once(as_role, owned_course):
    response = as_role("trainer").post(
        "/teach/courses/mini/quiz/questions/new",
        data={"choices-0-text_vi": "Chỉ một lựa chọn"},
    )
    html = text(response)
    assert response.status_code == 400
    for message in (
        "Hãy viết câu hỏi bằng tiếng Việt.",
        "Hãy đưa ra từ 2 đến 6 lựa chọn.",
        "Hãy đánh dấu ít nhất một đáp án đúng.",
        "Hãy giải thích đáp án đúng.",
    ):
        assert message in html, message


def test_question_editor_still_saves_a_good_question(as_role, owned_course):
    response = as_role("trainer").post(
        "/teach/courses/mini/quiz/questions/new",
        data={
            "text_vi": "Nên quay ở đâu?",
            "choices-0-text_vi": "Trong bóng râm",
            "choices-0-correct": "y",
            "choices-1-text_vi": "Ngược nắng",
            "explanation_vi": "Bóng râm cho ánh sáng dịu.",
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("query", "said"),
    [("area={other}", "nằm ngoài địa bàn"), ("class={other_class}", "không thuộc")],
)
def test_an_area_out_of_reach_is_said_to_be_outside(reader, province, query, said):
    other_class = db.session.scalar(
        sa.select(Classroom.id).where(Classroom.area_id == area("P-B").id)
    )
    url = "/reports?" + query.format(other=area("P-B").id, other_class=other_class)
    response = reader("official_a").get(url)
    html = text(response)
    assert response.status_code == 404
    assert said in html and "Xã An" in html
    assert "Không tìm thấy trang" not in html
    if query.startswith("area"):  # a commune has no communes in it to speak of
        assert "Xã An và các xã trong đó" not in html
        province_wide = text(reader("official_p").get("/reports?area=999999"))
        assert "và các xã trong đó" in province_wide


def test_excel_export_shows_masked_phones_as_typed(reader, province):
    province["a3"].name = "=HYPERLINK(1)"
    db.session.commit()
    data = exported(reader("official_a"), "/reports/learners.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Học viên"]
    rows = list(sheet.iter_rows(min_row=2))
    phones = [row[1].value for row in rows]
    assert phones and all(re.fullmatch(r"0\d{3} \*\*\* \*\d\d", p) for p in phones)
    named = [row[0] for row in rows if row[0].value == "=HYPERLINK(1)"]
    assert named and named[0].data_type == "s"  # text, never a formula


def test_excel_export_reads_as_a_table(reader, province):
    """Bold headings kept in view while scrolling, columns wide enough for
    them; the filters sheet is labels and values, with no heading row."""
    data = exported(reader("official_a"), "/reports/learners.xlsx").data
    book = openpyxl.load_workbook(io.BytesIO(data))
    learners = book["Học viên"]
    assert learners.freeze_panes == "A2"
    heading = next(learners.iter_rows(max_row=1))
    assert all(cell.font.bold for cell in heading)
    assert not any(cell.font.bold for cell in next(learners.iter_rows(min_row=2)))
    for cell in heading:
        width = learners.column_dimensions[cell.column_letter].width
        assert width >= min(len(cell.value), 43), cell.value
    filters = book["Bộ lọc"]
    assert filters.freeze_panes is None
    assert [row[0].font.bold for row in filters.iter_rows()] == [True] * filters.max_row
    assert not any(row[1].font.bold for row in filters.iter_rows())


def test_csv_export_says_its_charset_once(reader, province):
    response = exported(reader("official_a"), "/reports/learners.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert any(row and row[0] for row in rows)


def test_export_buttons_are_spaced_in_one_row(reader, province):
    html = text(reader("official_a").get("/reports"))
    actions = html.split('<div class="actions">')[1].split("</div>")[0]
    assert actions.count("<form") == 2 and "<p" not in actions


def test_new_course_and_class_forms_say_every_problem_at_once(as_role, people):
    trainer = as_role("trainer")
    course = text(trainer.post("/teach/courses/new", data={"minutes": "abc"}))
    for said in (
        "Hãy nhập tiêu đề tiếng Việt.",
        "Hãy viết một đoạn tóm tắt ngắn bằng tiếng Việt",
        "Hãy nhập một số nguyên.",
    ):
        assert said in course, said
    assert "từ 1 đến 2000" not in course  # "not a number" said once, not twice
    out_of_range = text(trainer.post("/teach/courses/new", data={"minutes": "0"}))
    assert "Hãy nhập số phút từ 1 đến 2000." in out_of_range
    classroom = text(trainer.post("/teach/classes/new", data={}))
    for said in ("Hãy đặt tên cho lớp học.", "Hãy chọn ít nhất một khoá học."):
        assert said in classroom, said
