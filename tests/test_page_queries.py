"""The pages every farmer opens again and again ask the database a fixed, small
number of questions, however far the farmer has got: a query added to them costs
every farmer on every page (README "Performance")."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Certificate, LessonProgress
from tests.conftest import DATABASES
from tests.helpers import lesson_event
from tests.quiz_pages import fill

RIGHT = {"sprayed": "a", "before-live": ["a", "b"]}  # the mini course's quiz

# The session's user, and the course's content version with the learner's
# completed lessons (its lessons, quiz and practical work come from the
# process's copy).
LESSON_PAGE = 2
# The session's user, the course's content version, and where the learner stands
# (enrolment, lessons done, quiz, practical work) in one query.
COURSE_PAGE = 3
# The first page of a course a process serves, and the first after an author
# changed it, also load the course with its parts, and its lessons.
LOADING_THE_COPY = 2


class Queries:
    """Count the statements the application sends, BEGIN and savepoints aside."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def _seen(self, _conn, _cursor, statement, *_args):
        if statement.split(None, 1)[0].upper() in ("SELECT", "INSERT", "UPDATE"):
            self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        return self.statements

    def __exit__(self, *_exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)


def queries_of(client, path):
    with Queries(db.engine) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_lesson_and_course_pages_ask_a_fixed_number_of_queries(signed_in, mini_course):
    def figures():
        return (
            queries_of(signed_in, "/courses/mini/lessons/second"),
            queries_of(signed_in, "/courses/mini"),
        )

    first = queries_of(signed_in, "/courses/mini/lessons/first")
    assert first == LESSON_PAGE + LOADING_THE_COPY
    assert figures() == (LESSON_PAGE, COURSE_PAGE)  # a newcomer
    signed_in.post("/courses/mini/enroll")
    for lesson in ("first", "second", "third"):
        signed_in.post(f"/courses/mini/lessons/{lesson}/complete")
    signed_in.post("/courses/mini/quiz", data=fill(signed_in, "mini", RIGHT))
    html = signed_in.get("/courses/mini").get_data(as_text=True)
    assert 'value="100"' in html  # the whole course done: lessons and quiz
    assert figures() == (LESSON_PAGE, COURSE_PAGE)


# A lesson done offline, sent by the sync API: the session's user, the event id,
# the course's content version with the learner's enrolment and lessons done
# (the lessons come from the process's copy), the lesson's progress inserted and
# the learner's active day, the report totals (the areas above the learner's,
# one upsert of the days and one of the months), where the learner stands, and
# the event's insert. The learner's first activity of a day reads their other
# active days once more, and on PostgreSQL holds the learner first (so that two
# requests adding days of one learner count them in turn).
SYNC_LESSON = 10
SYNC_FIRST_OF_THE_DAY = {"sqlite": SYNC_LESSON + 1, "postgres": SYNC_LESSON + 2}
# A lesson already done: no progress, active day or totals are written.
SYNC_DONE_BEFORE = 5


def sync_queries(client, lesson):
    event = lesson_event(lesson, at="2026-11-20T03:00:00Z")
    with Queries(db.engine) as statements:
        response = client.post("/api/v1/progress/sync", json={"events": [event]})
    assert response.get_json()["results"][0]["status"] == "applied"
    return len(statements)


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_lesson_sent_by_sync_asks_a_fixed_number_of_queries(
    app, signed_in, mini_course
):
    signed_in.post("/courses/mini/enroll")
    database = "sqlite" if db.engine.dialect.name == "sqlite" else "postgres"
    assert sync_queries(signed_in, "first") == SYNC_FIRST_OF_THE_DAY[database]
    assert sync_queries(signed_in, "second") == SYNC_LESSON
    assert sync_queries(signed_in, "second") == SYNC_DONE_BEFORE
    done = db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress))
    assert done == 2


# The certificate with its holder and their commune, its course or club, its
# issuer (one query); a club card also looks for a newer card of its holder.
VERIFY_COURSE_CERTIFICATE = 1
VERIFY_CLUB_CARD = 2
# A visitor's scan first reads every row the page is made from, in one query;
# while none has changed, the page made for the last visitor is sent again.
VERIFY_ROWS = 1


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_the_verify_page_asks_a_fixed_number_of_queries(app, signed_in, card):
    client = app.test_client()  # a buyer who scanned the QR code
    course_certificate = db.session.scalar(
        sa.select(Certificate.code).where(Certificate.club_id.is_(None))
    )
    club_card = card.code
    html = client.get(f"/verify/{club_card}").get_data(as_text=True)
    assert "CLB KOC" in html and "Nguyễn Thị Ngọc Ánh" in html
    assert queries_of(client, f"/verify/{course_certificate}") == (
        VERIFY_ROWS + VERIFY_COURSE_CERTIFICATE
    )
    for _ in range(2):  # the next visitors: the page made already
        assert queries_of(client, f"/verify/{course_certificate}") == VERIFY_ROWS
        assert queries_of(client, f"/verify/{club_card}") == VERIFY_ROWS
    # Someone signed in gets the page made afresh (after the session's user).
    after_user = queries_of(signed_in, "/verify/" + club_card) - 1
    assert after_user == VERIFY_CLUB_CARD
