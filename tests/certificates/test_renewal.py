"""Club cards that expire are renewed by the club's rule, once per period."""

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from lms.certificates.renewal import renew
from lms.clock import utcnow
from lms.extensions import db
from lms.models import AuditEvent, Certificate, Club, User
from tests.conftest import DATABASES
from tests.helpers import finish


def text(response):
    return response.get_data(as_text=True)


def cards(learner, code="koc"):
    return db.session.scalars(
        sa.select(Certificate)
        .join(Club, Club.id == Certificate.club_id)
        .where(Certificate.user_id == learner.id, Club.code == code)
        .order_by(Certificate.period)
    ).all()


@pytest.fixture
def card(clubs, people):
    """The learner's KOC card (valid 12 months), listed on the club page."""
    clubs["koc"].valid_months = 12
    people["learner"].listed_publicly = True
    finish(people["learner"], clubs["koc"].courses[0])
    return cards(people["learner"])[0]


def due_in(card, days):
    card.expires_at = utcnow() + timedelta(days=days)
    db.session.commit()


def drawn(page):
    """The refresher paper the page drew: [(course id, question id, choice order)]."""
    token = re.search(r'name="drawn" value="([^"]+)"', page).group(1)
    return token, URLSafeSerializer("test", salt="card-renewal").loads(token)[1]


def chosen(club, course_id, question_id, right=True):
    """The right choices' ids of a question (or, not right, some wrong ones)."""
    quizzes = {c.id: {q["id"]: q for q in c.live_quiz.questions} for c in club.courses}
    choices = quizzes[course_id][question_id]["choices"]
    return [c["id"] for c in choices if c["correct"] == right][:2]


def answer(club, paper, right=True):
    """Form fields ticking, by their place on the page, the right (or wrong) choices."""
    return {
        f"q{index}": [str(order.index(c)) for c in chosen(club, course, qid, right)]
        for index, (course, qid, order) in enumerate(paper)
    }


def test_card_shows_its_expiry_and_what_renewing_needs(as_role, card):
    page = text(as_role("learner").get("/me/certificates"))
    assert "Có hiệu lực đến" in page
    assert "Để gia hạn, bạn làm một bài ôn tập ngắn (2 câu hỏi)" in page
    assert "Bạn có thể gia hạn từ ngày" in page  # not open a year ahead
    renew_page = as_role("learner").get(f"/me/cards/{card.code}/renew")
    assert renew_page.status_code == 200 and 'name="drawn"' not in text(renew_page)
    refused = as_role("learner").post(f"/me/cards/{card.code}/renew", data={})
    assert "Chưa đến lúc gia hạn thẻ này" in text(refused)
    assert len(cards(card.user)) == 1


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_passing_the_refresher_issues_the_next_period(app, as_role, card, clubs):
    due_in(card, 10)
    old_expiry, old_code = card.expires_at, card.code
    farmer = as_role("learner")
    assert "Gia hạn thẻ này" in text(farmer.get("/me/certificates"))
    token, questions = drawn(text(farmer.get(f"/me/cards/{old_code}/renew")))
    assert len(questions) == 2
    done = farmer.post(
        f"/me/cards/{old_code}/renew",
        data={"drawn": token, **answer(clubs["koc"], questions)},
    )
    assert done.status_code == 302 and done.headers["Location"] == "/me/certificates"
    again = farmer.post(  # the phone lost signal and the farmer pressed again
        f"/me/cards/{old_code}/renew",
        data={"drawn": token, **answer(clubs["koc"], questions)},
    )
    assert again.status_code == 302 and again.headers["Location"] == "/me/certificates"
    old, new = cards(card.user)
    assert (old.period, new.period) == (1, 2) and new.status() == "valid"
    # The new period runs on from the old one's end: renewing early loses nothing.
    assert new.expires_at - old_expiry > timedelta(days=360)
    assert old.status() == "expired" and old.code == old_code
    mine = text(farmer.get("/me/certificates"))
    assert mine.count("Đã được thay bằng thẻ mới hơn") == 1
    # The new card in full, to show buyers; the old one as history, below,
    # with nothing to hand a buyer (no PDF, no share, no QR code).
    current, earlier = mine.split("<details class=\"more\">\n  <summary>")[0:2]
    assert f"/certificates/{new.code}.pdf" in current and old_code not in current
    assert f"/verify/{old_code}" in earlier and f"{old_code}.pdf" not in earlier
    history = text(as_role(None).get(f"/verify/{old_code}"))
    assert "Thành viên này đã được cấp thẻ mới hơn" in history
    assert f"/verify/{new.code}" in history
    roster = text(as_role(None).get("/clubs/koc"))
    assert roster.count(card.user.name) == 1
    (event,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "certificate.renew")
    ).all()
    assert event.detail == {"certificate": old.id, "renewed_by": new.id}


def test_failing_or_tampering_changes_nothing(as_role, card, clubs):
    due_in(card, 10)
    farmer = as_role("learner")
    token, questions = drawn(text(farmer.get(f"/me/cards/{card.code}/renew")))
    wrong = farmer.post(
        f"/me/cards/{card.code}/renew",
        data={"drawn": token, **answer(clubs["koc"], questions, right=False)},
    )
    assert wrong.status_code == 400
    assert "Đúng 0 trên 2 câu" in text(wrong)
    blank = farmer.post(f"/me/cards/{card.code}/renew", data={"drawn": token})
    assert "Vui lòng trả lời tất cả câu hỏi" in text(blank)
    forged = URLSafeSerializer("guess", salt="card-renewal").dumps(
        [card.code, questions]
    )
    # Choices go by their place on the page: the written ids are refused.
    by_id = {
        f"q{i}": chosen(clubs["koc"], c, q) for i, (c, q, _) in enumerate(questions)
    }
    written = farmer.post(
        f"/me/cards/{card.code}/renew", data={"drawn": token, **by_id}
    )
    assert written.status_code == 400 and len(cards(card.user)) == 1
    tampered = farmer.post(
        f"/me/cards/{card.code}/renew",
        data={"drawn": forged, **answer(clubs["koc"], questions)},
    )
    assert "Bài ôn tập đã thay đổi" in text(tampered)
    assert len(cards(card.user)) == 1 and card.status() == "valid"
    other = as_role("classmate").post(
        f"/me/cards/{card.code}/renew",
        data={"drawn": token, **answer(clubs["koc"], questions)},
    )
    assert other.status_code == 403 and len(cards(card.user)) == 1


