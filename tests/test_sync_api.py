"""The sync API: each offline event applied at most once, decided by the server."""

import uuid

import pytest
import schemathesis
import sqlalchemy as sa
from schemathesis.checks import not_a_server_error

from lms.extensions import db
from lms.models import Enrollment, LessonProgress, QuizAttempt, SyncEvent
from tests.conftest import DATABASES, PHONES, sign_in
from tests.helpers import RIGHT, WRONG, lesson_event
from tests.quiz_pages import fill, fill_page, shown


def quiz_event(client, answers=RIGHT, **extra):
    """Answers ticked on the quiz page the phone saved, as offline.js sends them."""
    ticked = fill(client, "mini", answers)
    paper = ticked.pop("quiz_paper")
    return {
        "id": str(uuid.uuid4()),
        "type": "quiz.submit",
        "course": "mini",
        "paper": paper,
        "answers": ticked,
        **extra,
    }


def sync(client, *events):
    response = client.post("/api/v1/progress/sync", json={"events": list(events)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


@pytest.fixture
def farmer(as_role, owned_course, people):
    client = as_role("learner")
    client.post("/courses/mini/enroll")
    return client


def test_events_apply_and_report_in_order(farmer):
    results = sync(farmer, lesson_event("first"), lesson_event("second"))
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert db.session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 2


def test_replay_returns_the_same_result_and_applies_once(farmer):
    event = quiz_event(farmer)
    first = sync(farmer, event)[0]
    again = sync(farmer, event)[0]
    assert first["status"] == "applied" and again["status"] == "duplicate"
    assert again["quiz"] == first["quiz"]
    assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 1


def test_same_id_with_another_body_is_refused(farmer):
    event = lesson_event("first")
    sync(farmer, event)
    result = sync(farmer, {**event, "lesson": "second"})[0]
    assert result["status"] == "rejected" and result["error"]
    assert db.session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 1


def test_an_id_used_by_someone_else_is_refused(farmer, as_role, people):
    event = lesson_event("first")
    sync(farmer, event)
    classmate = as_role("classmate")
    classmate.post("/courses/mini/enroll")
    assert sync(classmate, event)[0]["status"] == "rejected"


def test_out_of_order_events_still_complete_the_course(farmer, people):
    results = sync(
        farmer,
        quiz_event(farmer),
        lesson_event("third"),
        lesson_event("first"),
        lesson_event("second"),
    )
    assert {r["status"] for r in results} == {"applied"}
    assert (
        db.session.scalar(
            sa.select(Enrollment.completed_at).filter_by(user_id=people["learner"].id)
        )
        is not None
    )


def test_one_bad_event_does_not_stop_the_others(farmer):
    results = sync(
        farmer,
        lesson_event("first"),
        lesson_event("no-such-lesson"),
        {"type": "lesson.complete"},
        "not an object",
        {**lesson_event("second"), "type": "lesson.teleport"},
        {**lesson_event("second"), "type": ["lesson.complete"]},
        {**lesson_event("second"), "lesson": ["second"], "course": {"slug": "mini"}},
        lesson_event("third"),
    )
    statuses = [r["status"] for r in results]
    assert statuses == ["applied"] + ["rejected"] * 6 + ["applied"]
    assert all(r["error"] for r in results if r["status"] == "rejected")


def test_the_user_is_the_session_never_the_body(farmer, people):
    result = sync(farmer, lesson_event("first", user_id=people["classmate"].id))[0]
    assert result["status"] == "rejected" and "user_id" in result["error"]
    assert db.session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 0


def test_a_course_not_enrolled_in_is_refused(as_role, owned_course):
    client = as_role("classmate")
    result = sync(client, lesson_event("first"))[0]
    assert result["status"] == "rejected"
    assert db.session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 0


def test_a_score_claimed_by_the_client_is_never_trusted(farmer):
    claimed = sync(farmer, quiz_event(farmer, WRONG, score=100, passed=True))[0]
    assert claimed["status"] == "rejected"
    graded = sync(farmer, quiz_event(farmer, WRONG))[0]
    assert graded["quiz"]["passed"] is False and graded["quiz"]["score"] == 0
    attempt = db.session.scalar(sa.select(QuizAttempt))
    assert attempt.passed is False


def test_a_half_answered_quiz_is_refused_with_a_clear_message(farmer):
    page = farmer.get("/courses/mini/quiz").get_data(as_text=True)
    ticked = fill_page(page, "mini", {"sprayed": "a"})
    blank = [qid for qid, _, _ in shown(page)[1]].index("before-live") + 1
    event = {
        **quiz_event(farmer),
        "paper": ticked.pop("quiz_paper"),
        "answers": {**ticked, "before-live": []},
    }
    result = sync(farmer, event)[0]
    assert result["status"] == "rejected"
    assert result["error"] == (
        "Câu trả lời bài kiểm tra “Khoá học nhỏ” chưa được lưu: câu "
        f"{blank} chưa được trả lời. Hãy mở lại bài kiểm tra và trả lời đủ mọi câu."
    )
    assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(SyncEvent.id))) == 0
    assert db.session.scalar(sa.select(Enrollment.completed_at)) is None


def test_a_synced_quiz_reports_its_score_and_verdict(farmer):
    passed = sync(farmer, quiz_event(farmer))[0]["quiz"]
    assert passed["message"] == "Bài kiểm tra “Khoá học nhỏ”: 100%, đạt."
    failed = sync(farmer, quiz_event(farmer, WRONG))[0]["quiz"]
    assert failed["message"] == "Bài kiểm tra “Khoá học nhỏ”: 0%, chưa đạt."
    assert farmer.get(failed["attempt"]).status_code == 200


