"""The trainer's quiz editor: how many questions an attempt draws, and a warning
when the right answers are written in one place."""

from lms.extensions import db
from tests.conftest import course_by_slug
from tests.quiz_pages import shown


def text(response):
    return response.get_data(as_text=True)


def settings(client, **data):
    return client.post("/teach/courses/mini/quiz", data={"pass_mark": 50, **data})


def add_question(client, number, right_place=0):
    data = {"text_vi": f"Câu hỏi số {number}?", "explanation_vi": "Vì thế."}
    for place in range(4):
        data[f"choices-{place}-text_vi"] = f"Lựa chọn {place + 1} câu {number}"
    data[f"choices-{right_place}-correct"] = "y"
    response = client.post("/teach/courses/mini/quiz/questions/new", data=data)
    assert response.status_code == 302


def test_an_attempt_asks_as_many_questions_as_the_trainer_sets(as_role, owned_course):
    trainer = as_role("trainer")
    assert settings(trainer, draw=1).status_code == 302
    assert course_by_slug("mini").quiz.draw == 1
    page = text(trainer.get("/teach/courses/mini/quiz"))
    assert "Mỗi lần làm bài hỏi 1 trong 2 câu" in page
    learner_page = text(as_role("learner").get("/courses/mini/quiz"))
    assert len(shown(learner_page)[1]) == 1
    assert settings(trainer, draw="").status_code == 302
    assert course_by_slug("mini").quiz.draw is None


def test_more_questions_than_the_quiz_has_are_refused(as_role, owned_course):
    trainer = as_role("trainer")
    settings(trainer, draw=2)
    response = settings(trainer, pass_mark=80, draw=5)
    assert response.status_code == 400
    assert "Mỗi lần làm bài hỏi từ 1 đến 2 câu: bài kiểm tra có 2 câu." in text(
        response
    )
    db.session.expire_all()
    quiz = course_by_slug("mini").quiz
    assert quiz.draw == 2 and quiz.pass_mark == 50


def test_deleting_a_question_never_leaves_a_draw_too_large(as_role, owned_course):
    trainer = as_role("trainer")
    settings(trainer, draw=2)
    trainer.post(
        "/teach/courses/mini/quiz/questions/sprayed/delete", data={"confirmed": "yes"}
    )
    quiz = course_by_slug("mini").quiz
    assert len(quiz.questions) == 1 and quiz.draw == 1


def test_right_answers_in_one_place_are_saved_with_a_warning(as_role, owned_course):
    trainer = as_role("trainer")
    assert "lựa chọn thứ" not in text(trainer.get("/teach/courses/mini/quiz"))
    for number in range(4):
        add_question(trainer, number)
    page = text(trainer.get("/teach/courses/mini/quiz"))
    assert "Trong 6/6 câu hỏi, đáp án đúng nằm ở lựa chọn thứ 1" in page
    assert len(course_by_slug("mini").quiz.questions) == 6
    for number in range(4, 12):  # spread over the other places: chance again
        add_question(trainer, number, right_place=1 + number % 3)
    assert "lựa chọn thứ" not in text(trainer.get("/teach/courses/mini/quiz"))
