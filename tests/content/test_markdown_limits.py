"""Markdown that would keep a worker busy for minutes is refused, with a reason,
wherever it can come in: the editor's preview, saving a lesson, importing files.

No timing is asserted: each request must come back (a thread with a generous
join timeout only guards against a hang) and say no.
"""

import threading

import pytest

from lms.content.importer import import_courses
from lms.content.parse import ContentError
from lms.content.render import markdown_problem, render_markdown
from lms.extensions import db
from lms.models import Lesson
from tests.conftest import count

PATHOLOGICAL = {
    "nested brackets": "[" * 100_000,
    "unclosed links": "[](" * 100_000,
    "5 MB of emphasis": "*a" * 2_500_000,
    "3000-level list": "\n".join("  " * level + "- x" for level in range(3000)),
    "30-level list, short": "\n".join("    " * level + "- x" for level in range(30)),
    "nested quotes, short": "> " * 40 + "x",
    "a long paragraph of links": "[a](b) " * 90 + "x" * 3000,
}
CASES = pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL)


def within_a_minute(app, call):
    """Run ``call`` in an app context; fail rather than hang if it never returns."""
    result, raised = [], []

    def run():
        with app.app_context():
            try:
                result.append(call())
            except Exception as error:  # raised again in the test's thread
                raised.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    if raised:
        raise raised[0]
    assert result, "still running after a minute"
    return result[0]


@CASES
def test_the_preview_refuses_it_with_a_reason(app, as_role, text):
    trainer = as_role("trainer")
    response = within_a_minute(
        app,
        lambda: trainer.post("/teach/preview", data={"text": text})
    )
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["error"] and answer["error"] in answer["html"]


@CASES
def test_saving_a_lesson_refuses_it_and_keeps_nothing(
    app, as_role, owned_course, text
):
    before = count(Lesson)
    trainer = as_role("trainer")
    response = within_a_minute(
        app,
        lambda: trainer.post(
            "/teach/courses/mini/lessons/new",
            data={"title_vi": "Bài lạ", "body_vi": text},
        )
    )
    assert response.status_code == 400
    assert str(markdown_problem(text)) in response.get_data(as_text=True)
    assert count(Lesson) == before


@CASES
def test_importing_refuses_it_naming_the_file(app, course_dir, text):
    lesson = course_dir / "mini" / "02-second.md"
    front, _, _ = lesson.read_text().partition("\n---\n")
    lesson.write_text(front + "\n---\n" + text + "\n")
    with pytest.raises(ContentError) as refused:
        within_a_minute(
            app,
            lambda: import_courses(course_dir, app.config["LMS_UPLOAD_DIR"])
        )
    db.session.rollback()
    assert "02-second.md" in str(refused.value)
    assert str(markdown_problem(text)) in str(refused.value)
    assert count(Lesson) == 0


def test_every_refusal_says_why_in_vietnamese(app):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        assert "ký tự" in str(markdown_problem("a" * 30_000))
        assert "lồng" in str(markdown_problem(PATHOLOGICAL["30-level list, short"]))


def test_ordinary_lessons_still_render(app):
    text = (
        "# Giá một hộp\n\n| hộp | giá |\n|---|---|\n| nhỏ | 5.000đ |\n\n"
        "- một\n    - hai\n        - ba\n\n> trích dẫn\n\n---\n\n"
        "[Zalo](https://zalo.me) ![ảnh](a.png) giá < 50.000đ\n"
    )
    assert markdown_problem(text) is None
    html = render_markdown(text)
    assert "<table>" in html and html.count("<ul>") == 3 and "<h2>" in html


def test_instructions_saved_before_the_limits_still_show_as_text(as_role, classroom):
    from lms.services import DomainError
    from lms.services.authoring import save_assignment

    course = classroom.courses[0]
    with pytest.raises(DomainError) as refused:
        save_assignment(course, "[" * 30_000, None, [("Đủ sáng", None)], True, 1)
    assert refused.value.field == "instructions_vi"
    db.session.rollback()
    assignment = save_assignment(course, "Quay video.", None, [("Rõ", None)], True, 1)
    assignment.instructions_vi = "Quay [video" + "[" * 30_000  # as stored long ago
    db.session.commit()
    page = as_role("learner").get(f"/courses/{course.slug}/practical")
    assert page.status_code == 200 and "Quay [video[[[" in page.get_data(as_text=True)
