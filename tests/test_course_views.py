"""Each process keeps a copy of the published courses it serves
(lms.services.course_views): an author's change reaches every process at once,
and no request can change the copy."""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms import create_app
from lms.clock import utcnow
from lms.extensions import db
from lms.models import Course, Lesson
from lms.services.catalogue import find_course_with_parts
from lms.services.course_views import CourseView, published_course
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


def shape(view):
    """Everything a copy says, as plain data (its version aside)."""
    if view is None:
        return None

    def fields(part):
        return part and {k: v for k, v in vars(part).items() if k != "course"}

    return {
        **{k: v for k, v in fields(view).items() if k not in ("content_version",)}
        | {"lessons": [fields(lesson) for lesson in view.lessons]},
        "quiz": fields(view.quiz),
        "assignment": fields(view.assignment),
    }


def change(course, action, number):
    """One author's change of the course or one of its parts, as the editors
    make them (each part's own columns, JSON values replaced whole)."""
    lessons = course.lessons
    lesson = lessons[number % len(lessons)]
    if action == "retitle":
        lesson.title_vi = f"Bài {number}"
    elif action == "rewrite":
        lesson.html_vi = f"<p>Nội dung {number}</p>"
    elif action == "sources":
        lesson.sources = [{"title": f"Nguồn {number}", "date": "2026-01-01"}]
    elif action == "archive" and len(course.active_lessons) > 1:
        lesson.archived_at = lesson.archived_at or course.updated_at
    elif action == "restore":
        lesson.archived_at = None
    elif action == "move":
        other = lessons[(number + 1) % len(lessons)]
        lesson.position, other.position = other.position, lesson.position
    elif action == "add":
        course.lessons.append(
            Lesson(slug=f"them-{len(lessons)}", title_vi="Bài thêm", position=99)
        )
    elif action == "pass_mark":
        course.quiz.pass_mark = 50 + number % 50
    elif action == "drop_question" and len(course.quiz.questions) > 1:
        course.quiz.questions = course.quiz.questions[1:]
    elif action == "quiz_off":
        course.quiz.archived_at = None if course.quiz.archived_at else utcnow()
    elif action == "course_title":
        course.title_vi = f"Khoá {number}"
    elif action == "status":
        course.status = "draft" if course.status == "published" else "published"


ACTIONS = st.sampled_from(
    "retitle rewrite sources archive restore move add pass_mark drop_question"
    " quiz_off course_title status nothing".split()
)


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_the_copy_always_says_what_the_database_holds(app, mini_course):
    """After any run of changes, each committed, the copy a process reads equals
    the course loaded afresh from the database."""

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(st.tuples(ACTIONS, st.integers(0, 20)), min_size=1, max_size=8))
    def run(steps):
        for action, number in steps:
            published_course("mini")  # a reader between every two changes
            course = find_course_with_parts("mini")
            change(course, action, number)
            db.session.commit()
            copy = published_course("mini")
            db.session.expire_all()
            fresh = find_course_with_parts("mini")
            expected = CourseView.of(fresh) if fresh.is_published else None
            assert shape(copy) == shape(expected), action
            db.session.rollback()

    run()
