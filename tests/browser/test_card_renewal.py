"""A farmer renews a club card on a phone; a buyer types a wrong code."""

from datetime import timedelta

import sqlalchemy as sa

from lms.clock import utcnow
from lms.extensions import db
from lms.models import Certificate, Club
from tests.browser.test_accessibility import violations
from tests.browser.test_training_day import sign_in
from tests.conftest import PHONES
from tests.helpers import finish


def test_farmer_renews_a_card_from_a_phone(live_server, phone, mini_course, people):
    from axe_playwright_python.sync_playwright import Axe

    db.session.add(
        Club(code="koc", name_vi="CLB KOC", courses=[mini_course], valid_months=12)
    )
    finish(people["learner"], mini_course)
    card = db.session.scalar(
        sa.select(Certificate).where(Certificate.club_id.is_not(None))
    )
    card.expires_at = utcnow() + timedelta(days=7)
    quizzes = {q["vi"]: q for q in mini_course.quiz.questions}
    db.session.commit()

    sign_in(phone, live_server, PHONES["learner"])
    phone.goto(live_server + "/me/certificates")
    phone.get_by_role("link", name="Gia hạn thẻ này").click()
    assert violations(Axe(), phone) == []
    for fieldset in phone.locator("fieldset.question").all():
        asked = fieldset.locator("legend").inner_text().split(". ", 1)[1]
        for choice in quizzes[asked]["choices"]:
            if choice["correct"]:
                fieldset.get_by_text(choice["vi"], exact=True).click()
    phone.get_by_role("button", name="Gia hạn thẻ của tôi").click()
    assert "Đã gia hạn thẻ, có hiệu lực đến" in phone.locator("main").inner_text()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.max(Certificate.period))) == 2


def test_a_wrong_code_offers_the_box_again(live_server, phone):
    from axe_playwright_python.sync_playwright import Axe

    phone.goto(live_server + "/verify")
    phone.get_by_label("Mã chứng nhận").fill("ABCD-EFGH-2345")
    phone.get_by_role("button", name="Kiểm tra").click()
    text = phone.locator("main").inner_text()
    assert "Không có chứng nhận nào mang mã này" in text
    assert phone.get_by_label("Mã chứng nhận").input_value() == "ABCD-EFGH-2345"
    assert violations(Axe(), phone) == []
