"""`lms demo-data`: a made-up province whose rows hold together like real ones."""

from collections import defaultdict
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms import demo
from lms.clock import utcnow
from lms.extensions import db
from lms.models import (
    Area,
    Assignment,
    AuditEvent,
    Certificate,
    ClassMember,
    Classroom,
    Club,
    Course,
    Enrollment,
    LearnerDay,
    Lesson,
    LessonProgress,
    QuizAttempt,
    Submission,
    User,
)
from lms.models.activity import local_day
from lms.reports import build_report
from lms.reports.scope import build_scope
from lms.services.accounts import create_user
from tests.conftest import DATABASES, PASSWORD, count
from tests.helpers import run, setup_on_empty_database

pytestmark = pytest.mark.parametrize("app", DATABASES, indirect=True)

ACTIVITY = (Enrollment, LessonProgress, QuizAttempt, Submission, Certificate)


@pytest.fixture
def courses(app, mini_course):
    """ "mini" (3 lessons, a quiz) with practical work, and the clubs it leads to."""
    mini_course.assignment = Assignment(
        instructions_vi="Quay một buổi live ngắn.",
        rubric=[{"id": "light", "vi": "Đủ sáng"}],
    )
    db.session.add_all(
        [
            Club(code="koc", name_vi="CLB KOC", courses=[mini_course]),
            Club(code="kol", name_vi="CLB KOL", courses=[mini_course], valid_months=12),
        ]
    )
    db.session.commit()
    return mini_course


def rows(model, *columns):
    return db.session.execute(sa.select(*columns)).all()


def test_a_year_of_activity_that_holds_together(app, courses):
    totals, password, staff = demo.generate(400, seed=3)
    db.session.commit()
    now = utcnow()

    learners = {u.id: u for u in db.session.scalars(sa.select(User))}
    assert sum(u.role == "learner" for u in learners.values()) == totals.learners == 400
    communes = set(db.session.scalars(sa.select(Area.id).where(Area.code != "P")))
    assert {u.area_id for u in learners.values() if u.role == "learner"} == communes
    assert all(
        now - timedelta(days=366) <= u.created_at <= now for u in learners.values()
    )
    # An official for every area, a trainer for every commune, all with the password.
    assert sorted((role, area) for role, _, _, area in staff) == sorted(
        [("official", "Tỉnh Mẫu"), ("official", "Xã An"), ("official", "Xã Bình")]
        + [("trainer", "Xã An"), ("trainer", "Xã Bình")]
    )
    assert len(password) >= 12

    # Every activity row carries its learner's area, as the ORM listeners would.
    for model in ACTIVITY:
        for user_id, area_id in rows(model, model.user_id, model.area_id):
            assert area_id == learners[user_id].area_id
    assert count(LessonProgress) > 400 and count(Certificate) > 0

    # Lessons in order, after enrolling, after registering, before now.
    enrolled = {
        (e.user_id, e.course_id): e for e in db.session.scalars(sa.select(Enrollment))
    }
    lessons = {lesson.id: lesson for lesson in db.session.scalars(sa.select(Lesson))}
    done = defaultdict(list)
    for p in db.session.scalars(sa.select(LessonProgress)):
        lesson = lessons[p.lesson_id]
        enrollment = enrolled[(p.user_id, lesson.course_id)]
        assert learners[p.user_id].created_at <= enrollment.created_at
        assert enrollment.created_at <= p.completed_at <= now
        done[(p.user_id, lesson.course_id)].append(lesson.position)
    for positions in done.values():
        assert sorted(positions) == list(range(1, len(positions) + 1))

    # A course is complete only with every lesson, a passed quiz and approved work,
    # and then, and only then, there is its certificate, issued at that moment.
    passed = set(
        db.session.scalars(
            sa.select(QuizAttempt.user_id).where(QuizAttempt.passed.is_(True))
        )
    )
    approved = set(
        db.session.scalars(
            sa.select(Submission.user_id).where(Submission.status == "approved")
        )
    )
    certificates = {
        (c.user_id, c.course_id): c
        for c in db.session.scalars(
            sa.select(Certificate).where(Certificate.course_id.is_not(None))
        )
    }
    mini_lessons = len(courses.active_lessons)
    for (user_id, course_id), enrollment in enrolled.items():
        if course_id != courses.id:
            continue
        complete = (
            len(done[(user_id, course_id)]) == mini_lessons
            and user_id in passed
            and user_id in approved
        )
        assert (enrollment.completed_at is not None) == complete
        certificate = certificates.get((user_id, course_id))
        assert (certificate is not None) == complete
        if complete:
            assert certificate.issued_at == enrollment.completed_at
    # Club cards: for those who completed the club's courses, KOL's lasting a year.
    for card in db.session.scalars(
        sa.select(Certificate).where(Certificate.club_id.is_not(None))
    ):
        assert (card.user_id, courses.id) in certificates
        if card.club.code == "kol":
            assert card.expires_at - card.issued_at == timedelta(days=360)

    # Active days are exactly the local days with a lesson, a quiz or work handed in.
    expected = set()
    for model, column in [
        (LessonProgress, LessonProgress.completed_at),
        (QuizAttempt, QuizAttempt.created_at),
        (Submission, Submission.created_at),
    ]:
        for user_id, moment in rows(model, model.user_id, column):
            expected.add((user_id, local_day(moment), learners[user_id].area_id))
    assert (
        set(rows(LearnerDay, LearnerDay.user_id, LearnerDay.day, LearnerDay.area_id))
        == expected
    )

    # Classes were held in the learners' communes; members joined on the day.
    for member in db.session.scalars(sa.select(ClassMember)):
        assert member.classroom.area_id == learners[member.user_id].area_id
        assert local_day(member.joined_at) == member.classroom.held_on
    assert count(Classroom) >= 2

    # The officials' report reads the province: every learner, split by commune.
    top = db.session.scalar(sa.select(Area).where(Area.code == "P"))
    report = build_report(build_scope(top, {"period": "365"}, now), now)
    assert report["overview"]["learners"].value == 400
    assert sum(row.values["learners"] for row in report["areas"]) == 400
    assert (
        db.session.scalar(
            sa.select(AuditEvent.detail).where(AuditEvent.action == "demo_data")
        )["learners"]
        == 400
    )


