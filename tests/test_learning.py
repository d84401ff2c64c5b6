"""The farmer's path: catalogue, course, lessons, quiz, progress."""

import re
import shutil

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.content.importer import import_courses
from lms.extensions import db
from lms.models import Course, Enrollment, Lesson, LessonProgress, QuizAttempt
from lms.services import learning
from lms.services.authoring import save_assignment
from lms.services.learning import complete_lesson, submit_quiz
from tests.conftest import DATABASES, FIXTURES, count, make_user, sign_in
from tests.helpers import RIGHT as HELPERS_RIGHT
from tests.quiz_pages import fill, fill_page, shown

RIGHT = {"sprayed": "a", "before-live": ["a", "b"]}
WRONG = {"sprayed": "b", "before-live": ["a"]}


def text(response):
    return response.get_data(as_text=True)


def percent(html):
    return int(re.search(r'<progress max="100" value="(\d+)"', html).group(1))


def take_quiz(client, answers):
    return client.post("/courses/mini/quiz", data=fill(client, "mini", answers))


def complete(client, lesson):
    return client.post(f"/courses/mini/lessons/{lesson}/complete")


def test_catalog_lists_published_courses_for_everyone(client, mini_course):
    html = text(client.get("/"))
    assert "Khoá học nhỏ" in html and "/courses/mini" in html
    assert "Một khoá học nhỏ để thử." in html


def test_drafts_are_invisible_to_learners(signed_in, mini_course):
    mini_course.status = "draft"
    db.session.commit()
    assert "/courses/mini" not in text(signed_in.get("/"))
    assert signed_in.get("/courses/mini").status_code == 404
    assert signed_in.get("/courses/mini/lessons/first").status_code == 404
    assert signed_in.get("/courses/mini/quiz").status_code == 404


def test_trainers_see_drafts_marked_as_such(client, mini_course):
    mini_course.status = "draft"
    db.session.commit()
    make_user(phone="0987654321", role="trainer")
    sign_in(client, phone="0987654321")
    assert client.get("/courses/mini").status_code == 200


def test_a_draft_lesson_says_so_and_leads_its_author_back_to_the_editor(
    as_role, owned_course
):
    edit = 'href="/teach/courses/mini/lessons/first/edit"'
    published = text(as_role("trainer").get("/courses/mini/lessons/first"))
    assert "Học viên chưa xem được khoá học này." not in published
    owned_course.status = "draft"
    db.session.commit()
    mine = text(as_role("trainer").get("/courses/mini/lessons/first"))
    assert "Bản nháp" in mine and "Học viên chưa xem được khoá học này." in mine
    assert edit in mine
    others = text(as_role("other_trainer").get("/courses/mini/lessons/first"))
    assert "Học viên chưa xem được khoá học này." in others and edit not in others


def test_lessons_need_an_account(client, mini_course):
    response = client.get("/courses/mini/lessons/first")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/courses/mini/lessons/first/complete").status_code == 302
    assert count(LessonProgress) == 0


def test_start_course_enrols_and_opens_the_first_lesson(signed_in, mini_course):
    response = signed_in.post("/courses/mini/enroll")
    assert response.headers["Location"] == "/courses/mini/lessons/first"
    assert count(Enrollment) == 1
    signed_in.post("/courses/mini/enroll")
    assert count(Enrollment) == 1


def test_lesson_page_shows_text_time_and_neighbours(signed_in, mini_course):
    html = text(signed_in.get("/courses/mini/lessons/second"))
    assert "<h1>Bài hai</h1>" in html
    assert "<strong>chữ đậm</strong>" in html and "<script>alert" not in html
    assert "7 " in re.search(r'class="meta">([^<]*)', html).group(1)
    assert 'rel="prev" href="/courses/mini/lessons/first"' in html
    assert 'rel="next" href="/courses/mini/lessons/third"' in html


def test_last_lesson_leads_to_the_quiz(signed_in, mini_course):
    html = text(signed_in.get("/courses/mini/lessons/third"))
    assert 'rel="next" href="/courses/mini/quiz"' in html


