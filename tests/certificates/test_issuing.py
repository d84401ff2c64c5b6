"""Issuing rules: each rule, each edge, exactly once."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.certificates.clubs import set_club_rules
from lms.clock import utcnow
from lms.extensions import db
from lms.models import Certificate, Submission, User
from lms.services.authoring import save_assignment
from lms.services.certificates import issue_certificates
from lms.services.learning import complete_lesson, submit_quiz
from lms.services.practical import review, submit
from tests.helpers import (
    DATABASES,
    RIGHT,
    WRONG,
    count,
    finish,
    jpeg,
    make_user,
)


def certificates_of(learner):
    return db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id == learner.id)
    ).all()


def test_finishing_a_course_issues_its_certificate_and_the_koc_card(clubs, learner):
    finish(learner, clubs["koc"].courses[0])
    issued = certificates_of(learner)
    assert {(c.course_id is not None, c.club and c.club.code) for c in issued} == {
        (True, None),
        (False, "koc"),
    }
    code = issued[0].code
    assert len(code) == 26 and code.isalnum() and code.isupper()


def test_failed_quiz_issues_nothing(clubs, learner):
    finish(learner, clubs["koc"].courses[0], answers=WRONG)
    assert certificates_of(learner) == []


def test_lessons_not_all_done_issue_nothing(clubs, learner):
    course = clubs["koc"].courses[0]
    complete_lesson(learner, course.lessons[0])
    submit_quiz(learner, course.quiz, RIGHT)
    db.session.commit()
    assert certificates_of(learner) == []


def test_pending_practical_work_holds_the_certificate_until_approved(
    app, clubs, people
):
    course = clubs["koc"].courses[0]
    save_assignment(course, "Làm thử", None, [("Đủ sáng", None)], True, 1)
    learner = people["learner"]
    finish(learner, course)
    work = submit(
        learner, course.assignment, None, [jpeg()], "", app.config["LMS_UPLOAD_DIR"]
    )
    db.session.commit()
    assert certificates_of(learner) == []
    review(people["admin"], work, False, {"du-sang": "needs_work"}, "Chưa đủ sáng")
    db.session.commit()
    assert certificates_of(learner) == []
    again = submit(
        learner, course.assignment, None, [jpeg()], "", app.config["LMS_UPLOAD_DIR"]
    )
    review(people["admin"], again, True, {"du-sang": "pass"}, "Tốt")
    db.session.commit()
    assert len(certificates_of(learner)) == 2
    assert count(Submission) == 2


def test_kol_needs_every_required_course(clubs, learner, second_course):
    finish(learner, clubs["koc"].courses[0])
    assert {c.club.code for c in certificates_of(learner) if c.club} == {"koc"}
    finish(learner, second_course)
    assert {c.club.code for c in certificates_of(learner) if c.club} == {"koc", "kol"}


def test_awarding_twice_issues_nothing_more(clubs, learner):
    finish(learner, clubs["koc"].courses[0])
    assert issue_certificates(learner) == []
    db.session.commit()
    assert count(Certificate) == 2


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_concurrent_completion_issues_exactly_once(app, clubs, learner):
    """Two requests completing the course at the same moment: one certificate each."""
    course = clubs["koc"].courses[0]
    for lesson in course.active_lessons[:-1]:
        complete_lesson(learner, lesson)
    submit_quiz(learner, course.quiz, RIGHT)
    db.session.commit()
    last_id, learner_id = course.active_lessons[-1].id, learner.id
    db.session.commit()
    errors = []

    def worker():
        with app.app_context():
            try:
                from lms.models import Lesson

                complete_lesson(
                    db.session.get(User, learner_id), db.session.get(Lesson, last_id)
                )
                db.session.commit()
            except Exception as error:  # collected and asserted below
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count(Certificate) == 2  # one course certificate, one KOC card


def test_rule_edited_after_issuing_keeps_issued_cards(clubs, people, second_course):
    learner = people["learner"]
    finish(learner, clubs["koc"].courses[0])
    set_club_rules(
        clubs["koc"], [clubs["koc"].courses[0], second_course], None, people["admin"]
    )
    db.session.commit()
    assert issue_certificates(learner) == []  # the card stays; no new one either
    koc_cards = [c for c in certificates_of(learner) if c.club]
    assert len(koc_cards) == 1 and koc_cards[0].status() == "valid"
    newcomer = make_user(phone="0933111222")
    finish(newcomer, clubs["koc"].courses[0])
    assert not [c for c in certificates_of(newcomer) if c.club]  # new rule applies


def test_club_without_courses_never_issues(clubs, learner):
    clubs["koc"].courses = []
    db.session.commit()
    finish(learner, clubs["kol"].courses[0])
    assert not [c for c in certificates_of(learner) if c.club]


def test_membership_expires_when_the_club_says_so(clubs, learner):
    clubs["koc"].valid_months = 12
    db.session.commit()
    finish(learner, clubs["koc"].courses[0])
    card = next(c for c in certificates_of(learner) if c.club)
    assert timedelta(days=360) < card.expires_at - utcnow() < timedelta(days=370)
    assert card.status() == "valid"
    assert card.status(now=card.expires_at + timedelta(seconds=1)) == "expired"


def test_club_rules_refuse_nonsense(clubs, people):
    from lms.services import DomainError

    with pytest.raises(DomainError):
        set_club_rules(clubs["koc"], [], None, people["admin"])
    with pytest.raises(DomainError):
        set_club_rules(clubs["koc"], clubs["koc"].courses, 0, people["admin"])
