"""In the orchard without a signal: save a course on the phone, read it offline,
finish a lesson offline, and see that progress reach the server exactly once."""

import re
import time

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Lesson, LessonProgress
from tests.conftest import PASSWORD
from tests.helpers import vi


def sign_in(page, base):
    page.goto(base + "/login")
    page.get_by_label(vi("Phone number")).fill("0912345678")
    page.get_by_label(vi("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=vi("Sign in")).last.click()


def waiting(count):
    return vi("{count} waiting to sync").replace("{count}", str(count))


def completions(lesson_slug):
    """Rows as the server wrote them (and free SQLite's lock again after)."""
    db.session.expire_all()
    number = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LessonProgress)
        .join(Lesson)
        .where(Lesson.slug == lesson_slug)
    )
    db.session.commit()
    return number


def save_course(page, base):
    """Save the mini course on the phone: the first tap tells the size, the
    second tap on the same button saves."""
    from playwright.sync_api import expect

    page.goto(base + "/courses/mini")
    save = page.locator("[data-offline-save]")
    expect(save).to_have_text(vi("Save for offline"))
    save.click()
    size = re.compile(r"\s\d+(,\d)? (B|KB|MB)\b")  # a decimal comma in Vietnamese
    expect(save).to_have_text(size)
    save.click()
    expect(page.locator("[data-offline-status]")).to_have_text(
        vi("Saved for offline: this course opens without internet.")
    )
    expect(save).to_have_text(vi("Remove from this phone"))


def finish_first_lesson_offline(page, base):
    from playwright.sync_api import expect

    page.goto(base + "/courses/mini/lessons/first")
    page.get_by_role("button", name=vi("Mark as complete")).click()
    expect(page.locator(".lesson-end")).to_contain_text(QUEUED)
    expect(page.locator("[data-sync-status]")).to_have_text(waiting(1))


QUEUED = vi("Saved on this phone; it will be sent when you are back online.")


def test_saved_course_opens_offline_and_progress_syncs_once(
    learner, live_server, phone
):
    from playwright.sync_api import expect

    page = phone
    sign_in(page, live_server)
    save_course(page, live_server)

    page.context.set_offline(True)
    page.goto(live_server + "/courses/mini/lessons/first")
    expect(page.locator("h1")).to_have_text("Bài một")
    page.goto(live_server + "/me/certificates")
    expect(page.locator("h1")).to_have_text(vi("No internet connection"))

    finish_first_lesson_offline(page, live_server)
    status = page.locator("[data-sync-status]")
    # Reopened offline, the saved page remembers the lesson waits to be sent.
    page.reload()
    expect(page.locator(".lesson-end")).to_contain_text(QUEUED)
    expect(page.get_by_role("button", name=vi("Mark as complete"))).to_have_count(0)
    assert completions("first") == 0

    # The saved course page, opened offline, was drawn before the lesson is sent.
    page.goto(live_server + "/courses/mini")
    first = page.locator("ol.steps li").first
    expect(first).not_to_contain_text(vi("Done"))
    page.context.set_offline(False)  # the "online" event sends the queue
    # Sent, and the page drawn again from the server: the lesson is ticked, and
    # the news is still said.
    expect(first).to_contain_text(vi("Done"))
    expect(status).to_have_text(vi("Your progress made offline has been sent."))
    assert completions("first") == 1

    # Opened again, the page comes fresh from the server and the queue is empty.
    page.goto(live_server + "/courses/mini/lessons/first")
    expect(page.locator(".lesson-end")).to_contain_text(
        vi("You have completed this lesson.")
    )
    expect(status).to_be_hidden()
    assert completions("first") == 1


class SlowPage:
    """A weak signal, seen from the server: one page takes ``seconds`` to come,
    more than the service worker waits before it answers with the saved copy."""

    def __init__(self, wsgi_app, path, seconds):
        self.wsgi_app, self.path, self.seconds = wsgi_app, path, seconds

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"] == self.path:
            time.sleep(self.seconds)
        return self.wsgi_app(environ, start_response)


def test_a_weak_signal_after_sync_still_shows_the_lesson_done(
    app, learner, live_server, phone
):
    """Back online on a weak signal: the lesson is sent, and the course page,
    saved on the phone and drawn again, shows it done, although the page takes
    longer to come than the worker waits before it answers with the saved copy."""
    from playwright.sync_api import expect

    page = phone
    sign_in(page, live_server)
    save_course(page, live_server)
    page.context.set_offline(True)
    finish_first_lesson_offline(page, live_server)
    page.goto(live_server + "/courses/mini")
    first = page.locator("ol.steps li").first
    expect(first).not_to_contain_text(vi("Done"))

    plain = app.wsgi_app
    app.wsgi_app = SlowPage(plain, "/courses/mini", seconds=5)  # sw.js waits 4
    try:
        page.context.set_offline(False)
        # The news at once, then the page drawn again with the lesson ticked.
        status = page.locator("[data-sync-status]")
        expect(status).to_have_text(vi("Your progress made offline has been sent."))
        expect(first).to_contain_text(vi("Done"), timeout=20_000)
        expect(status).to_have_text(vi("Your progress made offline has been sent."))
    finally:
        app.wsgi_app = plain
    assert completions("first") == 1
