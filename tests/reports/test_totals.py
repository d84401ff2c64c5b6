"""The reports' daily totals equal the counts from the raw rows, whatever happens.

Random activity (sign-ups, lessons, quiz attempts, completions, certificates and
club cards, revocations, moves between communes, a learner made trainer, lessons
sent by the sync API in batches, replayed or refused) goes through the ORM as the
application writes it; after each batch the totals must
give the same figures as counting the raw rows, and be exactly what
``lms rebuild-totals`` recounts.
"""

import itertools
import secrets
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.clock import utcnow
from lms.extensions import db
from lms.models import (
    Area,
    Certificate,
    Club,
    Enrollment,
    LearnerDay,
    QuizAttempt,
    ReportMonth,
    ReportTotal,
    User,
)
from lms.models.totals import rebuild
from lms.reports.figures import METRICS, total_number, windows
from lms.reports.scope import _utc, build_scope, today
from lms.services.accounts import create_user
from lms.services.areas import import_areas
from lms.services.certificates import ensure_default_clubs
from lms.services.learning import complete_lesson, enroll
from lms.services.papers import PaperSeal
from lms.services.sync import Replies, apply_events
from tests.conftest import DATABASES
from tests.helpers import lesson_event
from tests.test_single_use import at_once

NOW = utcnow()
PHONES = itertools.count(100)  # a new valid mobile number for every sign-up
moment = st.one_of(
    st.builds(
        lambda days, minutes: NOW - timedelta(days=days, minutes=minutes),
        st.integers(0, 80),
        st.integers(0, 1439),
    ),
    # At a local midnight, or a microsecond either side: the day a row counts on.
    st.builds(
        lambda days, micro: (
            _utc(today(NOW) - timedelta(days=days)) + timedelta(microseconds=micro)
        ),
        st.integers(1, 80),
        st.sampled_from([-1, 0, 1]),
    ),
)
step = st.one_of(
    st.tuples(st.just("sign_up"), st.sampled_from(["P-A", "P-B"]), moment),
    st.tuples(st.just("lesson"), st.integers(0, 50), st.integers(0, 2), moment),
    st.tuples(st.just("quiz"), st.integers(0, 50), st.booleans(), moment),
    st.tuples(st.just("complete"), st.integers(0, 50), moment),
    st.tuples(st.just("certificate"), st.integers(0, 50), moment),
    st.tuples(st.just("card"), st.integers(0, 50), moment, st.integers(0, 60)),
    st.tuples(st.just("revoke"), st.integers(0, 50), moment),
    st.tuples(st.just("move"), st.integers(0, 50)),
    st.tuples(st.just("make_trainer"), st.integers(0, 50)),
    st.tuples(
        st.just("sync"), st.integers(0, 50), st.integers(0, 2), moment, st.booleans()
    ),
)


def learners():
    return db.session.scalars(
        sa.select(User).where(User.role == "learner").order_by(User.id)
    ).all()


def pick(rows, n):
    return rows[n % len(rows)] if rows else None


