"""The lesson editor carries when a lesson was checked and what it rests on."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from lms.clock import utcnow
from lms.content.importer import import_courses
from lms.extensions import db
from lms.models import Lesson
from lms.models.activity import local_day
from tests.conftest import copy_courses, course_by_slug
from tests.helpers import vi

COURSES = Path(__file__).parents[2] / "courses"
EDIT = "/teach/courses/packaging-design/lessons/cost-per-box/edit"
SOURCE = (
    "Luật Bảo vệ quyền lợi người tiêu dùng số 19/2023/QH15 | Quốc hội | 2024-07-01 "
    "| https://example.org/luat-19-2023"
)


class FormFields(HTMLParser):
    """What a browser would send back from the lesson form, untouched."""

    def __init__(self, html):
        super().__init__()
        self.data, self._textarea, self._in_form = {}, None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "lesson-form":
            self._in_form = True
        elif self._in_form and tag == "input" and attrs.get("name"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.data[attrs["name"]] = attrs.get("value", "y")
        elif self._in_form and tag == "textarea":
            self._textarea = attrs["name"]
            self.data[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


@pytest.fixture
def law_lesson(app, people, tmp_path):
    """The bundled cost lesson (law: true, one source), owned by the trainer."""
    folder = copy_courses(tmp_path, "packaging-design", source=COURSES)
    import_courses(folder, app.config["LMS_UPLOAD_DIR"])
    course_by_slug("packaging-design").owner_id = people["trainer"].id
    db.session.commit()
    return db.session.scalar(db.select(Lesson).where(Lesson.slug == "cost-per-box"))


def snapshot(lesson):
    db.session.refresh(lesson)
    return {
        column: getattr(lesson, column)
        for column in ("version", "updated_at", "minutes", "body_vi", "html_vi")
        + ("body_en", "html_en", "reviewed_on", "sources", "law", "title_vi")
    }


def browser_form(client):
    page = client.get(EDIT)
    assert page.status_code == 200
    return FormFields(page.get_data(as_text=True)).data


@pytest.mark.parametrize("app", ["sqlite", "postgres"], indirect=True)
def test_saving_an_imported_lesson_unchanged_changes_nothing(as_role, law_lesson):
    trainer = as_role("trainer")
    before = snapshot(law_lesson)
    form = browser_form(trainer)
    assert form["reviewed_on"] == before["reviewed_on"].isoformat()
    assert form["law"] == "y"
    assert "Nghị định 117/2025/NĐ-CP" in form["sources_text"]
    assert trainer.post(EDIT, data=form).status_code == 302
    assert snapshot(law_lesson) == before


@pytest.mark.parametrize("app", ["sqlite", "postgres"], indirect=True)
def test_trainer_records_the_check_and_the_sources(as_role, law_lesson):
    trainer = as_role("trainer")
    form = browser_form(trainer)
    form["reviewed_on"] = "2026-11-15"
    form["sources_text"] += "\n" + SOURCE
    assert trainer.post(EDIT, data=form).status_code == 302
    lesson = snapshot(law_lesson)
    assert lesson["reviewed_on"].isoformat() == "2026-11-15"
    assert lesson["sources"][1] == {
        "title": "Luật Bảo vệ quyền lợi người tiêu dùng số 19/2023/QH15",
        "issuer": "Quốc hội",
        "date": "2024-07-01",
        "url": "https://example.org/luat-19-2023",
    }
    learner = as_role("learner")
    page = learner.get("/courses/packaging-design/lessons/cost-per-box")
    html = page.get_data(as_text=True)
    assert vi("Updated %(month)s") % {"month": "tháng 11 năm 2026"} in html
    assert 'href="https://example.org/luat-19-2023"' in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"sources_text": ""},
            "A lesson marked as stating a law needs at least one source.",
        ),
        (
            {"sources_text": "", "law": None},
            "“%(reference)s” cites a legal text: add it under Sources "
            "(title | issuer | date | link).",
        ),
        (
            {"sources_text": "Nghị định 117 | Chính phủ | 1/7/2025 | https://x.vn"},
            "Line %(number)d: write title | issuer | date (YYYY-MM-DD) | link.",
        ),
        (
            {"sources_text": "Nghị định 117 | Chính phủ | 2025-07-01 | x.vn"},
            "Line %(number)d: give a title, an issuer and a link starting "
            "with http:// or https://.",
        ),
    ],
)
def test_a_lesson_stating_a_law_needs_a_source(as_role, law_lesson, change, message):
    trainer = as_role("trainer")
    before = snapshot(law_lesson)
    form = browser_form(trainer)
    form["body_vi"] += "\nMột dòng mới."
    for name, value in change.items():
        if value is None:
            form.pop(name)
        else:
            form[name] = value
    response = trainer.post(EDIT, data=form)
    assert response.status_code == 400
    expected = vi(message) % {"reference": "Nghị định 117/2025/NĐ-CP", "number": 1}
    assert expected in response.get_data(as_text=True).replace("&#34;", '"')
    assert snapshot(law_lesson) == before


def test_trainers_home_lists_their_lessons_due_for_review(
    as_role, law_lesson, mini_course
):
    trainer = as_role("trainer")
    today = local_day(utcnow())
    law_lesson.reviewed_on = today
    db.session.commit()
    home = trainer.get("/teach").get_data(as_text=True)
    heading = vi("Lessons to check before learners rely on them")
    assert heading not in home
    # Its source comes into force after the check: due, like `lms content-due`.
    law_lesson.reviewed_on = law_lesson.reviewed_on.replace(year=2025, month=1)
    db.session.commit()
    home = trainer.get("/teach").get_data(as_text=True)
    assert heading in home and f'href="{EDIT}"' in home
    # The mini course's lessons were never checked, but are not this trainer's.
    assert "/teach/courses/mini/" not in home
    form = browser_form(trainer)
    form["reviewed_on"] = today.isoformat()
    trainer.post(EDIT, data=form)
    assert heading not in trainer.get("/teach").get_data(as_text=True)
