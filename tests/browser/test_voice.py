"""A trainer records a lesson from the microphone on a phone; a farmer listens to it,
then again without a signal."""

import re

import pytest

from lms.extensions import db
from lms.models import Course
from tests.browser.conftest import CHROMIUM_FLAGS, PHONE, chromium_path
from tests.conftest import PASSWORD, PHONES
from tests.helpers import vi

FAKE_MICROPHONE = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS + FAKE_MICROPHONE
        )
        yield chromium
        chromium.close()


def phone(browser):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    return context.new_page()


def sign_in(page, base, who):
    page.goto(base + "/login")
    page.get_by_label(vi("Phone number")).fill(PHONES[who])
    page.get_by_label(vi("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=vi("Sign in")).last.click()


def plays(page):
    page.locator("[data-voice-player] .voice-play").click()
    position = "() => document.querySelector('[data-voice-player] audio').currentTime"
    for _ in range(60):  # up to 15 s
        if page.evaluate(position) > 0.5:
            return
        page.wait_for_timeout(250)
    raise AssertionError("the recording did not play")


def test_record_save_and_listen_online_and_offline(
    app, people, mini_course, live_server, browser
):
    from playwright.sync_api import expect

    mini_course.owner_id = people["trainer"].id
    db.session.commit()
    trainer = phone(browser)
    sign_in(trainer, live_server, "trainer")
    trainer.goto(live_server + "/teach/courses/mini/lessons/first/edit#voice")
    form = trainer.locator("form[data-voice-recorder]").first
    record = form.get_by_role("button", name=vi("● Record"))
    assert record.bounding_box()["width"] <= 360
    # Nothing to save before a recording exists: the button appears with one.
    expect(form.get_by_role("button", name=vi("Save recording"))).to_be_hidden()
    record.click()
    expect(form.get_by_role("button", name=vi("■ Stop"))).to_be_visible()
    trainer.wait_for_timeout(3000)
    form.get_by_role("button", name=vi("■ Stop")).click()
    form.get_by_role("button", name=vi("Save recording")).click()
    expect(trainer.locator("#voice audio[src^='/media/audio/']")).to_have_count(
        1, timeout=20_000
    )
    db.session.expire_all()
    lesson = db.session.scalar(db.select(Course).where(Course.slug == "mini")).lessons[
        0
    ]
    assert lesson.audio["vi"]["seconds"] > 1
    db.session.commit()

    farmer = phone(browser)
    sign_in(farmer, live_server, "learner")
    farmer.goto(live_server + "/courses/mini/lessons/first")
    plays(farmer)
    farmer.goto(live_server + "/courses/mini")
    save = farmer.locator("[data-offline-save]")
    save.click()  # the first tap tells the size, recording included
    expect(save).to_have_text(re.compile(r"\s\d+(,\d)? (KB|MB)\b"))
    save.click()
    expect(farmer.locator("[data-offline-status]")).to_have_text(
        vi("Saved for offline: this course opens without internet."), timeout=15_000
    )
    farmer.context.set_offline(True)
    farmer.goto(live_server + "/courses/mini/lessons/first")
    plays(farmer)
