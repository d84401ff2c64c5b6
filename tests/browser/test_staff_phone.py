"""A trainer runs a class from a 360 px phone: every action in reach, no sideways
scrolling; activation codes print as slips."""

from lms.extensions import db
from tests.browser.conftest import PHONE
from tests.browser.test_training_day import sign_in
from tests.conftest import PHONES
from tests.helpers import vi


def wider_than_the_screen(page):
    """A phone widens its layout to fit what sticks out: 360 px is the screen."""
    widest = "Math.max(window.innerWidth, document.scrollingElement.scrollWidth)"
    return page.evaluate(widest) > PHONE["width"]


def class_page(live_server, classroom):
    """The class's address; the read ends at once, as SQLite's lock is the server's."""
    url = f"{live_server}/teach/classes/{classroom.id}"
    db.session.commit()
    return url


def out_of_reach(page):
    """Buttons and links in the page that stick out of the screen."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main a, main button, main input')]
          .filter(e => e.offsetParent !== null)
          .filter(e => e.getBoundingClientRect().right > 361)
          .map(e => e.outerHTML.slice(0, 80))"""
    )


def test_the_class_page_works_on_a_360px_phone(
    app, classroom, extra_course, live_server, phone
):
    # A real class follows two courses with long names.
    classroom.courses[0].title_vi = "Bán hàng qua livestream cho người mới bắt đầu"
    extra_course.title_vi = "Thiết kế bao bì và chụp ảnh sản phẩm nông sản"
    classroom.courses.append(extra_course)
    url = class_page(live_server, classroom)
    sign_in(phone, live_server, PHONES["trainer"])
    phone.goto(url)
    assert not wider_than_the_screen(phone)
    assert out_of_reach(phone) == []
    phone.get_by_role("button", name=vi("Password code")).first.click()
    phone.wait_for_load_state()
    assert phone.locator(".join-code").is_visible()
    assert not wider_than_the_screen(phone)


def test_activation_slips_have_a_print_button(
    app, classroom, live_server, phone, tmp_path
):
    paper = tmp_path / "ds.csv"
    paper.write_text("name,phone,area\nNguyễn Văn Một,0933 000 001,\n")
    url = class_page(live_server, classroom)
    sign_in(phone, live_server, PHONES["trainer"])
    phone.goto(url)
    phone.get_by_label(vi("CSV file (name, phone, area)")).set_input_files(paper)
    phone.get_by_role("button", name=vi("Register and print codes")).click()
    phone.wait_for_load_state()
    assert phone.locator(".slip").count() == 1
    assert phone.get_by_role("button", name=vi("Print the slips")).is_visible()
    assert not wider_than_the_screen(phone)
