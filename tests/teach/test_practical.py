"""Practical work from a phone, reviewed by the trainer, feeding completion."""

import io
import re

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Area, AuditEvent, Certificate, Enrollment, Submission
from lms.services.authoring import save_assignment
from lms.services.learning import complete_lesson, submit_quiz
from tests.conftest import DATABASES, count, jpeg
from tests.helpers import vi


@pytest.fixture
def assignment(classroom, people):
    course = classroom.courses[0]
    # A trainer of the other commune: neither the learner's class nor their area.
    people["other_trainer"].area = db.session.scalar(
        sa.select(Area).where(Area.code == "P-B")
    )
    assignment = save_assignment(
        course,
        "Quay 1 phút giới thiệu vườn.",
        None,
        [("Đủ sáng", None), ("Nghe rõ", None)],
        True,
        3,
    )
    db.session.commit()
    return assignment


def send(client, **data):
    return client.post("/courses/mini/practical", data=data)


def approve(client, submission_id, feedback="Tốt lắm", decision="approve", **rubric):
    """Judge the work as a trainer would: from its page (which version they saw)."""
    form = client.get(f"/teach/reviews/{submission_id}").get_data(as_text=True)
    seen = re.search(r'name="seen" value="([^"]*)"', form)
    data = {"decision": decision, "feedback": feedback, "seen": seen and seen[1]}
    data.update({f"rubric-{k.replace('_', '-')}": v for k, v in rubric.items()})
    return client.post(f"/teach/reviews/{submission_id}", data=data)


def test_farmer_sends_photos_and_a_link(app, as_role, assignment):
    response = send(
        as_role("learner"),
        link="https://www.facebook.com/live/123",
        photos=[(jpeg(3000, 2000), "IMG_0001.JPG"), (jpeg(800, 600), "b.png")],
    )
    assert response.status_code == 302
    submission = db.session.scalar(sa.select(Submission))
    assert submission.status == "pending" and len(submission.photos) == 2
    assert all(re.fullmatch(r"[0-9a-f]{32}\.webp", name) for name in submission.photos)
    page = as_role("learner").get("/courses/mini/practical").get_data(as_text=True)
    assert vi("Sent: waiting for your trainer's review") in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"link": "javascript:alert(1)"},
        {"link": "not a link"},
        {"photos": [(io.BytesIO(b"<svg/>"), "a.jpg")]},
        {"photos": [(jpeg(), f"{n}.jpg") for n in range(4)]},
    ],
    ids=["nothing", "script-link", "not-a-link", "not-a-photo", "too-many"],
)
def test_bad_hand_in_is_refused_and_saves_nothing(app, as_role, assignment, data):
    response = send(as_role("learner"), **data)
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
    assert count(Submission) == 0


def test_a_refused_photo_leaves_no_stored_photos_behind(app, as_role, assignment):
    from pathlib import Path

    response = send(
        as_role("learner"),
        photos=[(jpeg(), "good.jpg"), (io.BytesIO(b"not a photo"), "bad.jpg")],
    )
    assert response.status_code == 400
    folder = Path(app.config["LMS_UPLOAD_DIR"]) / "submissions"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_trainer_approves_from_the_queue_and_the_course_completes(
    as_role, assignment, people
):
    learner = people["learner"]
    course = assignment.course
    for lesson in course.lessons:
        complete_lesson(learner, lesson)
    submit_quiz(learner, course.quiz, {"sprayed": ["a"], "before-live": ["a", "b"]})
    db.session.commit()
    assert (
        db.session.scalar(
            sa.select(Enrollment.completed_at).filter_by(user_id=learner.id)
        )
        is None
    )  # practical work still to do
    send(as_role("learner"), link="https://www.tiktok.com/@vuonvai/live")
    trainer = as_role("trainer")
    queue = trainer.get("/teach/reviews").get_data(as_text=True)
    submission = db.session.scalar(sa.select(Submission))
    assert f"/teach/reviews/{submission.id}" in queue
    response = approve(trainer, submission.id, du_sang="pass", nghe_ro="pass")
    assert response.status_code == 302
    db.session.refresh(submission)
    assert submission.status == "approved" and submission.rubric == {
        "du-sang": "pass",
        "nghe-ro": "pass",
    }
    assert (
        db.session.scalar(
            sa.select(Enrollment.completed_at).filter_by(user_id=learner.id)
        )
        is not None
    )
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "submission.approved")
    )
    page = as_role("learner").get("/courses/mini").get_data(as_text=True)
    assert 'value="100"' in page