def test_an_expired_card_is_renewed_from_now(as_role, card, clubs):
    due_in(card, -30)
    farmer = as_role("learner")
    token, questions = drawn(text(farmer.get(f"/me/cards/{card.code}/renew")))
    farmer.post(
        f"/me/cards/{card.code}/renew",
        data={"drawn": token, **answer(clubs["koc"], questions)},
    )
    old, new = cards(card.user)
    assert old.expires_at < utcnow() and new.status() == "valid"
    assert timedelta(days=360) < new.expires_at - utcnow() < timedelta(days=370)


def test_the_club_rule_decides_and_an_admin_edits_it(as_role, card, clubs):
    admin = as_role("admin")
    course_id = clubs["koc"].courses[0].id
    rules = {"courses": [course_id], "valid_months": "12", "renewal_days": "30"}
    bad = admin.post(
        "/admin/clubs/koc",
        data={**rules, "renewal_questions": "0", "renewal_pass_mark": "30"},
    )
    assert bad.status_code == 400 and "Hãy nhập một số từ 50 đến 100" in text(bad)
    assert db.session.get(Club, clubs["koc"].id).renewal_pass_mark == 80
    # A window as long as the card would let a new card be renewed at once.
    endless = admin.post(
        "/admin/clubs/koc",
        data={
            **rules,
            "valid_months": "1",
            "renewal_days": "60",
            "renewal_questions": "0",
            "renewal_pass_mark": "80",
        },
    )
    assert endless.status_code == 400
    assert "ít hơn 28 ngày" in text(endless)
    assert db.session.get(Club, clubs["koc"].id).valid_months == 12
    saved = admin.post(
        "/admin/clubs/koc",
        data={**rules, "renewal_questions": "0", "renewal_pass_mark": "80"},
    )
    assert saved.status_code == 302
    due_in(card, 40)  # renewing now opens 30 days ahead: not yet
    farmer = as_role("learner")
    assert "Bạn có thể gia hạn từ ngày" in text(farmer.get("/me/certificates"))
    due_in(card, 20)
    page = text(farmer.get(f"/me/cards/{card.code}/renew"))
    assert "fieldset" not in page and "Gia hạn thẻ của tôi" in page
    assert "Gia hạn không cần làm bài ôn tập" in text(farmer.get("/me/certificates"))
    farmer.post(f"/me/cards/{card.code}/renew", data={"drawn": drawn(page)[0]})
    assert [c.period for c in cards(card.user)] == [1, 2]


def test_a_revoked_card_cannot_be_renewed(as_role, card):
    due_in(card, 10)
    course_certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.course_id.is_not(None))
    )
    as_role("admin").post(
        f"/admin/certificates/{course_certificate.code}/revoke",
        data={"reason": "Gian lận", "confirmed": "yes"},
    )
    assert as_role("learner").get(f"/me/cards/{card.code}/renew").status_code == 404


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_parallel_renewals_issue_exactly_one_card(app, card, clubs):
    due_in(card, 10)
    pool = [(c.id, q) for c in clubs["koc"].courses for q in c.live_quiz.questions]
    questions = [[course_id, q["id"]] for course_id, q in pool][:2]
    answers = [chosen(clubs["koc"], *question) for question in questions]
    card_id, learner_id = card.id, card.user_id
    db.session.commit()  # end the test's transaction: SQLite's lock is free
    errors, renewed = [], []

    def worker():
        with app.app_context():
            try:
                learner = db.session.get(User, learner_id)
                new = renew(
                    learner, db.session.get(Certificate, card_id), questions, answers
                )
                db.session.commit()
                renewed.append(new.id)
            except Exception as error:  # collected and asserted below
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [c.period for c in cards(card.user)] == [1, 2]
    assert len(set(renewed)) == 1


def test_a_question_left_blank_keeps_the_paper_and_the_answers_given(
    as_role, card, clubs
):
    """Answered all but one: the same questions come back, the ticks kept and
    the blank one marked; one more answer renews the card."""
    due_in(card, 10)
    farmer = as_role("learner")
    token, questions = drawn(text(farmer.get(f"/me/cards/{card.code}/renew")))
    answers = answer(clubs["koc"], questions)
    first, *_ = answers
    partial = {key: value for key, value in answers.items() if key != first}
    blank = farmer.post(
        f"/me/cards/{card.code}/renew", data={"drawn": token, **partial}
    )
    page = text(blank)
    assert blank.status_code == 400 and "Vui lòng trả lời tất cả câu hỏi" in page
    again_token, again = drawn(page)
    assert again == questions  # the same paper
    assert f'id="{first}-error"' in page
    for key, values in partial.items():
        for value in values:
            assert re.search(rf'name="{key}" value="{value}"\s+checked', page)
    renewed = farmer.post(
        f"/me/cards/{card.code}/renew", data={"drawn": again_token, **answers}
    )
    assert renewed.status_code == 302 and len(cards(card.user)) == 2