def test_unknown_or_archived_lessons_are_not_found(signed_in, mini_course):
    assert signed_in.get("/courses/mini/lessons/nope").status_code == 404
    assert signed_in.get("/courses/nope").status_code == 404
    mini_course.lessons[0].archived_at = mini_course.updated_at
    db.session.commit()
    assert signed_in.get("/courses/mini/lessons/first").status_code == 404
    assert complete(signed_in, "first").status_code == 404


def test_marking_complete_twice_is_harmless(signed_in, mini_course):
    first = complete(signed_in, "first")
    assert first.headers["Location"] == "/courses/mini/lessons/second"
    complete(signed_in, "first")
    assert count(LessonProgress) == 1
    html = text(signed_in.get("/courses/mini"))
    assert percent(html) == 25  # 1 of 3 lessons + the quiz


def test_continue_goes_to_the_first_lesson_not_done(signed_in, mini_course):
    complete(signed_in, "first")
    complete(signed_in, "third")
    response = signed_in.post("/courses/mini/enroll")
    assert response.headers["Location"] == "/courses/mini/lessons/second"
    complete(signed_in, "second")
    response = signed_in.post("/courses/mini/enroll")
    assert response.headers["Location"] == "/courses/mini/quiz"


def test_quiz_uses_radios_for_one_answer_and_checkboxes_for_several(
    signed_in, mini_course
):
    html = text(signed_in.get("/courses/mini/quiz"))
    assert 'type="radio" name="sprayed"' in html
    assert 'type="checkbox" name="before-live"' in html


def test_unanswered_quiz_keeps_answers_and_saves_nothing(signed_in, mini_course):
    page = text(signed_in.get("/courses/mini/quiz"))
    answers = fill_page(page, "mini", {"sprayed": "a"})
    response = signed_in.post("/courses/mini/quiz", data=answers)
    assert response.status_code == 400
    html = text(response)
    blank = [qid for qid, _, _ in shown(page)[1]].index("before-live") + 1
    assert 'role="alert"' in html
    assert f"Câu {blank} chưa có câu trả lời" in html
    place = answers["sprayed"][0]
    assert re.search(rf'name="sprayed" value="{place}"\s+checked', html)
    assert f'value="{answers["quiz_paper"]}"' in html  # the same paper, to finish
    assert count(QuizAttempt) == 0


def test_answers_that_are_not_choices_are_refused(signed_in, mini_course):
    answers = fill(signed_in, "mini", RIGHT)
    response = signed_in.post(
        "/courses/mini/quiz", data={**answers, "sprayed": "2", "before-live": "a"}
    )
    assert response.status_code == 400
    assert count(QuizAttempt) == 0


def test_failed_quiz_explains_and_offers_a_retry(signed_in, mini_course):
    response = take_quiz(signed_in, WRONG)
    html = text(signed_in.get(response.headers["Location"]))
    assert "0%" in html
    assert "Nói thật giữ được lòng tin." in html  # the explanation teaches
    assert 'href="/courses/mini/quiz"' in html
    attempt = db.session.scalar(sa.select(QuizAttempt))
    assert attempt.passed is False and attempt.results == {
        "sprayed": False,
        "before-live": False,
    }


def test_partly_right_multiple_choice_counts_as_wrong(signed_in, mini_course):
    take_quiz(signed_in, {"sprayed": "a", "before-live": ["a"]})
    attempt = db.session.scalar(sa.select(QuizAttempt))
    assert attempt.score == 50 and attempt.passed  # pass mark 50


def test_every_attempt_is_kept(signed_in, mini_course):
    take_quiz(signed_in, WRONG)
    take_quiz(signed_in, RIGHT)
    scores = db.session.scalars(sa.select(QuizAttempt.score).order_by(QuizAttempt.id))
    assert list(scores) == [0, 100]
    assert "100%" in text(signed_in.get("/courses/mini/quiz"))  # best score so far


def test_someone_elses_attempt_is_not_found_like_an_unknown_one(
    app, signed_in, mini_course
):
    response = take_quiz(signed_in, RIGHT)
    url = response.headers["Location"]
    other = app.test_client()
    make_user(phone="0987654321", name="Trần Văn Bình")
    sign_in(other, phone="0987654321")
    unknown = other.get(url.rsplit("/", 1)[0] + "/999999")
    assert other.get(url).status_code == unknown.status_code == 404
    assert other.get(url.replace("/mini/", "/other/")).status_code == 404


