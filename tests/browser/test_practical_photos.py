"""On a phone: a refused hand-in keeps its photo; the farmer sees what they sent."""

from PIL import Image

from lms.extensions import db
from lms.services.authoring import save_assignment
from tests.browser.test_training_day import sign_in
from tests.conftest import make_user
from tests.helpers import vi


def test_a_mistyped_link_does_not_lose_the_photo(phone, live_server, tmp_path):
    from lms.models import Course

    course = db.session.query(Course).filter_by(slug="mini").one()
    save_assignment(course, "Chụp ảnh gian hàng.", None, [("Đủ sáng", None)], True, 2)
    make_user()
    db.session.commit()
    photo = tmp_path / "IMG_0007.jpg"
    Image.new("RGB", (2400, 1800), (30, 140, 60)).save(photo, "JPEG")

    sign_in(phone, live_server, "0912345678")
    phone.goto(live_server + "/courses/mini/practical")
    phone.get_by_label(vi("Link to your livestream, video or shop")).fill("vuon vai")
    phone.get_by_label(vi("Photos")).set_input_files(str(photo))
    phone.get_by_role("button", name=vi("Send")).click()
    phone.locator('[role="alert"]').wait_for()
    assert "không cần chọn lại" in phone.locator("form[data-photo-upload]").inner_text()

    link = phone.get_by_label(vi("Link to your livestream, video or shop"))
    link.fill("facebook.com/vuonvai")
    phone.get_by_role("button", name=vi("Send")).click()
    phone.locator(".flash").wait_for()
    assert phone.get_by_role("link", name="https://facebook.com/vuonvai").is_visible()
    phone.wait_for_function("() => document.querySelector('.photos img').complete")
    width = phone.locator(".photos img").evaluate("img => img.naturalWidth")
    assert width == 1280  # the one photo, shrunk, shown back to its author


def test_practical_work_pages_have_no_violations(
    live_server, phone, classroom, people, tmp_path
):
    from axe_playwright_python.sync_playwright import Axe

    from lms.services.practical import submit
    from tests.browser.test_accessibility import violations
    from tests.conftest import PHONES, jpeg

    course = classroom.courses[0]
    save_assignment(course, "Chụp ảnh.", None, [("Đủ sáng", None)], True, 2)
    work = submit(
        people["learner"], course.assignment, "facebook.com/a", [jpeg()], "", _dir()
    )
    db.session.commit()
    axe, found = Axe(), {}
    sign_in(phone, live_server, PHONES["learner"])
    phone.goto(live_server + "/courses/mini/practical")
    assert phone.locator(".photos img").count() == 1
    found["waiting, as the farmer"] = violations(axe, phone)
    phone.context.clear_cookies()
    sign_in(phone, live_server, PHONES["trainer"])
    for path in ("/teach/reviews", f"/teach/reviews/{work.id}", "/teach"):
        phone.goto(live_server + path)
        assert phone.url == live_server + path  # signed in, not sent to /login
        found[path] = violations(axe, phone)
    assert {where: v for where, v in found.items() if v} == {}


def _dir():
    from flask import current_app

    return current_app.config["LMS_UPLOAD_DIR"]
