"""On a phone: a refused hand-in keeps its photo; the farmer sees what they sent."""

from PIL import Image

from lms.extensions import db
from lms.services.authoring import save_assignment
from tests.browser.test_training_day import sign_in
from tests.conftest import make_user
from tests.test_i18n import vi


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
