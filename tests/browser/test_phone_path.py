"""On a 360-pixel phone: sign up, finish a course with its quiz, see 100%."""

from tests.conftest import PASSWORD
from tests.helpers import vi


def assert_fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways ({width}px)"


def test_farmer_signs_up_and_completes_a_course_on_a_phone(
    live_server, phone, tmp_path
):
    screenshots = tmp_path
    page = phone
    page.goto(live_server + "/")
    assert_fits_the_screen(page)
    page.get_by_role("link", name=vi("Create a free account")).click()

    page.get_by_label(vi("Phone number")).fill("0912 345 678")
    page.get_by_label(vi("Your name")).fill("Nguyễn Thị Hoa")
    page.get_by_label(vi("Commune")).select_option(label="Xã Bình")
    page.get_by_label(vi("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(vi("Show password")).check()
    assert page.get_by_label(vi("Password"), exact=True).get_attribute("type") == "text"
    assert_fits_the_screen(page)
    page.get_by_role("button", name=vi("Create account")).click()
    assert "Nguyễn Thị Hoa" in page.locator(".flash").inner_text()

    page.get_by_role("link", name="Khoá học nhỏ").click()
    page.get_by_role("button", name=vi("Start the course")).click()
    for title in ("Bài một", "Bài hai", "Bài ba"):
        assert page.locator("h1").inner_text() == title
        assert_fits_the_screen(page)
        page.get_by_role("button", name=vi("Mark as complete")).click()

    assert page.locator("h1").inner_text() == vi("Final quiz")
    assert_fits_the_screen(page)
    page.get_by_label("Nói thật cách mình chăm vườn.").check()
    page.get_by_label("Pin điện thoại").check()
    page.get_by_label("Ánh sáng").check()
    page.get_by_role("button", name=vi("Submit answers")).click()
    assert "100%" in page.locator(".score").inner_text()

    page.get_by_role("link", name=vi("My learning")).click()
    assert page.locator(".progress progress").get_attribute("value") == "100"
    assert_fits_the_screen(page)
    page.screenshot(path=str(screenshots / "my-learning.png"), full_page=True)


def test_tap_targets_are_at_least_48_pixels(live_server, phone):
    page = phone
    page.goto(live_server + "/signup")
    for element in page.locator("main button, main input, main select").all():
        if element.is_visible() and element.get_attribute("type") not in ("checkbox",):
            assert element.bounding_box()["height"] >= 48, element
