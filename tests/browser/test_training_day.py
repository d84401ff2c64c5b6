"""A training day in real browsers: a trainer's laptop and a farmer's phone."""

import re

import pytest
from PIL import Image

from tests.browser.conftest import CHROMIUM_FLAGS, PHONE, chromium_path
from tests.conftest import PASSWORD, make_user
from tests.helpers import vi


@pytest.fixture
def browsers():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS
        )
        laptop = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="vi-VN"
        )
        phone = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN"
        )
        yield laptop.new_page(), phone.new_page()
        browser.close()


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "IMG_2041.jpg"
    Image.new("RGB", (3000, 2000), (200, 40, 60)).save(path, "JPEG")
    return path


def sign_in(page, base, phone_number):
    page.goto(base + "/login")
    page.get_by_label(vi("Phone number")).fill(phone_number)
    page.get_by_label(vi("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=vi("Sign in")).last.click()


def test_trainer_builds_a_course_and_a_farmer_finishes_it_from_a_phone(
    app, live_server, browsers, photo
):
    from lms.extensions import db

    make_user(phone="0977000001", name="Cô Hằng", role="trainer", area="P-A")
    db.session.commit()
    laptop, phone = browsers

    # The trainer writes a short course.
    sign_in(laptop, live_server, "0977000001")
    laptop.goto(live_server + "/teach/courses/new")
    laptop.get_by_label(vi("Title (Vietnamese)")).fill("Chụp ảnh vải cho đẹp")
    laptop.get_by_label(vi("Summary (Vietnamese)")).fill("Ảnh thật, sáng, rõ.")
    laptop.get_by_role("button", name=vi("Save")).click()
    laptop.get_by_role("link", name=vi("Add a lesson")).click()
    laptop.get_by_label(vi("Title (Vietnamese)")).fill("Ánh sáng buổi sáng")
    body = laptop.get_by_label(vi("Lesson (Vietnamese, Markdown)"))
    body.fill("## Chụp lúc sáng sớm\n\nÁnh sáng **dịu**, quả đỏ tươi.")
    laptop.locator("#preview-vi strong", has_text="dịu").wait_for()  # live preview
    laptop.get_by_label(vi("Picture"), exact=True).set_input_files(str(photo))
    laptop.get_by_label(
        vi("What the picture shows (for people who cannot see it)")
    ).fill("Chùm vải dưới nắng sớm")
    laptop.get_by_role("button", name=vi("Upload and insert")).click()
    laptop.locator("#preview-vi img[alt='Chùm vải dưới nắng sớm']").wait_for()
    assert re.search(r"/media/lessons/[0-9a-f]{32}\.webp", body.input_value())
    said = laptop.locator("[data-image-status]").text_content()
    assert said == vi(
        "The picture is in the lesson text, where you were writing. "
        "Save the lesson to keep it."
    )
    laptop.get_by_role("button", name=vi("Save lesson")).click()

    laptop.get_by_role("link", name=vi("Final quiz")).click()
    laptop.get_by_role("button", name=vi("Start the quiz")).click()
    laptop.get_by_role("link", name=vi("Add a question")).click()
    laptop.get_by_label(vi("Question (Vietnamese)")).fill("Nên chụp ảnh lúc nào?")
    laptop.locator("#choices-0-text_vi").fill("Sáng sớm")
    laptop.locator("#choices-0-correct").check()
    laptop.locator("#choices-1-text_vi").fill("Giữa trưa nắng gắt")
    laptop.get_by_label(vi("Explanation shown after answering (Vietnamese)")).fill(
        "Nắng sớm dịu, màu quả thật."
    )
    laptop.get_by_role("button", name=vi("Save question")).click()
    laptop.get_by_role("link", name="Chụp ảnh vải cho đẹp").click()
    laptop.get_by_role("link", name=vi("Practical work")).click()
    laptop.get_by_label(vi("Instructions (Vietnamese, Markdown)")).fill(
        "Chụp một ảnh vải lúc sáng sớm."
    )
    laptop.locator("#criteria-0-text_vi").fill("Ảnh đủ sáng")
    laptop.get_by_role("button", name=vi("Save practical work")).click()
    laptop.get_by_role("button", name=vi("Publish")).click()

    # ...and opens a class for the training day.
    laptop.goto(live_server + "/teach/classes/new")
    laptop.get_by_label(vi("Class name")).fill("Lớp chụp ảnh Xã An")
    laptop.get_by_label(vi("Commune")).select_option(label="Xã An")
    laptop.get_by_label("Chụp ảnh vải cho đẹp").check()
    laptop.get_by_role("button", name=vi("Create class and get its code")).click()
    code = laptop.locator(".join-code").inner_text().strip()

    # The farmer joins from a phone by typing the code.
    phone.goto(live_server + "/join")
    phone.get_by_label(vi("Class code")).fill(code.lower())
    phone.get_by_role("button", name=vi("Continue")).click()
    phone.get_by_role("link", name=vi("Create a free account to join")).click()
    phone.get_by_label(vi("Phone number")).fill("0966 000 222")
    phone.get_by_label(vi("Your name")).fill("Lương Văn Nam")
    phone.get_by_label(vi("Commune")).select_option(label="Xã An")
    phone.get_by_label(vi("Password"), exact=True).fill(PASSWORD)
    phone.get_by_role("button", name=vi("Create account")).click()
    phone.get_by_role("button", name=vi("Join this class")).click()
    phone.get_by_role("link", name="Chụp ảnh vải cho đẹp").first.click()
    phone.get_by_role("button", name=vi("Continue where you left off")).click()
    assert phone.locator("article img").get_attribute("alt") == "Chùm vải dưới nắng sớm"
    phone.get_by_role("button", name=vi("Mark as complete")).click()
    phone.get_by_label("Sáng sớm").check()
    phone.get_by_role("button", name=vi("Submit answers")).click()
    assert "100%" in phone.locator(".score").inner_text()
    phone.goto(live_server + "/courses/chup-anh-vai-cho-dep/practical")
    phone.get_by_label(vi("Photos")).set_input_files(str(photo))
    phone.get_by_role("button", name=vi("Send")).click()
    phone.locator(".flash").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The trainer approves from the queue; the farmer sees the course complete.
    laptop.goto(live_server + "/teach/reviews")
    laptop.get_by_role("link", name=re.compile("Lương Văn Nam")).click()
    image = laptop.locator(".photos img")
    laptop.wait_for_function(  # a lazy or slow image is still loading: wait for it
        "() => document.querySelector('.photos img').complete"
    )
    assert image.evaluate("img => img.naturalWidth") == 1280  # shrunk on the phone
    laptop.get_by_label(vi("Pass")).check()
    laptop.get_by_label(vi("Feedback for the farmer")).fill("Ảnh đẹp, đủ sáng.")
    laptop.get_by_role("button", name=vi("Approve")).click()
    phone.goto(live_server + "/courses/chup-anh-vai-cho-dep")
    assert phone.locator(".progress progress").get_attribute("value") == "100"
    assert phone.locator(".done-banner").is_visible()
