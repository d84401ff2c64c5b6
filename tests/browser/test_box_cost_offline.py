"""In the orchard without a signal: the cost calculator of a saved course still
works out a box on a 360-pixel phone, with the same figures as the server."""

import pytest

from lms.content.importer import import_courses
from lms.extensions import db
from tests.browser.test_lesson_sources import COURSES
from tests.browser.test_offline import sign_in
from tests.browser.test_phone_path import assert_fits_the_screen
from tests.conftest import make_user
from tests.helpers import vi
from tests.tools.test_box_cost import PREPAID


@pytest.fixture
def bundled(app):
    import_courses(COURSES, app.config["LMS_UPLOAD_DIR"])
    make_user()
    db.session.commit()


def figure(page, name):
    return page.locator(f'[data-figure="{name}"]').inner_text().replace("\xa0", " ")


def test_calculator_works_offline_in_a_saved_course(bundled, live_server, phone):
    from playwright.sync_api import expect

    page = phone
    sign_in(page, live_server)
    page.goto(live_server + "/courses/packaging-design")
    save = page.locator("[data-offline-save]")
    save.click()
    expect(save).not_to_have_text(vi("Save for offline"))
    save.click()
    expect(save).to_have_text(vi("Remove from this phone"))

    page.context.set_offline(True)
    page.goto(live_server + "/courses/packaging-design/lessons/cost-per-box")
    page.get_by_role("link", name="máy tính giá vốn").click()
    expect(page.locator("h1")).to_have_text(vi("Cost of one box"))
    assert figure(page, "break_even") == "345.509 đ"  # the saved page
    assert_fits_the_screen(page)

    # The same farmer's figures as tests/tools/test_box_cost.py, worked out
    # by the phone.
    for name, typed in PREPAID.items():
        page.locator(f'input[name="{name}"]').fill(typed)
    page.get_by_role("button", name=vi("Work it out")).click()
    expect(page.locator('[data-figure="total"]')).to_have_text("367.500\xa0đ")
    assert figure(page, "fruit") == "250.000 đ"
    assert figure(page, "fixed") == "360.000 đ"
    assert figure(page, "on_price") == "7.500 đ"
    assert figure(page, "profit") == "132.500 đ"
    assert figure(page, "break_even") == "365.483 đ"
    assert figure(page, "price_per_kg") == "50.000 đ"
    verdict = page.locator("[data-verdict]").inner_text()
    assert "132.500" in verdict and "26,5%" in verdict
    assert page.url.endswith("/tools/cost-per-box")  # nothing was asked of the server

    # Letters and a fee that takes the whole price: a message at each, no sums.
    page.locator('input[name="farm_price"]').fill("ba mươi nghìn")
    page.locator('input[name="platform_percent"]').fill("10")
    page.locator('input[name="commission_percent"]').fill("90")
    page.get_by_role("button", name=vi("Work it out")).click()
    expect(page.locator("#farm_price-error")).to_have_text(
        vi("Enter whole đồng in digits, for example 30,000.")
    )
    expect(page.locator("#commission_percent-error")).to_have_text(
        vi("Platform fees, tax and commission cannot take the whole price.")
    )
    expect(page.locator("[data-box-figures]")).to_be_hidden()
    expect(page.locator('input[name="farm_price"]')).to_be_focused()
    assert_fits_the_screen(page)
