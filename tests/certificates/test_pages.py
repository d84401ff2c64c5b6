"""Where certificates appear: verify page, PDF, my pages, the club roster, admin."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.certificates.codes import display_code
from lms.clock import utcnow
from lms.extensions import db
from lms.models import AuditEvent, Certificate, Club
from tests.helpers import PHONES


def text(response):
    return response.get_data(as_text=True)


def test_verify_page_shows_who_what_when_and_status(as_role, card):
    html = text(as_role(None).get(f"/verify/{card.code}"))
    assert "Nguyễn Thị Ngọc Ánh" in html
    # Nothing of the phone number, not even a few digits of it.
    assert "+84" not in html and "xx01" not in html
    assert PHONES["learner"][-4:] not in html
    assert "CLB KOC" in html and "✓" in html
    assert display_code(card.code) in html
    # Issued in the holder's province, which named no issuer: the site's name
    # with the province's, never another province's.
    assert "Học viện Số cho Nhà nông – Tỉnh Mẫu" in html and "Bắc Ninh" not in html


def test_a_buyers_scan_sets_no_cookie_and_starts_no_session(app, as_role, card):
    # A public page with no form of its own: nothing to remember the buyer by.
    app.config["WTF_CSRF_ENABLED"] = True
    response = as_role(None).get(f"/verify/{card.code}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert 'name="csrf-token"' not in text(response)
    # The language buttons still work for the buyer, without a token.
    switched = as_role(None).post("/language", data={"lang": "en", "next": "/"})
    assert switched.status_code == 302 and "lang=en" in switched.headers["Set-Cookie"]


def misread(code):
    """The code as read off paper by someone who took O, I and B for digits."""
    return code.replace("O", "0").replace("I", "1").replace("B", "8")


@pytest.mark.parametrize(
    "spell",
    [str.lower, display_code, lambda code: " " + display_code(code).lower(), misread],
)
def test_code_typed_from_paper_in_any_spelling_works(as_role, card, spell):
    assert as_role(None).get(f"/verify/{spell(card.code)}").status_code == 200


def test_unknown_malformed_long_or_mutated_codes_are_a_plain_404(as_role, card):
    client = as_role(None)
    mutated = ("A" if card.code[5] != "A" else "B").join([card.code[:5], card.code[6:]])
    for code in ["NOPE", "0" * 26, card.code + "A", "x" * 5000, mutated, "%00", "1"]:
        response = client.get(f"/verify/{code}")
        assert response.status_code == 404, code
        assert card.user.name not in text(response)


def test_unknown_code_says_no_certificate_has_it_and_offers_the_box(as_role, card):
    client = as_role(None)
    typed = client.post("/verify", data={"code": "abcd-efgh-2345"})
    wellformed = card.code[:-1] + ("A" if card.code[-1] != "A" else "B")
    response = client.get(f"/verify/{display_code(wellformed)}")
    assert typed.status_code == response.status_code == 404
    assert 'value="abcd-efgh-2345"' in text(typed)
    page = text(response)
    assert "Không có chứng nhận nào mang mã này" in page
    assert "gõ nhầm" in page and "giả" in page
    assert 'action="/verify"' in page and display_code(wellformed) in page
    assert "Không tìm thấy trang" not in page  # not the generic "page not found"
    assert card.user.name not in page


def test_typing_a_code_leads_to_its_page(as_role, card):
    response = as_role(None).post("/verify", data={"code": display_code(card.code)})
    assert response.status_code == 302
    assert as_role(None).get(response.headers["Location"]).status_code == 200


def test_the_whole_link_pasted_from_a_chat_is_taken_for_its_code(as_role, card):
    """A buyer sent the check link on Zalo pastes all of it into the box."""
    for pasted in (
        f"http://localhost/verify/{card.code}",
        f" https://hocvien.example.vn/verify/{display_code(card.code)}?utm=zalo#top ",
    ):
        response = as_role(None).post("/verify", data={"code": pasted})
        assert response.location == f"/verify/{card.code}", pasted
    elsewhere = as_role(None).post("/verify", data={"code": "http://a.vn/x/NOPE"})
    assert elsewhere.status_code == 404


def test_an_empty_box_asks_for_the_code_and_says_nothing_was_not_found(as_role):
    page = text(as_role(None).post("/verify", data={"code": "  "}))
    assert "Hãy nhập mã in trên chứng nhận" in page
    assert "Không tìm thấy chứng nhận" not in page


def test_certificate_appears_on_my_pages_straight_away(as_role, card):
    learner = as_role("learner")
    assert "CLB KOC" in text(learner.get("/me/learning"))
    mine = text(learner.get("/me/certificates"))
    assert f"/verify/{card.code}" in mine and f"/certificates/{card.code}.pdf" in mine
    assert "data-share=" in mine  # the phone's share sheet, or copy link
    import re

    # Every download says how big it is, for farmers paying for their data.
    assert len(re.findall(r" · (khoảng )?\d+ KB</a>", mine)) == 4  # PDF and badge, two
    # The address that names the learner in badges, for a badge wallet.
    recipient = f"/badges/recipients/{card.user.badge_recipient_id}"
    assert f"http://localhost{recipient}</code>" in mine


def test_pdf_is_served_and_says_expired_when_expired(as_role, card):
    response = as_role(None).get(f"/certificates/{card.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_revoking_a_course_certificate_says_what_goes_with_it(as_role, card):
    """The confirmation names the club cards revoked with the course
    certificate, and says it can be reinstated (it can)."""
    course_certificate = db.session.scalar(
        sa.select(Certificate).where(
            Certificate.user_id == card.user_id, Certificate.course_id.is_not(None)
        )
    )
    asked = text(
        as_role("admin").post(
            f"/admin/certificates/{course_certificate.code}/revoke",
            data={"reason": "Nhầm người"},
        )
    )
    assert "CLB KOC" in asked and "khôi phục" in asked
    assert "Không thể hoàn tác" not in asked
    assert course_certificate.revoked_at is None  # only asked


def test_revoking_flips_every_surface(as_role, card, people):
    admin = as_role("admin")
    refused = admin.post(
        f"/admin/certificates/{card.code}/revoke", data={"reason": " "}
    )
    assert refused.status_code == 302 and card.revoked_at is None
    admin.post(
        f"/admin/certificates/{card.code}/revoke",
        data={"reason": "Bán hàng giả mạo nguồn gốc", "confirmed": "yes"},
    )
    db.session.refresh(card)
    assert card.revoked_at is not None
    page = text(as_role(None).get(f"/verify/{card.code}"))
    assert "✗" in page and "Bán hàng giả mạo nguồn gốc" in page
    assert as_role(None).get(f"/certificates/{card.code}.pdf").status_code == 410
    mine = text(as_role("learner").get("/me/certificates"))
    assert f"/certificates/{card.code}.pdf" not in mine
    people["learner"].listed_publicly = True
    db.session.commit()
    assert "Nguyễn Thị Ngọc Ánh" not in text(as_role(None).get("/clubs/koc"))
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "certificate.revoke")
    )
    assert event.detail["reason"] == "Bán hàng giả mạo nguồn gốc"


def test_expired_card_says_so_and_leaves_the_roster(as_role, card, people):
    people["learner"].listed_publicly = True
    card.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    page = text(as_role(None).get(f"/verify/{card.code}"))
    assert "⏱" in page
    assert "Nguyễn Thị Ngọc Ánh" not in text(as_role(None).get("/clubs/koc"))
    import re

    mine = text(as_role("learner").get("/me/learning"))
    koc = re.search(r'CLB KOC</a>\s*<span class="meta">([^<]*)<', mine).group(1)
    assert "✓" not in koc and koc.strip()


def test_club_roster_lists_only_members_who_opted_in(as_role, card, people):
    roster = as_role(None)
    assert "Nguyễn Thị Ngọc Ánh" not in text(roster.get("/clubs/koc"))  # off by default
    learner = as_role("learner")
    learner.post("/me/profile", data={"listed_publicly": "y"})
    html = text(roster.get("/clubs/koc"))
    assert "Nguyễn Thị Ngọc Ánh" in html and f"/verify/{card.code}" in html
    assert PHONES["learner"][1:] not in html
    learner.post("/me/profile", data={"listed_publicly": ""})  # box unticked
    assert "Nguyễn Thị Ngọc Ánh" not in text(roster.get("/clubs/koc"))


def test_a_big_club_is_listed_a_page_at_a_time(as_role, card, people):
    """Every listed member is on one page or the next, in name order, none
    twice; a page past the end is not found."""
    from lms.services.certificates import new_code
    from tests.conftest import make_user

    club = card.club
    for n in range(60):
        member = make_user(phone=f"0913 500 {n:03d}", name=f"Thành viên {n:02d}")
        member.listed_publicly = True
        db.session.add(
            Certificate(code=new_code(), user_id=member.id, club=club, period=1)
        )
    db.session.commit()
    visitor = as_role(None)
    first, second = (text(visitor.get(f"/clubs/koc?page={n}")) for n in (1, 2))
    names = re.findall(r"<strong>(Thành viên \d\d)</strong>", first + second)
    assert names == [f"Thành viên {n:02d}" for n in range(60)]
    assert 'href="/clubs/koc?page=2"' in first and 'href="/clubs/koc"' in second
    assert visitor.get("/clubs/koc?page=3").status_code == 404


def test_admin_edits_club_rules(as_role, card, owned_course):
    admin = as_role("admin")
    assert admin.get("/admin/clubs/koc").status_code == 200
    response = admin.post(
        "/admin/clubs/koc",
        data={"courses": [str(owned_course.id)], "valid_months": "24"},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Club.valid_months)) == 24
    assert admin.post("/admin/clubs/koc", data={"valid_months": "5"}).status_code == 400


def test_admin_finds_certificates_by_code_or_phone(as_role, card):
    admin = as_role("admin")
    assert display_code(card.code) in text(
        admin.get(f"/admin/certificates?q={card.code}")
    )
    by_phone = text(admin.get(f"/admin/certificates?q={PHONES['learner']}"))
    assert display_code(card.code) in by_phone


def test_verification_is_rate_limited(app, config, card):
    from lms import create_app

    limited = create_app(
        config
        | {
            "RATELIMIT_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    limited.test_client_class = app.test_client_class
    client = limited.test_client()
    statuses = [client.get(f"/verify/NOPE{n}").status_code for n in range(61)]
    assert statuses[:60] == [404] * 60 and statuses[60] == 429


def test_my_certificates_gives_sizes_without_making_every_file(as_role, card):
    """The PDFs are not rendered nor the badges baked to say how big they are:
    the badge's size is exact, the PDF's the size of a typical one."""
    import re

    from lms.certificates.pdf import _render
    from lms.content.render import size_text

    learner = as_role("learner")
    learner.get("/me/certificates")  # a typical PDF, once for the process
    _render.cache_clear()
    mine = text(learner.get("/me/certificates"))
    assert _render.cache_info().misses == 0  # no certificate's PDF was drawn
    pdf = re.search(rf'{card.code}\.pdf">[^<]* · khoảng (\d+) KB</a>', mine)
    badge = re.search(rf"{card.code}/badge\.png\">[^<]* · ([^<]+)</a>", mine)
    real_pdf = learner.get(f"/certificates/{card.code}.pdf").data
    real_badge = learner.get(f"/certificates/{card.code}/badge.png").data
    assert abs(int(pdf.group(1)) - len(real_pdf) / 1024) <= 3
    assert badge.group(1) == size_text(len(real_badge))


def test_a_name_mistyped_at_sign_up_is_corrected_until_a_certificate_names_it(
    as_role, people, owned_course
):
    learner = as_role("learner")
    fixed = learner.post(
        "/me/profile", data={"name": "  Nguyễn   Thị Ngọc Ánh ", "listed_publicly": ""}
    )
    assert fixed.status_code == 302
    assert db.session.get(type(people["learner"]), people["learner"].id).name == (
        "Nguyễn Thị Ngọc Ánh"
    )
    change = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.name")
    )
    assert change.detail["to"] == "Nguyễn Thị Ngọc Ánh"
    empty = learner.post("/me/profile", data={"name": " \u200b "})
    assert empty.status_code == 400 and "Hãy nhập tên" in text(empty)

    from tests.helpers import finish

    finish(people["learner"], owned_course)  # a certificate names them now
    page = text(learner.get("/me/profile"))
    assert 'name="name"' not in page and "quản trị viên" in page
    learner.post("/me/profile", data={"name": "Người Khác", "listed_publicly": ""})
    assert people["learner"].name == "Nguyễn Thị Ngọc Ánh"


def test_digits_that_look_like_letters_are_read_as_the_letters():
    from lms.certificates.codes import normalise_code

    code = "BOIL" + "A" * 22
    assert normalise_code("8 0 1 L" + "a" * 22) == code
    assert normalise_code("8OIL-" + "A" * 22) == code
    assert normalise_code("9" + "A" * 25) is None  # no 9 looks like a letter
