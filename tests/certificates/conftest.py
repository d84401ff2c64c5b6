"""Fixtures for certificates: two courses and the clubs that need them."""

import shutil

import pytest
import sqlalchemy as sa

from lms.content.importer import import_courses
from lms.extensions import db
from lms.models import Club, Course
from tests.conftest import FIXTURES


@pytest.fixture
def second_course(app, tmp_path, mini_course):
    """A copy of the mini course under another slug, for clubs that need two."""
    target = tmp_path / "second" / "mini2"
    shutil.copytree(FIXTURES / "courses" / "mini", target)
    course_md = target / "course.md"
    course_md.write_text(course_md.read_text().replace("slug: mini", "slug: mini2"))
    import_courses(target.parent, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    return db.session.scalar(sa.select(Course).where(Course.slug == "mini2"))


@pytest.fixture
def clubs(mini_course, second_course):
    koc = Club(code="koc", name_vi="CLB KOC", courses=[mini_course])
    kol = Club(code="kol", name_vi="CLB KOL", courses=[mini_course, second_course])
    db.session.add_all([koc, kol])
    db.session.commit()
    return {"koc": koc, "kol": kol}
