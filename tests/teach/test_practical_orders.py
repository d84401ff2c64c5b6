"""The farmer's path reaches the practical work in whatever order it is walked."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Enrollment
from lms.services.authoring import save_assignment
from tests.quiz_pages import fill

RIGHT = {"sprayed": "a", "before-live": ["a", "b"]}
LESSONS = ("first", "second", "third")
PRACTICAL = "/courses/mini/practical"


@pytest.fixture
def practical_course(mini_course):
    save_assignment(mini_course, "Quay 1 phút.", None, [("Đủ sáng", None)], True, 2)
    db.session.commit()
    return mini_course


def pass_quiz(client):
    return client.post("/courses/mini/quiz", data=fill(client, "mini", RIGHT))


def complete(client, lesson):
    return client.post(f"/courses/mini/lessons/{lesson}/complete")


# "Save for offline" posts the Enrol form first (data-enroll), so "enrol" covers it.
@pytest.mark.parametrize("last_step", ["last-lesson", "enrol"])
def test_quiz_first_then_the_last_step_leads_to_the_practical_work(
    signed_in, practical_course, last_step
):
    assert pass_quiz(signed_in).status_code == 302
    for lesson in LESSONS[:-1]:
        assert complete(signed_in, lesson).status_code == 302
    if last_step == "last-lesson":
        response = complete(signed_in, LESSONS[-1])
    else:
        complete(signed_in, LESSONS[-1])
        response = signed_in.post("/courses/mini/enroll")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(PRACTICAL)
    page = signed_in.get(PRACTICAL)
    assert page.status_code == 200
    assert db.session.scalar(sa.select(Enrollment.completed_at)) is None


def test_every_order_of_lessons_and_quiz_answers_without_an_error(
    signed_in, practical_course
):
    steps = [*LESSONS, "quiz", "enrol"]
    for order in (steps, steps[::-1], ["second", "quiz", "third", "enrol", "first"]):
        for step in order:
            if step == "quiz":
                response = pass_quiz(signed_in)
            elif step == "enrol":
                response = signed_in.post("/courses/mini/enroll")
            else:
                response = complete(signed_in, step)
            assert response.status_code == 302, (order, step)
        assert response.headers["Location"].endswith(PRACTICAL)
