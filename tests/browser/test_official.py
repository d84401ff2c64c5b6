"""An official of one commune, on a phone: numbers, trend, a course, an export."""

import io
from pathlib import Path

import openpyxl

from tests.browser.test_accessibility import violations
from tests.browser.test_training_day import sign_in as sign_in_page
from tests.reports.province import NAMES, PHONES

OFFICIAL_PAGES = [
    "/reports",
    "/reports?course=mini",
    "/reports/learners",
    "/reports/tokens",
]


def test_an_official_sees_their_commune_and_exports_it(live_server, phone, province):
    sign_in_page(phone, live_server, PHONES["official_a"])
    assert phone.url.endswith("/reports")
    figures = phone.locator(".figures li")
    assert figures.first.locator(".figure-label").inner_text() == "Người học đã đăng ký"
    assert figures.first.locator(".figure-value").inner_text() == "3"
    assert phone.locator("figure.chart svg rect.bar").count() >= 52 * 3

    phone.get_by_role("link", name="Khoá học nhỏ").click()
    assert "course=mini" in phone.url
    assert "Khoá học: Khoá học nhỏ" in phone.locator("main").inner_text()

    phone.get_by_role("button", name="Tải về Excel").click()
    assert "/jobs/" in phone.url  # the export is made in the background
    link = phone.get_by_role("link", name="Tải về report-")
    link.wait_for(timeout=30_000)  # the page reloads itself until it is ready
    assert "chỉ dành cho bạn" in phone.locator("main").inner_text()
    from axe_playwright_python.sync_playwright import Axe

    assert violations(Axe(), phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    with phone.expect_download() as download:
        link.click()
    data = Path(download.value.path()).read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(data))
    overview = {row[0]: row[1] for row in list(book["Tổng quan"].values)[1:]}
    assert overview["Người học đã đăng ký"] == 3

    text = phone.locator("body").inner_text()
    for other in (NAMES["b1"], NAMES["b2"], "Xã Bình"):
        assert other not in text
        assert all(other not in repr(list(s.values)) for s in book.worksheets)


def test_official_pages_pass_axe_and_fit_the_phone(live_server, phone, province):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    sign_in_page(phone, live_server, PHONES["official_p"])
    found = {}
    for path in OFFICIAL_PAGES:
        phone.goto(live_server + path)
        found[path] = violations(axe, phone)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways ({width}px)"
    assert {path: v for path, v in found.items() if v} == {}