def do(action, course, club, *args):
    people = learners()
    if action == "sign_up":
        code, when = args
        area = db.session.scalar(sa.select(Area).where(Area.code == code))
        user = create_user(
            f"0913{next(PHONES):06d}",
            "Lê Thị Hoa",
            "learner",
            area,
            "mat-khau-rieng-2026",
            password_hash="x",
        )
        user.created_at = when
        return
    learner = pick(people, args[0])
    if learner is None:
        return
    if action == "lesson":
        complete_lesson(learner, course.active_lessons[args[1]], completed_at=args[2])
    elif action == "quiz":
        complete_lesson(learner, course.active_lessons[0], completed_at=args[2])
        db.session.add(
            QuizAttempt(
                user_id=learner.id,
                quiz_id=course.live_quiz.id,
                answers={},
                results={},
                score=80 if args[1] else 20,
                passed=args[1],
                created_at=args[2],
            )
        )
    elif action == "complete":
        enrollment = db.session.scalar(
            sa.select(Enrollment).where(Enrollment.user_id == learner.id)
        )
        if enrollment is not None:
            enrollment.completed_at = args[1]
    elif action in ("certificate", "card"):
        held = db.session.scalar(
            sa.select(sa.func.count()).where(
                Certificate.user_id == learner.id,
                Certificate.course_id == course.id
                if action == "certificate"
                else Certificate.club_id == club.id,
            )
        )
        if held:
            return
        when = args[1]
        db.session.add(
            Certificate(
                code=secrets.token_hex(16),
                user_id=learner.id,
                issued_at=when,
                course_id=course.id if action == "certificate" else None,
                club_id=club.id if action == "card" else None,
                period=1 if action == "card" else None,
                expires_at=when + timedelta(days=args[2]) if action == "card" else None,
            )
        )
    elif action == "revoke":
        card = db.session.scalar(
            sa.select(Certificate).where(
                Certificate.user_id == learner.id, Certificate.revoked_at.is_(None)
            )
        )
        if card is not None:
            card.revoked_at = max(args[1], card.issued_at)
    elif action == "move":
        code = "P-B" if learner.area.code == "P-A" else "P-A"
        learner.area = db.session.scalar(sa.select(Area).where(Area.code == code))
    elif action == "make_trainer":
        learner.role = "trainer"
    elif action == "sync":
        sync_lesson(learner, course, *args[1:])


def sync_lesson(learner, course, lesson, when, again):
    """A lesson done offline, sent in a batch with a refused event (and the same
    one again, a duplicate)."""
    enroll(learner, course)
    event = {
        "id": str(uuid.uuid4()),
        "type": "lesson.complete",
        "course": course.slug,
        "lesson": course.active_lessons[lesson].slug,
        "at": when.isoformat() + "Z",
    }
    batch = [event, {**event, "id": str(uuid.uuid4()), "lesson": "nowhere"}]
    replies = Replies(attempt_url=str, seal=PaperSeal("test"))
    apply_events(learner, batch + [event] * again, replies)


def stored_totals():
    """Every non-zero total, daily and monthly: {(kind, metric, area, key, day): n}."""
    stored = {}
    for model, moment in ((ReportTotal, "day"), (ReportMonth, "month")):
        rows = db.session.execute(
            sa.select(
                model.metric,
                model.area_id,
                model.key,
                getattr(model, moment),
                model.n,
            ).where(model.n != 0)
        )
        stored |= {(moment, m, a, k, str(d)): n for m, a, k, d, n in rows}
    return stored


