"""The quiz in the orchard: kept on the phone only when every question has an
answer, and its score shown once it reaches the server."""

import sqlalchemy as sa

from lms.extensions import db
from lms.models import QuizAttempt
from tests.browser.test_offline import sign_in, waiting
from tests.helpers import vi


def attempts():
    db.session.expire_all()
    found = db.session.scalars(sa.select(QuizAttempt)).all()
    db.session.commit()  # free SQLite's lock for the server's thread
    return found


def test_offline_quiz_is_checked_then_synced_with_its_score(
    learner, live_server, phone
):
    from playwright.sync_api import expect

    page = phone
    sign_in(page, live_server)
    page.goto(live_server + "/courses/mini")
    save = page.locator("[data-offline-save]")
    save.click()
    expect(save).not_to_have_text(vi("Save for offline"))
    save.click()
    expect(save).to_have_text(vi("Remove from this phone"))

    page.context.set_offline(True)
    page.goto(live_server + "/courses/mini/quiz")
    page.get_by_label("Nói thật cách mình chăm vườn.").check()
    page.get_by_role("button", name=vi("Submit answers")).click()
    # Half answered: said at once, and nothing waits to be sent.
    order = page.locator("fieldset[data-question]").evaluate_all(
        "sets => sets.map(s => s.dataset.question)"
    )
    blank = order.index("before-live") + 1
    unanswered = vi(
        "Question {number} has no answer yet. Please answer every question."
    ).replace("{number}", str(blank))
    expect(page.get_by_role("alert")).to_have_text(unanswered)
    status = page.locator("[data-sync-status]")
    expect(status).to_be_hidden()

    page.get_by_label("Pin điện thoại").check()
    page.get_by_label("Ánh sáng").check()
    page.get_by_role("button", name=vi("Submit answers")).click()
    expect(page.get_by_role("alert")).to_have_count(0)
    queued = vi("Saved on this phone; it will be sent when you are back online.")
    expect(page.locator("form[data-offline-event]")).to_contain_text(queued)
    expect(status).to_have_text(waiting(1))
    assert attempts() == []

    page.context.set_offline(False)  # the "online" event sends the queue
    result = status.get_by_role("link")
    expect(result).to_have_text("Bài kiểm tra “Khoá học nhỏ”: 100%, đạt.")
    [attempt] = attempts()
    assert attempt.score == 100 and attempt.passed
    result.click()
    expect(page.locator(".score")).to_contain_text("100%")
