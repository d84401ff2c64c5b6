"""On a 360-pixel phone: a lesson that states a law shows its date and sources."""

from pathlib import Path

import pytest

from lms.content.importer import import_courses
from lms.content.parse import parse_courses
from lms.extensions import db
from tests.browser.test_phone_path import assert_fits_the_screen
from tests.conftest import PASSWORD, make_user
from tests.helpers import vi

COURSES = Path(__file__).parent.parent.parent / "courses"


@pytest.fixture
def bundled(app):
    import_courses(COURSES, app.config["LMS_UPLOAD_DIR"])
    make_user()
    db.session.commit()


@pytest.mark.parametrize(
    "path",
    [
        "/courses/packaging-design/lessons/cost-per-box",
        "/courses/livestream-selling/lessons/honest-selling-and-disclosure",
    ],
)
def test_law_lesson_shows_its_sources_and_fits_the_screen(
    bundled, live_server, phone, path
):
    page = phone
    page.goto(live_server + "/login")
    page.get_by_label(vi("Phone number")).fill("0912 345 678")
    page.get_by_label(vi("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=vi("Sign in")).click()
    page.goto(live_server + path)
    course_slug, lesson_slug = path.split("/")[2], path.split("/")[4]
    [course] = [c for c in parse_courses(COURSES) if c.slug == course_slug]
    [lesson] = [each for each in course.lessons if each.slug == lesson_slug]
    reviewed = lesson.reviewed
    updated = f"Cập nhật tháng {reviewed.month} năm {reviewed.year}"
    assert updated in page.locator(".meta").inner_text()
    sources = page.get_by_role("region", name="Nguồn")
    assert sources.get_by_role("link").count() >= 1
    assert "Quốc hội" in sources.inner_text() or "Chính phủ" in sources.inner_text()
    assert_fits_the_screen(page)
