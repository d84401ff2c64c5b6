"""Actions that cannot be undone ask first, on a page of their own (no JS needed)."""

import re

from lms.extensions import db
from lms.models import Certificate, Course, Lesson
from tests.conftest import course_by_slug
from tests.forms import every_row


def asks_then_does(client, url, data, question):
    """The first press shows the question and changes nothing; yes does it."""
    before = every_row()
    asked = client.post(url, data=data)
    assert asked.status_code == 200 and question in asked.text
    assert every_row() == before
    assert 'name="confirmed" value="yes"' in asked.text
    cancel = re.search(r'href="([^"]+)">Huỷ<', asked.text)
    assert cancel, "a way back without doing it"
    done = client.post(url, data=data | {"confirmed": "yes"})
    assert done.status_code == 302
    return asked


def test_revoking_a_certificate_asks_first(as_role, card):  # noqa: F811
    asked = asks_then_does(
        as_role("admin"),
        f"/admin/certificates/{card.code}/revoke",
        {"reason": "Bán hàng giả"},
        "Thu hồi chứng nhận của",
    )
    assert "Bán hàng giả" in asked.text  # the reason is shown before it is final
    assert db.session.get(Certificate, card.id).revoked_at is not None


def test_the_revoke_reason_label_names_its_box(as_role, card):  # noqa: F811
    page = as_role("admin").get(f"/admin/certificates?q={card.code}").text
    label = re.search(r'<label for="([^"]+)">Lý do', page).group(1)
    assert re.search(rf'<textarea[^>]*\bid="{label}"', page)


def test_retiring_a_lesson_asks_first(as_role, owned_course):
    asks_then_does(
        as_role("trainer"),
        "/teach/courses/mini/lessons/first/archive",
        {},
        "Ngừng dùng bài",
    )
    lessons = [lesson.slug for lesson in course_by_slug("mini").active_lessons]
    assert lessons == ["second", "third"]


def test_deleting_a_quiz_question_asks_first(as_role, owned_course):
    asks_then_does(
        as_role("trainer"),
        "/teach/courses/mini/quiz/questions/sprayed/delete",
        {},
        "Xoá câu hỏi",
    )
    questions = [q["id"] for q in course_by_slug("mini").quiz.questions]
    assert questions == ["before-live"]


def test_unpublishing_asks_first(as_role, owned_course):
    asks_then_does(
        as_role("trainer"), "/teach/courses/mini/unpublish", {}, "Thôi xuất bản"
    )
    assert db.session.get(Course, owned_course.id).status == "draft"


def test_retiring_a_lesson_retired_a_moment_ago_is_no_error(as_role, owned_course):
    """A second tab, a double tap arriving late, or a co-editor: the lesson is
    already retired, which is what was asked."""
    phone, laptop = as_role("trainer"), as_role("trainer")
    url = "/teach/courses/mini/lessons/second/archive"
    assert phone.post(url, data={"confirmed": "yes"}).status_code == 302
    for data in ({"confirmed": "yes"}, {}):
        late = laptop.post(url, data=data)
        assert late.status_code == 302 and late.location == "/teach/courses/mini"
    assert "Đã ngừng dùng bài học" in laptop.get("/teach/courses/mini").text
    missing = laptop.post("/teach/courses/mini/lessons/nowhere/archive")
    assert missing.status_code == 404


def test_a_published_course_keeps_at_least_one_lesson(as_role, owned_course):
    trainer = as_role("trainer")
    for slug in ("first", "second"):
        trainer.post(
            f"/teach/courses/mini/lessons/{slug}/archive", data={"confirmed": "yes"}
        )
    # Refused at the first tap, before any "are you sure?", and when confirmed.
    asked = trainer.post("/teach/courses/mini/lessons/third/archive")
    assert asked.status_code == 302
    assert "bài học cuối" in trainer.get(asked.headers["Location"]).text
    refused = trainer.post(
        "/teach/courses/mini/lessons/third/archive", data={"confirmed": "yes"}
    )
    page = trainer.get(refused.headers["Location"]).text
    assert "bài học cuối" in page
    third = db.session.scalar(
        db.select(Lesson).where(
            Lesson.course_id == owned_course.id, Lesson.slug == "third"
        )
    )
    assert third.archived_at is None
    assert db.session.get(Course, owned_course.id).status == "published"
