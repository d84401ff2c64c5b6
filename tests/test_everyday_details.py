"""Small things a farmer, a trainer or an official meets on every visit (issue 21)."""

import io
import re

import segno

from lms.extensions import db
from tests.certificates.test_pages import card  # noqa: F401 (a fixture)


def text(response):
    return response.get_data(as_text=True)


def header(html):
    return html.split("</header>")[0]


# Farmer


def test_every_unanswered_question_is_outlined(signed_in, mini_course):
    response = signed_in.post("/courses/mini/quiz", data={})
    html = text(response)
    assert response.status_code == 400
    assert html.count('class="question has-error"') == 2
    assert html.count("Chưa trả lời") == 2


def test_only_the_unanswered_questions_are_outlined(signed_in, mini_course):
    html = text(signed_in.post("/courses/mini/quiz", data={"sprayed": "a"}))
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
