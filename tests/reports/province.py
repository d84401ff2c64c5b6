"""Fixtures: a province with two communes, An (P-A) and Bình (P-B), and known activity.

D(n) is n days ago. The 30-day period is the last 30 days; the one before it,
the 30 days before that.

An:   a1 registered D(100), finished "mini" at D(40): 3 lessons, quiz passed,
         course certificate and KOC card at D(40);
      a2 registered D(5), one lesson and a failed quiz at D(2);
      a3 registered D(40), nothing since.
Bình: b1 registered D(20), finished "mini" and "extra" at D(3): course
         certificates, KOC and KOL cards at D(3);
      b2 registered D(50), two lessons of "mini" at D(35).
"""

import shutil
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.clock import utcnow
from lms.content.importer import import_courses
from lms.extensions import db
from lms.models import Area, Certificate, Club, Course, Enrollment, User
from lms.services.accounts import create_user
from lms.services.classes import create_class, join_class
from lms.services.learning import complete_lesson, submit_quiz
from tests.conftest import FIXTURES, PASSWORD, sign_in

RIGHT = {"sprayed": ["a"], "before-live": ["a", "b"]}
WRONG = {"sprayed": ["b"], "before-live": ["a"]}

PHONES = {
    "a1": "0913000001",
    "a2": "0913000002",
    "a3": "0913000003",
    "b1": "0913000011",
    "b2": "0913000012",
    "official_a": "0913000021",
    "official_b": "0913000022",
    "official_p": "0913000023",
    "official_none": "0913000024",
    "trainer": "0913000031",
    "learner": "0913000001",
    "admin": "0913000041",
}
NAMES = {
    "a1": "An Một Nguyễn",
    "a2": "An Hai Trần",
    "a3": "An Ba Lê",
    "b1": "Bình Một Phạm",
    "b2": "Bình Hai Hoàng",
}


def area(code):
    return db.session.scalar(sa.select(Area).where(Area.code == code))


def D(days):  # noqa: N802 (reads like the docstring)
    return utcnow() - timedelta(days=days)


@pytest.fixture
def extra_course(app, tmp_path, mini_course):
    """A copy of "mini" as "extra", for the KOL club's second course."""
    target = tmp_path / "extra" / "extra"
    shutil.copytree(FIXTURES / "courses" / "mini", target)
    course_md = target / "course.md"
    text = course_md.read_text().replace("slug: mini", "slug: extra")
    course_md.write_text(text.replace("Khoá học nhỏ", "Khoá học thêm"))
    import_courses(target.parent, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    return db.session.scalar(sa.select(Course).where(Course.slug == "extra"))


def _finish(learner, course, when):
    for lesson in course.active_lessons:
        complete_lesson(learner, lesson, completed_at=when)
    submit_quiz(learner, course.quiz, RIGHT, submitted_at=when)


def _backdate(learner, enrolled, completed=None):
    """Move the learner's enrolments and certificates to known times."""
    for enrollment in db.session.scalars(
        sa.select(Enrollment).where(Enrollment.user_id == learner.id)
    ):
        enrollment.created_at = enrolled
        if enrollment.completed_at is not None:
            enrollment.completed_at = completed
    for certificate in db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id == learner.id)
    ):
        certificate.issued_at = completed


@pytest.fixture
def province(app, mini_course, extra_course):
    db.session.add_all(
        [
            Club(code="koc", name_vi="CLB KOC", courses=[mini_course]),
            Club(code="kol", name_vi="CLB KOL", courses=[mini_course, extra_course]),
        ]
    )
    people = {}
    for key, name in NAMES.items():
        commune = "P-A" if key.startswith("a") else "P-B"
        people[key] = create_user(PHONES[key], name, "learner", area(commune), PASSWORD)
    for key, role, place in [
        ("official_a", "official", "P-A"),
        ("official_b", "official", "P-B"),
        ("official_p", "official", "P"),
        ("official_none", "official", None),
        ("trainer", "trainer", "P-A"),
        ("admin", "admin", None),
    ]:
        where = area(place) if place else None
        people[key] = create_user(PHONES[key], key, role, where, PASSWORD)
    for key, days in {"a1": 100, "a2": 5, "a3": 40, "b1": 20, "b2": 50}.items():
        people[key].created_at = D(days)
    db.session.flush()

    _finish(people["a1"], mini_course, D(40))
    _backdate(people["a1"], D(41), D(40))
    complete_lesson(people["a2"], mini_course.active_lessons[0], completed_at=D(2))
    submit_quiz(people["a2"], mini_course.quiz, WRONG, submitted_at=D(2))
    _backdate(people["a2"], D(2))
    _finish(people["b1"], mini_course, D(3))
    complete_lesson(people["b1"], extra_course.active_lessons[0], completed_at=D(3))
    for lesson in extra_course.active_lessons[1:]:
        complete_lesson(people["b1"], lesson, completed_at=D(3))
    submit_quiz(people["b1"], extra_course.quiz, RIGHT, submitted_at=D(3))
    _backdate(people["b1"], D(4), D(3))
    for lesson in mini_course.active_lessons[:2]:
        complete_lesson(people["b2"], lesson, completed_at=D(35))
    _backdate(people["b2"], D(36))

    people["class_a"] = create_class(
        people["trainer"], "Lớp An", None, "", area("P-A"), [mini_course]
    )
    join_class(people["a1"], people["class_a"])
    people["class_b"] = create_class(
        people["trainer"], "Lớp Bình", None, "", area("P-B"), [mini_course]
    )
    join_class(people["b1"], people["class_b"])
    db.session.commit()
    return people


@pytest.fixture
def reader(app, province):
    """reader("official_a") -> a client signed in as that person; None: anonymous."""

    def client(key):
        browser = app.test_client()
        if key is not None:
            response = sign_in(browser, phone=PHONES[key])
            assert response.status_code == 302, key
        return browser

    return client


def user(key):
    return db.session.scalar(
        sa.select(User).where(User.phone == "+84" + PHONES[key][1:])
    )
