"""Each process keeps a copy of the published courses it serves
(lms.services.course_views): an author's change reaches every process at once,
and no request can change the copy."""

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.extensions import db
from lms.models import Course, Lesson
from lms.services.course_views import published_course
from tests.conftest import DATABASES
from tests.forms import form_fields
from tests.helpers import PHONES, sign_in

EDIT = "/teach/courses/mini/lessons/second/edit"


@pytest.fixture
def other_process(app, config, owned_course):
    """The same site served by another process: an app of its own, on the same
    database, with its own copies of the courses."""
    other = create_app(config)  # the app fixture put its database in ``config``
    other.test_client_class = app.test_client_class

    def client(role):
        browser = other.test_client()
        sign_in(browser, phone=PHONES[role])
        return browser

    yield client
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def text(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_an_authors_change_reaches_a_process_that_kept_the_course(
    as_role, other_process
):
    here = as_role("learner")
    lesson = text(here.get("/courses/mini/lessons/second"))  # the copy is made
    assert "New paragraph" not in lesson
    trainer = other_process("trainer")
    form = dict(form_fields(text(trainer.get(EDIT)), EDIT))
    form["body_vi"] += "\n\nNew paragraph for the farmers."
    form["title_vi"] = "Second, rewritten"
    assert trainer.post(EDIT, data=form).status_code == 302

    lesson = text(here.get("/courses/mini/lessons/second"))
    assert "New paragraph for the farmers." in lesson
    assert "Second, rewritten" in text(here.get("/courses/mini"))

    archive = "/teach/courses/mini/lessons/third/archive"
    assert trainer.post(archive, data={"confirmed": "yes"}).status_code == 302
    assert here.get("/courses/mini/lessons/third").status_code == 404
    assert "/courses/mini/lessons/third" not in text(here.get("/courses/mini"))

    unpublish = "/teach/courses/mini/unpublish"
    assert trainer.post(unpublish, data={"confirmed": "yes"}).status_code == 302
    assert here.get("/courses/mini/lessons/second").status_code == 404
    assert here.get("/courses/mini").status_code == 404


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_change_moves_the_courses_content_version_once_per_flush(app, mini_course):
    def version():
        return db.session.scalar(
            sa.select(Course.content_version).where(Course.slug == "mini")
        )

    start = version()
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "first"))
    quiz = mini_course.quiz
    lesson.minutes += 1
    quiz.pass_mark = 60
    db.session.commit()
    assert version() == start + 1  # one flush, one move however many parts
    lesson.minutes = lesson.minutes  # set to what it was: not a change
    db.session.commit()
    assert version() == start + 1
    db.session.add(Lesson(course=mini_course, slug="fourth", title_vi="Bốn"))
    db.session.commit()
    assert version() == start + 2


def test_a_request_cannot_change_the_copy(app, mini_course):
    copy = published_course("mini")
    assert [lesson.slug for lesson in copy.active_lessons] == [
        "first",
        "second",
        "third",
    ]
    assert copy.active_lessons[0].course is copy
    assert not hasattr(copy.active_lessons[0], "body_vi")  # authors only
    with pytest.raises(AttributeError):
        copy.title_vi = "changed"
    with pytest.raises(TypeError):
        copy.quiz.questions[0]["choices"] = []
    assert published_course("mini") is copy  # kept: nothing changed


def test_drafts_and_archived_courses_are_not_kept(app, mini_course):
    mini_course.status = "draft"
    db.session.commit()
    assert published_course("mini") is None
    mini_course.status, mini_course.archived_at = "published", mini_course.updated_at
    db.session.commit()
    assert published_course("mini") is None
    assert published_course("no-such-course") is None