def test_whole_course_reaches_one_hundred_percent(signed_in, mini_course):
    signed_in.post("/courses/mini/enroll")
    for lesson in ("first", "second", "third"):
        complete(signed_in, lesson)
    response = take_quiz(signed_in, RIGHT)
    result = text(signed_in.get(response.headers["Location"]))
    assert "100%" in result
    for page in ("/courses/mini", "/me/learning"):
        html = text(signed_in.get(page))
        assert percent(html) == 100 and "✓ Đã hoàn thành · " in html
    enrollment = db.session.scalar(sa.select(Enrollment))
    assert enrollment.completed_at is not None


def test_quiz_before_lessons_does_not_complete_the_course(signed_in, mini_course):
    take_quiz(signed_in, RIGHT)
    assert db.session.scalar(sa.select(Enrollment.completed_at)) is None
    for lesson in ("first", "second", "third"):
        complete(signed_in, lesson)
    assert db.session.scalar(sa.select(Enrollment.completed_at)) is not None


def test_completion_is_never_undone_by_a_new_lesson(signed_in, mini_course):
    for lesson in ("first", "second", "third"):
        complete(signed_in, lesson)
    take_quiz(signed_in, RIGHT)
    from lms.models import Lesson

    mini_course.lessons.append(Lesson(slug="fourth", position=4, title_vi="Bài bốn"))
    db.session.commit()
    assert db.session.scalar(sa.select(Enrollment.completed_at)) is not None
    # Still finished, certificate and all; the new lesson is named, not counted
    # against them, and one tap leads to it.
    for page in ("/courses/mini", "/me/learning", "/"):
        html = text(signed_in.get(page))
        assert "✓ Đã hoàn thành" in html and percent(html) == 100, page
        assert "1 bước mới từ khi bạn hoàn thành" in html, page
    course_page = text(signed_in.get("/courses/mini"))
    assert 'href="/me/certificates"' in course_page and "Xem phần mới" in course_page
    assert "Xem phần mới" in text(signed_in.get("/me/learning"))
    went = signed_in.post("/courses/mini/enroll")
    assert went.location == "/courses/mini/lessons/fourth"
    complete(signed_in, "fourth")
    html = text(signed_in.get("/courses/mini"))
    assert "✓ Đã hoàn thành" in html and "bước mới" not in html
    assert "Xem phần mới" not in html


def test_my_learning_lists_started_courses_with_progress(signed_in, mini_course):
    html = text(signed_in.get("/me/learning"))
    assert "/courses/mini" in html and "<progress" not in html
    complete(signed_in, "first")
    html = text(signed_in.get("/me/learning"))
    assert percent(html) == 25


def test_get_requests_change_nothing(signed_in, mini_course):
    for url in [
        "/",
        "/courses/mini",
        "/courses/mini/lessons/first",
        "/courses/mini/quiz",
        "/me/learning",
    ]:
        signed_in.get(url)
    assert count(Enrollment) == count(LessonProgress) == count(QuizAttempt) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 1


def test_the_last_step_done_leads_to_the_certificate(signed_in, mini_course):
    """Quiz first, the last lesson last: the course page it lands on says the
    course is done and leads to the certificate; the message names the lesson
    done, not the page shown."""
    take_quiz(signed_in, RIGHT)
    complete(signed_in, "second")
    complete(signed_in, "third")
    answer = complete(signed_in, "first")
    assert answer.headers["Location"] == "/courses/mini"
    page = text(signed_in.get("/courses/mini"))
    lesson = db.session.scalar(sa.select(Lesson.title_vi).where(Lesson.slug == "first"))
    assert f"Đã học xong bài “{lesson}”." in page
    assert 'href="/me/certificates"' in page
    assert "Chứng nhận hoàn thành khoá học" in text(signed_in.get("/me/certificates"))


