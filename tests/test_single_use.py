"""Single-use secrets are spent exactly once, even when used at the same moment."""

import threading

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from lms import clock
from lms.clock import utcnow
from lms.extensions import db
from lms.models import (
    AuditEvent,
    Certificate,
    Classroom,
    Course,
    Enrollment,
    LessonProgress,
    Submission,
    SyncEvent,
)
from lms.services.authoring import save_assignment
from lms.services.classes import SAME_CLASS_WITHIN
from lms.services.codes import issue_code
from lms.services.learning import complete_lesson, enroll, submit_quiz
from tests.conftest import DATABASES, PHONES, sign_in
from tests.helpers import RIGHT, lesson_event

PARALLEL = 8


def at_once(app, send, signed_in_as=None):
    """``send(client, number)`` from PARALLEL phones at one moment (each signed
    in first as ``signed_in_as``, a key of PHONES, if given); what each returned."""
    barrier, answers = threading.Barrier(PARALLEL), []

    def phone(number):
        client = FlaskClient(app, app.response_class)
        client.environ_base["REMOTE_ADDR"] = f"127.0.1.{number}"
        if signed_in_as is not None:
            with app.app_context():
                sign_in(client, phone=PHONES[signed_in_as])
        barrier.wait()
        with app.app_context():
            answers.append(send(client, number))

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.parametrize("purpose", ["reset", "activation"])
@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_code_used_by_several_phones_at_once_works_once(app, learner, purpose):
    issue_code(learner, purpose, None, code="24681357")
    db.session.commit()
    data = {
        "phone": "0912345678",
        "code": "24681357",
        "password": "mới đổi mật khẩu",
        "confirm": "mới đổi mật khẩu",
    }

    def redeem(client, _number):
        return client.post("/code", data=data).status_code

    statuses = at_once(app, redeem)
    assert sorted(statuses) == [302] + [400] * (PARALLEL - 1)
    used = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == f"code.{purpose}_used")
    )
    assert used == 1


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_work_sent_from_several_requests_at_once_waits_once(app, classroom, people):
    """A double tap, or a phone resending: one piece of work waits for review."""
    save_assignment(classroom.courses[0], "Quay 1 phút.", None, [("Rõ", None)], True, 3)
    db.session.commit()

    def send(client, number):
        link = f"https://www.facebook.com/live/{number}"
        response = client.post("/courses/mini/practical", data={"link": link})
        return response.status_code, response.location

    answers = at_once(app, send, signed_in_as="learner")
    assert answers == [(302, "/courses/mini/practical")] * PARALLEL
    waiting = db.session.scalars(sa.select(Submission)).all()
    assert [work.status for work in waiting] == ["pending"]
    assert waiting[0].link.startswith("https://www.facebook.com/live/")


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_one_lesson_sent_from_several_phones_at_once_is_done_once(
    app, people, mini_course
):
    """The farmer's phone and tablet both send "lesson done", each with its own
    event id, at one moment: every event is applied, the lesson is done once."""
    enroll(people["learner"], mini_course)
    db.session.commit()

    def send(client, _number):
        events = {"events": [lesson_event("second")]}
        response = client.post("/api/v1/progress/sync", json=events)
        return response.status_code, response.get_json()["results"]

    answers = at_once(app, send, signed_in_as="learner")
    assert [status for status, _ in answers] == [200] * PARALLEL
    assert [results[0]["status"] for _, results in answers] == ["applied"] * PARALLEL
    done = db.session.scalars(sa.select(LessonProgress.lesson_id)).all()
    assert len(done) == 1
    events = db.session.scalar(sa.select(sa.func.count()).select_from(SyncEvent))
    assert events == PARALLEL


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_the_last_lessons_sent_from_two_phones_at_once_complete_the_course(
    app, people, mini_course
):
    """The quiz is passed and one lesson is left on each of two phones: both
    send at one moment, and the course is complete, with its certificate, as it
    would be had they sent one after the other."""
    learner = people["learner"]
    complete_lesson(learner, mini_course.active_lessons[0])
    submit_quiz(learner, mini_course.quiz, RIGHT)
    db.session.commit()
    today = utcnow().isoformat()  # a day already counted as active

    def send(client, number):
        lesson = ("second", "third")[number % 2]
        events = {"events": [lesson_event(lesson, at=today)]}
        response = client.post("/api/v1/progress/sync", json=events)
        return response.status_code, response.get_json()["results"][0]["status"]

    answers = at_once(app, send, signed_in_as="learner")
    assert sorted(set(answers)) == [(200, "applied")]
    enrollment = db.session.scalar(
        sa.select(Enrollment).where(Enrollment.user_id == learner.id)
    )
    assert enrollment.completed_at is not None
    held = db.session.scalars(sa.select(Certificate.course_id)).all()
    assert held == [mini_course.id]


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_questions_added_at_one_moment_are_all_kept(app, people, owned_course):
    """Two trainers of a course, or one on two phones, add questions at once:
    each is saved beside the others, none written over."""
    before = len(owned_course.quiz.questions)

    def add(client, number):
        data = {
            "text_vi": f"Câu hỏi số {number}: nên quay lúc nào?",
            "choices-0-text_vi": "Sáng sớm",
            "choices-0-correct": "y",
            "choices-1-text_vi": "Giữa trưa",
            "explanation_vi": "Ánh sáng dịu buổi sáng.",
        }
        return client.post("/teach/courses/mini/quiz/questions/new", data=data)

    answers = at_once(app, add, signed_in_as="trainer")
    assert [answer.status_code for answer in answers] == [302] * PARALLEL
    db.session.rollback()  # a fresh read, after theirs
    texts = [question["vi"] for question in owned_course.quiz.questions]
    assert len(texts) == before + PARALLEL
    assert sorted(texts[before:]) == sorted(
        f"Câu hỏi số {number}: nên quay lúc nào?" for number in range(PARALLEL)
    )


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_new_lesson_sent_twice_at_once_is_saved_once(app, people, owned_course):
    """A double tap on "Save" for a new lesson: one lesson, no error page."""
    before = [lesson.id for lesson in owned_course.lessons]

    def save(client, _number):
        data = {"title_vi": "Bài bấm hai lần", "body_vi": "Nội dung của bài."}
        return client.post("/teach/courses/mini/lessons/new", data=data)

    answers = at_once(app, save, signed_in_as="trainer")
    assert [answer.status_code for answer in answers] == [302] * PARALLEL
    db.session.rollback()  # a fresh read, after theirs
    added = [lesson for lesson in owned_course.lessons if lesson.id not in before]
    assert [(lesson.slug, lesson.title_vi) for lesson in added] == [
        ("bai-bam-hai-lan", "Bài bấm hai lần")
    ]
    assert len({answer.location for answer in answers}) == 1


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_two_lessons_retired_at_once_finish_the_course_and_leave_one(
    app, people, owned_course
):
    """Two co-editors retire the second and third lessons at one moment: the
    farmer who did the first and passed the quiz has finished; and of the last
    lessons of a published course, one is always left."""
    learner = people["learner"]
    complete_lesson(learner, owned_course.active_lessons[0])
    submit_quiz(learner, owned_course.quiz, RIGHT)
    db.session.commit()

    def retire(client, number):
        lesson = ("second", "third")[number % 2]
        url = f"/teach/courses/mini/lessons/{lesson}/archive"
        return client.post(url, data={"confirmed": "yes"}).status_code

    statuses = at_once(app, retire, signed_in_as="trainer")
    assert set(statuses) == {302}, statuses
    db.session.rollback()  # a fresh read, after theirs
    assert [lesson.slug for lesson in owned_course.active_lessons] == ["first"]
    enrollment = db.session.scalar(
        sa.select(Enrollment).where(Enrollment.user_id == learner.id)
    )
    assert enrollment.completed_at is not None

    def retire_first(client, _number):
        url = "/teach/courses/mini/lessons/first/archive"
        return client.post(url, data={"confirmed": "yes"}).status_code

    at_once(app, retire_first, signed_in_as="trainer")
    db.session.rollback()
    assert [lesson.slug for lesson in owned_course.active_lessons] == ["first"]


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_lesson_moved_by_several_taps_at_once_moves_each_time(
    app, people, owned_course
):
    def move_up(client, _number):
        url = "/teach/courses/mini/lessons/third/move"
        return client.post(url, data={"direction": "up"}).status_code

    assert set(at_once(app, move_up, signed_in_as="trainer")) == {302}
    db.session.rollback()  # a fresh read, after theirs
    lessons = owned_course.active_lessons
    assert [lesson.slug for lesson in lessons] == ["third", "first", "second"]
    assert len({lesson.position for lesson in lessons}) == 3


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_new_course_sent_twice_at_once_is_made_once(app, people):
    """A double tap on "Create" on the training day's slow network: one draft,
    and every tap lands on it."""

    def create(client, _number):
        data = {"title_vi": "Bán hàng mùa vải", "summary_vi": "Chuẩn bị mùa vụ."}
        return client.post("/teach/courses/new", data=data)

    answers = at_once(app, create, signed_in_as="trainer")
    assert [answer.status_code for answer in answers] == [302] * PARALLEL
    db.session.rollback()  # a fresh read, after theirs
    made = db.session.scalars(
        sa.select(Course.slug).where(Course.title_vi == "Bán hàng mùa vải")
    ).all()
    assert made == ["ban-hang-mua-vai"]
    assert {answer.location for answer in answers} == {
        "/teach/courses/ban-hang-mua-vai"
    }


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_new_courses_of_one_title_at_once_get_slugs_of_their_own(app, people):
    """Several different courses that share a title, created at one moment:
    each is made, none fails on another's address."""

    def create(client, number):
        data = {"title_vi": "Đóng gói", "summary_vi": f"Lớp số {number}."}
        return client.post("/teach/courses/new", data=data)

    answers = at_once(app, create, signed_in_as="trainer")
    assert [answer.status_code for answer in answers] == [302] * PARALLEL
    db.session.rollback()
    slugs = db.session.scalars(
        sa.select(Course.slug).where(Course.title_vi == "Đóng gói")
    ).all()
    assert len(set(slugs)) == PARALLEL


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_new_class_sent_twice_at_once_is_opened_once(app, people, owned_course):
    """One class, one join code for the farmers, whichever tap got through."""
    commune = people["trainer"].area_id
    data = {
        "name": "Lớp livestream sáng",
        "place": "Nhà văn hoá",
        "area": commune,
        "courses": owned_course.id,
    }

    def open_class(client, _number):
        return client.post("/teach/classes/new", data=data)

    answers = at_once(app, open_class, signed_in_as="trainer")
    assert [answer.status_code for answer in answers] == [302] * PARALLEL
    db.session.rollback()
    opened = db.session.scalars(
        sa.select(Classroom).where(Classroom.name == "Lớp livestream sáng")
    ).all()
    assert len(opened) == 1
    assert {answer.location for answer in answers} == {f"/teach/classes/{opened[0].id}"}
    # Later, the same class again is a class of its own (a second session).
    clock.travel(SAME_CLASS_WITHIN)
    try:
        client = FlaskClient(app, app.response_class)
        sign_in(client, phone=PHONES["trainer"])
        again = client.post("/teach/classes/new", data=data)
    finally:
        clock.reset()
    assert again.location != answers[0].location
    assert count_classes("Lớp livestream sáng") == 2


def count_classes(name):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Classroom).where(Classroom.name == name)
    )