def figures_agree(course):
    """Each figure from the totals equals the count over the raw rows."""
    for area in (None, "P", "P-B"):
        top = db.session.scalar(sa.select(Area).where(Area.code == area))
        for args in (
            {"period": "7"},
            {"period": "30", "course": course.slug},
            {"period": "90"},  # whole months from the monthly sums, days around
            {"period": "365", "course": course.slug},
        ):
            scope = build_scope(top, args, NOW)
            for name, metric in METRICS.items():
                if name == "practical_approved":
                    continue  # no practical work in these steps: both 0
                for start, end in windows(name, scope.period):
                    raw = db.session.scalar(metric.count(scope, start, end))
                    counted = total_number(name, scope, start, end)
                    assert counted == raw, (name, area, args, start)


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_totals_equal_the_raw_counts_after_random_activity(app, mini_course):
    ensure_default_clubs()
    db.session.commit()
    club = db.session.scalar(sa.select(Club).where(Club.code == "koc"))

    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(step, min_size=1, max_size=12))
    def run(steps):
        for action, *args in steps:
            do(action, mini_course, club, *args)
            db.session.flush()
        db.session.commit()
        kept = stored_totals()
        figures_agree(mini_course)
        rebuild(db.session.connection())
        assert stored_totals() == kept
        db.session.rollback()

    run()


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_rebuild_totals_command_recounts(app, mini_course):
    learner = create_user(
        "0912000001",
        "Lê Thị Hoa",
        "learner",
        db.session.scalar(sa.select(Area).where(Area.code == "P-A")),
        "mat-khau-rieng-2026",
        password_hash="x",
    )
    complete_lesson(
        learner,
        mini_course.active_lessons[0],
        completed_at=datetime(2026, 3, 1, 23, 30),
    )
    db.session.commit()
    kept = stored_totals()
    db.session.execute(sa.delete(ReportTotal))
    db.session.execute(sa.delete(ReportMonth))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["lms", "rebuild-totals"])
    assert result.exit_code == 0, result.output
    assert stored_totals() == kept
    # 23:30 UTC on 1 March is 2 March in Viet Nam: the lesson counts there.
    assert kept[("day", "lesson", 0, 0, "2026-03-02")] == 1
    assert kept[("month", "lesson", 0, 0, "2026-03-01")] == 1


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_merge_moves_the_totals_with_the_people(app, mini_course):
    def commune(code):
        return db.session.scalar(sa.select(Area).where(Area.code == code))

    learner = create_user(
        "0912000002",
        "Lê Thị Hoa",
        "learner",
        commune("P-A"),
        "mat-khau-rieng-2026",
        password_hash="x",
    )
    complete_lesson(learner, mini_course.active_lessons[0])
    db.session.commit()
    scope = build_scope(commune("P-B"), {"period": "7"}, utcnow())
    start, end = windows("lessons_completed", scope.period)[0]
    assert total_number("lessons_completed", scope, start, end) == 0

    import_areas(
        b"code,name,kind,parent_code,merged_into\n"
        b"P,T\xe1\xbb\x89nh M\xe1\xba\xabu,province,,\n"
        b"P-A,X\xc3\xa3 An,commune,P,P-B\n"
        b"P-B,X\xc3\xa3 B\xc3\xacnh,commune,P,\n"
    )
    db.session.commit()

    scope = build_scope(commune("P-B"), {"period": "7"}, utcnow())
    assert total_number("lessons_completed", scope, start, end) == 1
    assert total_number("learners", scope, start, end) == 1
    kept = stored_totals()
    rebuild(db.session.connection())
    assert stored_totals() == kept


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_farmers_registered_from_a_class_list_are_counted(app, classroom, people):
    from lms.services.registration import register_from_csv

    listed = "name,phone,area\nLò Văn Một,0912000301,P-A\nLò Văn Hai,0912000302,P-B\n"
    register_from_csv(classroom, listed.encode(), people["trainer"])
    db.session.commit()
    kept = stored_totals()
    rebuild(db.session.connection())
    assert stored_totals() == kept


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_one_farmers_phones_sending_days_at_once_count_each_day_once(
    app, mini_course, people
):
    """A farmer's first activity of several days reaches the server at one moment
    (two phones, a queue resent while the first try still runs): the active
    learners counted stay what a recount of the raw rows gives."""
    learner = people["learner"]
    enroll(learner, mini_course)
    db.session.commit()
    lessons = [lesson.slug for lesson in mini_course.active_lessons]
    first_day = NOW.replace(hour=3, minute=0, second=0, microsecond=0)

    def send(client, number):
        day = number % len(lessons)  # consecutive days, close enough to chain
        at = first_day - timedelta(days=day)
        event = lesson_event(lessons[day], course="mini", at=at.isoformat() + "Z")
        return client.post("/api/v1/progress/sync", json={"events": [event]})

    answers = at_once(app, send, signed_in_as="learner")
    assert all(answer.status_code in (200, 503) for answer in answers)
    db.session.rollback()  # a fresh look: what the phones wrote
    days = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LearnerDay)
        .where(LearnerDay.user_id == learner.id)
    )
    assert days == len(lessons)
    kept = stored_totals()
    figures_agree(mini_course)
    rebuild(db.session.connection())
    assert stored_totals() == kept