def test_returned_work_shows_feedback_and_can_be_sent_again(as_role, assignment):
    send(as_role("learner"), link="https://example.com/v/0")
    # While it waits, sending again replaces it: still one piece of work.
    assert send(as_role("learner"), link="https://example.com/v/1").status_code == 302
    first = db.session.scalar(sa.select(Submission))
    assert (count(Submission), first.link) == (1, "https://example.com/v/1")
    trainer = as_role("trainer")
    no_feedback = approve(
        trainer,
        first.id,
        feedback="",
        decision="return",
        du_sang="needs_work",
        nghe_ro="pass",
    )
    assert no_feedback.status_code == 400
    missing_criterion = approve(trainer, first.id, decision="return", du_sang="pass")
    assert missing_criterion.status_code == 400
    approve(
        trainer,
        first.id,
        feedback="Quay lúc sáng sớm cho đủ sáng.",
        decision="return",
        du_sang="needs_work",
        nghe_ro="pass",
    )
    page = as_role("learner").get("/courses/mini/practical").get_data(as_text=True)
    assert "Quay lúc sáng sớm cho đủ sáng." in page
    # The new try starts from what was sent: a farmer who only adds a photo
    # does not lose the link the trainer saw.
    assert 'value="https://example.com/v/1"' in page
    assert send(as_role("learner"), link="https://example.com/v/3").status_code == 302
    assert count(Submission) == 2


def test_photos_are_shown_only_to_the_author_their_trainer_and_admins(
    as_role, assignment
):
    send(as_role("learner"), photos=[(jpeg(), "a.jpg")])
    submission = db.session.scalar(sa.select(Submission))
    url = f"/submissions/{submission.id}/photos/0"
    expected = {
        "learner": 200,
        "trainer": 200,
        "admin": 200,
        "classmate": 403,
        "other_trainer": 403,
        "official": 403,
        None: 302,
    }
    for role, status in expected.items():
        with as_role(role).get(url) as response:
            assert response.status_code == status, role
            if status == 200:
                assert response.headers["Cache-Control"].startswith("private")
    with as_role("learner").get(f"/submissions/{submission.id}/photos/5") as response:
        assert response.status_code == 404


def test_other_trainers_do_not_see_or_review_the_work(as_role, assignment):
    send(as_role("learner"), link="https://example.com/v/1")
    submission = db.session.scalar(sa.select(Submission))
    other = as_role("other_trainer")
    assert f"/teach/reviews/{submission.id}" not in other.get(
        "/teach/reviews"
    ).get_data(as_text=True)
    assert (
        approve(other, submission.id, du_sang="pass", nghe_ro="pass").status_code == 403
    )
    db.session.refresh(submission)
    assert submission.status == "pending"


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("facebook.com/vuonvai/live", "https://facebook.com/vuonvai/live"),
        (" www.tiktok.com/@vuonvai ", "https://www.tiktok.com/@vuonvai"),
        ("http://shopee.vn/vai", "http://shopee.vn/vai"),
    ],
)
def test_a_link_without_https_is_taken_as_https(as_role, assignment, typed, stored):
    assert send(as_role("learner"), link=typed).status_code == 302
    assert db.session.scalar(sa.select(Submission.link)) == stored


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_approving_with_a_criterion_not_passed_is_refused_and_changes_nothing(
    app, as_role, assignment, people
):
    learner = people["learner"]
    course = assignment.course
    for lesson in course.lessons:
        complete_lesson(learner, lesson)
    submit_quiz(learner, course.quiz, {"sprayed": ["a"], "before-live": ["a", "b"]})
    db.session.commit()
    send(as_role("learner"), link="https://example.com/v/1")
    submission = db.session.scalar(sa.select(Submission))
    trainer = as_role("trainer")
    for feedback in ("", "Được rồi"):
        response = approve(
            trainer, submission.id, feedback, du_sang="needs_work", nghe_ro="pass"
        )
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "Chỉ duyệt được khi bài đạt mọi tiêu chí" in page
        assert 'value="needs_work" checked' in page  # the judgement is kept
    db.session.refresh(submission)
    assert (submission.status, submission.rubric, submission.reviewer_id) == (
        "pending",
        {},
        None,
    )
    assert not db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action.like("submission.%"))
    )
    assert count(Certificate) == 0
    learner_page = as_role("learner").get("/courses/mini/practical")
    assert "Đã duyệt" not in learner_page.get_data(as_text=True)