def test_new_rows_after_the_demo_get_fresh_ids(app, courses):
    demo.generate(50)
    db.session.commit()
    user = create_user("0912999999", "Người mới", "learner", None, PASSWORD)
    db.session.commit()
    assert user.id > db.session.scalar(
        sa.select(sa.func.max(User.id)).where(User.id != user.id)
    )


def test_refuses_a_database_with_learners_and_changes_nothing(app, courses):
    create_user("0912000001", "Nguyễn Thị Hoa", "learner", None, PASSWORD)
    db.session.commit()
    before = (count(User), count(Course), count(Enrollment))
    with pytest.raises(demo.DemoRefused):
        demo.generate(20)
    db.session.rollback()
    assert (count(User), count(Course), count(Enrollment)) == before


def test_the_same_seed_makes_the_same_province(app, courses):
    first, _, _ = demo.generate(120, seed=7)
    db.session.commit()
    second, _, _ = demo.generate(120, seed=7, allow_existing=True)
    db.session.commit()
    assert first.rows == second.rows
    assert count(User) == 2 * (120 + 5)  # learners and staff, phones all distinct


def test_command_on_a_new_database(app, course_dir):
    db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    db.session.commit()
    result = setup_on_empty_database(app, course_dir)
    assert result.exit_code == 0, result.output
    result = run(app, "demo-data", "--learners", "60")
    assert result.exit_code == 0, result.output
    assert "user: 60" in result.output and "password" in result.output
    roles = ("  admin", "  official", "  trainer")
    listed = [line for line in result.output.splitlines() if line.startswith(roles)]
    assert listed and len(set(listed)) == len(listed)  # nobody listed twice
    db.session.commit()  # a new transaction sees what the command wrote
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(User.role == "learner"))
        == 60
    )

    people = count(User)
    db.session.commit()
    again = run(app, "demo-data", "--learners", "10")
    assert again.exit_code == 1
    assert "already has 60 learners" in again.output and "--yes" in again.output
    db.session.commit()
    assert count(User) == people