def test_answers_need_the_paper_they_were_given_on(farmer, owned_course):
    event = quiz_event(farmer)
    by_choice_id = {**event, "answers": {"sprayed": ["a"], "before-live": ["a", "b"]}}
    without_paper = {k: v for k, v in event.items() if k != "paper"}
    forged = {**event, "paper": event["paper"][:-2] + "xx"}
    odd_digits = {**event, "answers": {q: ["²"] for q in event["answers"]}}
    results = sync(
        farmer,
        *(
            {**e, "id": str(uuid.uuid4())}
            for e in (by_choice_id, without_paper, forged, odd_digits)
        ),
    )
    assert [r["status"] for r in results] == ["rejected"] * 4
    assert all(r["error"] for r in results)
    questions = list(owned_course.quiz.questions)
    questions[0] = {**questions[0], "vi": "Câu hỏi đã sửa lại?"}
    owned_course.quiz.questions = questions
    db.session.commit()
    stale = sync(farmer, event)[0]
    assert stale["status"] == "rejected" and "đã thay đổi" in stale["error"]
    assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 0


def test_progress_never_goes_backwards_and_times_stay_plausible(farmer):
    sync(farmer, lesson_event("first"))
    before = db.session.scalar(sa.select(LessonProgress.completed_at))
    sync(farmer, {**lesson_event("first"), "at": "2020-01-01T00:00:00Z"})
    sync(farmer, {**lesson_event("first"), "at": "2999-01-01T00:00:00Z"})
    assert db.session.scalar(sa.select(LessonProgress.completed_at)) == before
    assert db.session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 1
    future = sync(farmer, {**lesson_event("second"), "at": "2999-01-01T00:00:00Z"})[0]
    assert future["status"] == "applied"
    latest = db.session.scalar(sa.select(sa.func.max(LessonProgress.completed_at)))
    assert latest.year < 2999


@pytest.mark.parametrize(
    "body",
    [None, {}, {"events": []}, {"events": "x"}, {"events": [lesson_event()] * 101}],
    ids=["no-json", "no-events", "empty", "not-a-list", "too-many"],
)
def test_malformed_batches_are_refused_whole(farmer, body):
    response = farmer.post("/api/v1/progress/sync", json=body)
    assert response.status_code == 400 and response.get_json()["error"]
    assert db.session.scalar(sa.select(sa.func.count(SyncEvent.id))) == 0


def test_signed_out_gets_401_json(as_role, owned_course):
    response = as_role(None).post("/api/v1/progress/sync", json={"events": []})
    assert response.status_code == 401 and response.get_json()["error"]


def test_sync_needs_the_csrf_token(app, owned_course, people):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={
            "phone": PHONES["learner"],
            "password": "vải thiều chín đỏ",
            "csrf_token": token,
        },
    )
    # Signing in starts a new session: the page after it carries the live token.
    page = client.get("/me/learning").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    refused = client.post("/api/v1/progress/sync", json={"events": [lesson_event()]})
    assert refused.status_code == 400 and refused.is_json
    accepted = client.post(
        "/api/v1/progress/sync",
        json={"events": [lesson_event()]},
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 200


def test_offline_manifest_lists_what_to_download(farmer, owned_course):
    manifest = farmer.get("/api/v1/courses/mini/offline").get_json()
    assert manifest["course"] == "mini" and manifest["bytes"] > 0
    assert "/courses/mini/lessons/first" in manifest["urls"]
    assert "/courses/mini/quiz" in manifest["urls"]
    assert any(u.startswith("/media/content/") for u in manifest["urls"])
    assert any(u.startswith("/static/css/app.css") for u in manifest["urls"])
    owned_course.status = "draft"
    db.session.commit()
    assert farmer.get("/api/v1/courses/mini/offline").status_code == 404


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_sync_on_both_databases(app, farmer):
    event = lesson_event("first")
    assert sync(farmer, event)[0]["status"] == "applied"
    assert sync(farmer, event)[0]["status"] == "duplicate"


def test_api_never_answers_with_a_server_error(app, owned_course, people):
    """schemathesis generates requests from the OpenAPI document, signed in and out.

    Its strategies are driven directly: its pytest plugin does not load under
    pytest 9.
    """
    import itertools

    from hypothesis import HealthCheck, given, settings
    from schemathesis.generation import GenerationMode

    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500, as in production
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    client = app.test_client()
    sign_in(client, phone=PHONES["learner"])
    session = client.get_cookie("session").value
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/v1/progress/sync",
        "/api/v1/courses/{slug}/offline",
    }
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=40, deadline=None, suppress_health_check=list(HealthCheck)
        )
        def check(case):
            # Each call in its own app context, as a server gives every request.
            with app.app_context():
                case.call_and_validate(checks=[not_a_server_error])  # signed out
            case.cookies = {**(case.cookies or {}), "session": session}
            with app.app_context():
                case.call_and_validate(checks=[not_a_server_error])

        check()


def test_an_event_not_in_the_stated_form_says_which_part_is_wrong(farmer):
    bad_lesson = {**lesson_event("first"), "lesson": 7}
    no_course = {k: v for k, v in lesson_event("first").items() if k != "course"}
    bad_answers = {**quiz_event(farmer), "answers": {"sprayed": "a"}}
    short_id = {**lesson_event("first"), "id": "short"}
    odd_clock = {**lesson_event("second"), "at": 1764000000}
    results = sync(farmer, bad_lesson, no_course, bad_answers, short_id, odd_clock)
    assert [r.get("error") for r in results] == [
        "Bài học này không tồn tại.",
        "Khoá học này không tồn tại.",
        "Câu trả lời không đúng định dạng.",
        "Sự kiện không có mã hợp lệ.",
        None,  # a phone's clock may be anything: the time it arrived is taken
    ]
    assert db.session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 1