def test_pages_count_the_practical_work_among_what_is_left(signed_in, mini_course):
    """Passing the quiz first, a farmer is told what is left: the lessons and,
    in a course that asks for it, the practical work, here and on My learning."""
    save_assignment(mini_course, "Quay 1 phút.", None, [("Đủ sáng", None)], True, 3)
    db.session.commit()
    signed_in.post("/courses/mini/enroll")
    result = text(signed_in.get(take_quiz(signed_in, RIGHT).headers["Location"]))
    assert "Còn 3 bài học và bài thực hành nữa là hoàn thành khoá học." in result
    mine = text(signed_in.get("/me/learning"))
    assert "đã đạt bài kiểm tra · bài thực hành chưa được duyệt" in mine


def test_a_quiz_sent_from_a_page_opened_before_signing_in_again_keeps_its_answers(
    app, signed_in, mini_course
):
    """The farmer answered the quiz, then signed in again in another tab (or was
    signed out): the answers sent are not saved, but shown again, ticked, with
    a fresh form; one more tap sends them."""
    app.config["WTF_CSRF_ENABLED"] = True
    page = text(signed_in.get("/courses/mini/quiz"))
    old_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    answers = fill_page(page, "mini", RIGHT)
    sign_in_again(app, signed_in)
    stale = signed_in.post(
        "/courses/mini/quiz", data={**answers, "csrf_token": old_token}
    )
    again = text(stale)
    assert stale.status_code == 400
    assert "Trang này được mở trước lần đăng nhập gần nhất" in again
    assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 0
    ticked = re.findall(r'name="([^"]+)" value="(\d+)"\s+checked', again)
    assert sorted(ticked) == sorted(
        (qid, value)
        for qid, values in answers.items()
        if qid != "quiz_paper"
        for value in values
    )
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', again)[1]
    sent = signed_in.post("/courses/mini/quiz", data={**answers, "csrf_token": token})
    assert sent.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 1


def test_mark_complete_from_a_page_opened_before_asks_for_one_more_tap(
    app, signed_in, mini_course
):
    app.config["WTF_CSRF_ENABLED"] = True
    lesson = text(signed_in.get("/courses/mini/lessons/first"))
    old_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', lesson)[1]
    sign_in_again(app, signed_in)
    stale = signed_in.post(
        "/courses/mini/lessons/first/complete", data={"csrf_token": old_token}
    )
    assert stale.location == "/courses/mini/lessons/first"
    page = text(signed_in.get(stale.location))
    assert "Vui lòng chạm lại nút" in page
    assert db.session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 0


def sign_in_again(app, client):
    """A new session on the same phone, as after signing out and in again."""
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/logout")
    sign_in(client)
    app.config["WTF_CSRF_ENABLED"] = True


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_course_stands_alone_as_it_does_among_others(app, learner, tmp_path):
    """The course page asks where the learner stands in one course ("= ?"), the
    catalogue in all of them ("IN (...)"): whatever has been done, they agree."""
    courses = [copy_course(app, tmp_path, slug) for slug in ("mini", "mini2")]
    steps = st.lists(
        st.tuples(st.sampled_from(["enrol", "lesson", "quiz"]), st.integers(0, 9)),
        max_size=8,
    )

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(steps=steps)
    def agree(steps):
        for kind, n in steps:
            course = courses[n % 2]
            if kind == "enrol":
                learning.enroll(learner, course)
            elif kind == "lesson":
                lessons = course.active_lessons
                complete_lesson(learner, lessons[n % len(lessons)])
            else:
                answers = (
                    HELPERS_RIGHT if n > 3 else {"sprayed": ["b"], "before-live": ["a"]}
                )
                submit_quiz(learner, course.quiz, answers)
            db.session.commit()
            together = learning.progress_by_course(learner, courses)
            for each in courses:
                alone, done = learning.standing(learner, each)
                assert alone == together[each.id]
                assert done == {
                    row.lesson_id
                    for row in db.session.scalars(
                        sa.select(LessonProgress)
                        .join(Lesson)
                        .where(
                            LessonProgress.user_id == learner.id,
                            Lesson.course_id == each.id,
                        )
                    )
                }

    agree()


def copy_course(app, tmp_path, slug):
    """The mini course imported under ``slug``."""
    target = tmp_path / "copies" / slug
    shutil.copytree(FIXTURES / "courses" / "mini", target)
    course_md = target / "course.md"
    course_md.write_text(course_md.read_text().replace("slug: mini", f"slug: {slug}"))
    import_courses(target.parent, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    shutil.rmtree(target.parent)
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))
