"""Activity rows carry their learner's area, and moving a learner moves them."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Area, Enrollment, LearnerDay, LessonProgress
from lms.services.learning import complete_lesson
from tests.conftest import DATABASES, make_user


def area(code):
    return db.session.scalar(sa.select(Area).where(Area.code == code))


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_progress_counts_where_the_learner_lives(app, mini_course):
    learner = make_user(area="P-A")
    first, second = mini_course.active_lessons[:2]
    # 23:30 UTC is already the next morning in Viet Nam.
    complete_lesson(learner, first, completed_at=datetime(2026, 3, 1, 23, 30))
    complete_lesson(learner, second, completed_at=datetime(2026, 3, 2, 1, 0))
    db.session.commit()

    rows = db.session.scalars(sa.select(LessonProgress)).all()
    assert {row.area_id for row in rows} == {area("P-A").id}
    enrollment = db.session.scalar(sa.select(Enrollment))
    assert enrollment.area_id == area("P-A").id
    days = db.session.execute(sa.select(LearnerDay.day, LearnerDay.area_id)).all()
    assert [(str(day), area_id) for day, area_id in days] == [
        ("2026-03-02", area("P-A").id)
    ]


@pytest.mark.parametrize("by_id", [False, True])
@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_moving_a_learner_moves_their_history(app, mini_course, by_id):
    learner = make_user(area="P-A")
    for lesson in mini_course.active_lessons:
        complete_lesson(learner, lesson)
    db.session.commit()

    assert learner.area.code == "P-A"  # loaded, as a view would have it
    if by_id:
        learner.area_id = area("P-B").id
    else:
        learner.area = area("P-B")
    db.session.commit()

    moved = area("P-B").id
    for model in (LessonProgress, Enrollment, LearnerDay):
        assert set(db.session.scalars(sa.select(model.area_id))) == {moved}
