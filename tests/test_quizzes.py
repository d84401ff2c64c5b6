"""Quizzes answered on papers of their own: no place to guess, a draw of N of M,
the review as it was asked, and the result page pointing to the next step."""

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from lms.content.importer import import_courses
from lms.extensions import db
from lms.models import Course, QuizAttempt
from lms.services.authoring import save_assignment
from tests.conftest import DATABASES, count, course_by_slug, make_user, sign_in
from tests.quiz_pages import fill, fill_page, right_answers, shown

BUNDLED = Path(__file__).parent.parent / "courses"
RIGHT = {"sprayed": "a", "before-live": ["a", "b"]}
TRIES = 100


def text(response):
    return response.get_data(as_text=True)


def by_position(page, slug, place):
    """Tick by place only: the first (or last) choice, or as many as are right
    from there for a "choose all" question; what a guesser does."""
    token, questions = shown(page)
    right = {q: len(ids) for q, ids in right_answers(slug).items()}
    data = {"quiz_paper": token}
    for qid, kind, texts in questions:
        places = list(range(len(texts)))
        if place == "last":
            places.reverse()
        data[qid] = [str(p) for p in places[: right[qid] if kind == "checkbox" else 1]]
    return data


@pytest.fixture
def bundled(app, people):
    import_courses(BUNDLED, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    courses = db.session.scalars(sa.select(Course).order_by(Course.position))
    return [course.slug for course in courses if course.live_quiz]


@pytest.mark.parametrize("place", ["first", "last"])
def test_answering_by_position_fails_in_every_bundled_quiz(as_role, bundled, place):
    client = as_role("learner")
    assert len(bundled) >= 3
    for slug in bundled:
        for _ in range(TRIES):
            page = text(client.get(f"/courses/{slug}/quiz"))
            response = client.post(
                f"/courses/{slug}/quiz", data=by_position(page, slug, place)
            )
            assert response.status_code == 302, text(response)
        passed = db.session.scalar(
            sa.select(sa.func.count(QuizAttempt.id)).where(
                QuizAttempt.passed.is_(True),
                QuizAttempt.quiz_id == course_by_slug(slug).quiz.id,
            )
        )
        assert passed <= TRIES * 5 // 100, (slug, place, passed)


def test_every_attempt_gets_its_own_order(signed_in, mini_course):
    layouts = {
        tuple((qid, tuple(texts)) for qid, _, texts in shown(page)[1])
        for page in (text(signed_in.get("/courses/mini/quiz")) for _ in range(12))
    }
    assert len(layouts) > 1
    # Every layout still asks both questions with all their choices.
    assert all(
        sorted(q for q, _ in layout) == ["before-live", "sprayed"] for layout in layouts
    )
    assert count(QuizAttempt) == 0


def test_the_page_never_tells_which_choice_was_written_first(signed_in, mini_course):
    """The paper in the page is signed, not secret: anyone can read it, so it
    holds the questions and a nonce, never the choices' written order."""
    page = text(signed_in.get("/courses/mini/quiz"))
    token, questions = shown(page)
    _, payload = URLSafeSerializer("not the key").loads_unsafe(token)
    assert sorted(payload) == ["n", "p", "q"]
    assert [row[0] for row in payload["p"]] == [qid for qid, _, _ in questions]
    assert all(len(row) == 2 for row in payload["p"])  # question id, fingerprint
    values = re.findall(r'type="(?:radio|checkbox)" name="[^"]+" value="([^"]+)"', page)
    assert set(values) <= {"0", "1", "2"}  # places on the paper, not choice ids


def test_the_review_follows_the_paper_the_learner_answered(signed_in, mini_course):
    page = text(signed_in.get("/courses/mini/quiz"))
    response = signed_in.post("/courses/mini/quiz", data=fill_page(page, "mini", RIGHT))
    attempt = db.session.scalar(sa.select(QuizAttempt))
    asked = [qid for qid, _, _ in shown(page)[1]]
    assert [row["id"] for row in attempt.paper] == asked
    assert attempt.score == 100 and attempt.passed
    review = text(signed_in.get(response.headers["Location"]))
    questions = {q["id"]: q["vi"] for q in mini_course.quiz.questions}
    positions = [review.index(questions[qid]) for qid in asked]
    assert positions == sorted(positions)


def test_a_forged_or_stale_paper_is_refused_and_saves_nothing(signed_in, mini_course):
    answers = fill(signed_in, "mini", RIGHT)
    forged = {**answers, "quiz_paper": answers["quiz_paper"][:-3] + "abc"}
    response = signed_in.post("/courses/mini/quiz", data=forged)
    assert response.status_code == 400
    assert "Bài kiểm tra đã thay đổi" in text(response)
    questions = list(mini_course.quiz.questions)
    questions[1] = {**questions[1], "choices": questions[1]["choices"][:2]}
    mini_course.quiz.questions = questions
    db.session.commit()
    response = signed_in.post("/courses/mini/quiz", data=answers)
    assert response.status_code == 400
    assert "Bài kiểm tra đã thay đổi" in text(response)
    assert count(QuizAttempt) == 0


def quiz_with_draw(tmp_path, draw):
    """The mini course with a third question and ``draw`` in its quiz.yaml."""
    folder = tmp_path / "draw" / "mini"
    shutil.copytree(Path(__file__).parent / "fixtures" / "courses" / "mini", folder)
    quiz = (folder / "quiz.yaml").read_text(encoding="utf-8")
    quiz = quiz.replace("pass_mark: 50\n", f"pass_mark: 50\ndraw: {draw}\n")
    quiz += """  - id: light
    question:
      vi: Nên đứng ở đâu khi quay?
    choices:
      - vi: Quay mặt về phía cửa sổ
        correct: true
      - vi: Quay lưng về phía cửa sổ
    explanation:
      vi: Ánh sáng chiếu vào mặt.
"""
    (folder / "quiz.yaml").write_text(quiz, encoding="utf-8")
    return folder.parent


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_an_attempt_draws_n_of_the_m_questions(app, tmp_path, signed_in):
    import_courses(quiz_with_draw(tmp_path, 2), app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    seen = set()
    for _ in range(20):
        page = text(signed_in.get("/courses/mini/quiz"))
        asked = [qid for qid, _, _ in shown(page)[1]]
        assert len(asked) == 2 and len(set(asked)) == 2
        seen.update(asked)
    assert seen == {"sprayed", "before-live", "light"}
    assert "2 câu hỏi" in text(signed_in.get("/courses/mini"))
    right = right_answers("mini")
    response = signed_in.post("/courses/mini/quiz", data=fill_page(page, "mini", right))
    attempt = db.session.scalar(sa.select(QuizAttempt))
    assert attempt.score == 100 and set(attempt.results) == set(asked)
    review = text(signed_in.get(response.headers["Location"]))
    assert review.count('<p class="verdict">') == 2


def passed_quiz_page(client):
    response = client.post("/courses/mini/quiz", data=fill(client, "mini", RIGHT))
    return text(client.get(response.headers["Location"]))


def test_the_result_names_the_lessons_left_with_a_link(signed_in, mini_course):
    signed_in.post("/courses/mini/lessons/first/complete")
    page = passed_quiz_page(signed_in)
    assert "Còn 2 bài học nữa" in page
    assert 'href="/courses/mini/lessons/second"' in page


def test_the_result_sends_to_the_practical_work_when_only_it_is_left(
    as_role, owned_course
):
    save_assignment(owned_course, "Quay 1 phút.", None, [("Đủ sáng", None)], True, 0)
    db.session.commit()
    client = as_role("learner")
    for lesson in ("first", "second", "third"):
        client.post(f"/courses/mini/lessons/{lesson}/complete")
    page = passed_quiz_page(client)
    assert "Chỉ còn bài thực hành" in page
    assert 'href="/courses/mini/practical"' in page
    assert "/courses/mini/lessons/" not in page.split("Bước tiếp theo")[1]


def test_the_result_leads_to_the_certificate_when_the_course_is_done(
    signed_in, mini_course
):
    for lesson in ("first", "second", "third"):
        signed_in.post(f"/courses/mini/lessons/{lesson}/complete")
    page = passed_quiz_page(signed_in)
    assert "Bạn đã hoàn thành khoá học." in page
    code = re.search(r'href="/verify/([A-Z2-7]+)"', page).group(1)
    assert signed_in.get(f"/verify/{code}").status_code == 200


def test_someone_elses_next_step_is_not_shown_to_an_admin(app, mini_course):
    learner = app.test_client()
    make_user()
    sign_in(learner)
    response = learner.post("/courses/mini/quiz", data=fill(learner, "mini", RIGHT))
    admin = app.test_client()
    make_user(phone="0912000005", role="admin")
    sign_in(admin, phone="0912000005")
    page = text(admin.get(response.headers["Location"]))
    assert "100%" in page and "Bước tiếp theo" not in page
