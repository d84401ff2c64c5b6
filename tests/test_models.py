"""The same model rules on SQLite and PostgreSQL."""

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.models import Area, Enrollment, LessonProgress, User
from lms.permissions import in_subtree, subtree
from lms.services.learning import complete_lesson, enroll
from tests.conftest import DATABASES, count, make_user

pytestmark = pytest.mark.parametrize("app", DATABASES, indirect=True)


def test_phone_numbers_are_unique(app):
    make_user()
    db.session.add(User(phone="+84912345678", name="Copy", role="learner"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert count(User) == 1


def test_one_progress_row_per_learner_and_lesson(app, mini_course):
    learner = make_user()
    lesson = mini_course.lessons[0]
    complete_lesson(learner, lesson)
    complete_lesson(learner, lesson)
    db.session.commit()
    db.session.add(LessonProgress(user_id=learner.id, lesson_id=lesson.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert count(LessonProgress) == 1 and count(Enrollment) == 1


def test_foreign_keys_are_enforced(app):
    db.session.add(Enrollment(user_id=424242, course_id=424242))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_area_subtree_is_a_prefix_query(app):
    province = db.session.scalar(sa.select(Area).where(Area.code == "P"))
    commune = db.session.scalar(sa.select(Area).where(Area.code == "P-A"))
    assert commune.path.startswith(province.path) and commune.path != province.path
    codes = db.session.scalars(sa.select(Area.code).where(subtree(province)))
    assert sorted(codes) == ["P", "P-A", "P-B"]
    make_user(area="P-A")
    make_user(phone="0987654321", area="P-B")
    assert [u.area.code for u in _users_in(commune)] == ["P-A"]
    assert len(_users_in(province)) == 2
    assert len(_users_in(None)) == 2  # no top: every area


def _users_in(area):
    return db.session.scalars(
        sa.select(User).where(in_subtree(User.area_id, area))
    ).all()


def test_concurrent_enrolment_leaves_one_row(app, mini_course):
    """Two requests enrolling at once: the unique constraint decides, no error."""
    learner_id, course_id = make_user().id, mini_course.id
    db.session.commit()  # release this session's transaction, as a request would
    errors = []

    def worker():
        with app.app_context():
            try:
                learner = db.session.get(User, learner_id)
                course = db.session.get(type(mini_course), course_id)
                enroll(learner, course)
                db.session.commit()
            except Exception as error:  # collected and asserted below
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count(Enrollment) == 1


def test_text_round_trips_in_vietnamese(app):
    user = make_user(name="Đỗ Thị Ngọc Ánh")
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Đỗ Thị Ngọc Ánh"
