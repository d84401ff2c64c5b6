"""The sync service, called directly: offline events applied at most once, each
answered, a bad one never stopping the rest of the batch."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.clock import utcnow
from lms.extensions import db
from lms.models import LessonProgress, QuizAttempt, SyncEvent
from lms.services.learning import enroll
from lms.services.papers import PaperSeal
from lms.services.sync import Replies, apply_events
from tests.helpers import RIGHT, count, lesson_event, make_user, vi


@pytest.fixture
def replies(app):
    return Replies(
        attempt_url=lambda attempt: f"/attempts/{attempt.id}",
        seal=PaperSeal("test"),
        locale="vi",
    )


@pytest.fixture
def farmer(app, mini_course):
    farmer = make_user()
    enroll(farmer, mini_course)
    db.session.commit()
    return farmer


def sync(farmer, replies, *events):
    results = apply_events(farmer, list(events), replies)
    db.session.commit()
    return results


def statuses(results):
    return [result["status"] for result in results]


def test_an_event_sent_twice_is_applied_once(farmer, replies):
    event = lesson_event("first")
    assert statuses(sync(farmer, replies, event)) == ["applied"]
    assert statuses(sync(farmer, replies, event, event)) == ["duplicate", "duplicate"]
    assert count(LessonProgress) == 1 and count(SyncEvent) == 1


def test_an_id_used_for_something_else_is_refused(farmer, replies, mini_course):
    first = lesson_event("first")
    sync(farmer, replies, first)
    reused = lesson_event("second", id=first["id"])
    other = make_user(phone="0912000999")
    enroll(other, mini_course)
    db.session.commit()
    for who in (farmer, other):
        [result] = sync(who, replies, reused)
        assert result["status"] == "rejected"
        assert result["error"] == vi(
            "This event id was already used for something else."
        )
    lessons = db.session.scalars(sa.select(LessonProgress.user_id)).all()
    assert lessons == [farmer.id]


def test_each_bad_event_is_refused_and_the_rest_of_the_batch_applied(
    farmer, replies, mini_course
):
    results = sync(
        farmer,
        replies,
        lesson_event(id="short"),
        lesson_event(type="lesson.skip"),
        lesson_event(extra="field"),
        lesson_event(course="no-such-course"),
        lesson_event("no-such-lesson"),
        "not an event",
        lesson_event("second"),
    )
    assert statuses(results) == ["rejected"] * 6 + ["applied"]
    assert all(result["error"] for result in results[:6])
    assert len({result["error"] for result in results[:6]}) >= 5  # says which
    [done] = db.session.scalars(sa.select(LessonProgress)).all()
    assert done.lesson.slug == "second"


def test_a_course_the_farmer_is_not_in_is_refused(app, mini_course, replies):
    stranger = make_user(phone="0912000999")
    [result] = sync(stranger, replies, lesson_event("first"))
    assert result["status"] == "rejected"
    assert count(LessonProgress) == 0


def test_the_phone_clock_is_believed_only_within_what_can_be_true(farmer, replies):
    before = utcnow()
    yesterday = (before - timedelta(days=1)).replace(microsecond=0)
    sync(
        farmer,
        replies,
        lesson_event("first", at=yesterday.isoformat() + "Z"),
        lesson_event("second", at="2099-01-01T00:00:00Z"),
        lesson_event("third", at="not a time"),
    )
    done = {
        row.lesson.slug: row.completed_at
        for row in db.session.scalars(sa.select(LessonProgress))
    }
    assert done["first"] == yesterday
    assert before <= done["second"] <= utcnow()
    assert before <= done["third"] <= utcnow()


def marked(paper, answers):
    """Ticks by place on the paper, as the saved quiz page sends them."""
    return {
        qid: [str(choices.index(choice)) for choice in answers[qid]]
        for qid, choices in paper.questions
    }


def test_a_quiz_answered_offline_is_graded_on_its_paper(farmer, replies, mini_course):
    quiz = mini_course.quiz
    paper = replies.seal.draw(quiz)
    event = {
        "id": "quiz-0001",
        "type": "quiz.submit",
        "course": "mini",
        "paper": replies.seal.seal(paper, quiz),
        "answers": marked(paper, RIGHT),
        "at": "2026-01-01T08:00:00Z",
    }
    [result] = sync(farmer, replies, event)
    attempt = db.session.scalar(sa.select(QuizAttempt))
    assert result == {
        "id": "quiz-0001",
        "status": "applied",
        "quiz": {
            "score": 100,
            "passed": True,
            "attempt": f"/attempts/{attempt.id}",
            "message": result["quiz"]["message"],
        },
    }
    assert "100%" in result["quiz"]["message"]
    assert attempt.score == 100 and attempt.user_id == farmer.id


def test_a_quiz_with_a_blank_question_or_a_forged_paper_saves_nothing(
    farmer, replies, mini_course
):
    quiz = mini_course.quiz
    paper = replies.seal.draw(quiz)
    token = replies.seal.seal(paper, quiz)
    first_qid = paper.questions[0][0]
    blank = marked(paper, RIGHT) | {first_qid: []}
    forged = PaperSeal("not the server's key").seal(paper, quiz)
    results = sync(
        farmer,
        replies,
        {
            "id": "quiz-0001",
            "type": "quiz.submit",
            "course": "mini",
            "paper": token,
            "answers": blank,
            "at": "2026-01-01T08:00:00Z",
        },
        {
            "id": "quiz-0002",
            "type": "quiz.submit",
            "course": "mini",
            "paper": forged,
            "answers": marked(paper, RIGHT),
            "at": "2026-01-01T08:00:00Z",
        },
    )
    assert statuses(results) == ["rejected", "rejected"]
    assert "1" in results[0]["error"]  # the question left blank
    assert count(QuizAttempt) == 0 and count(SyncEvent) == 0
