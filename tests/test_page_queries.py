"""The pages every farmer opens again and again ask the database a fixed, small
number of questions, however far the farmer has got: a query added to them costs
every farmer on every page (README "Performance")."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from tests.conftest import DATABASES
from tests.quiz_pages import fill

RIGHT = {"sprayed": "a", "before-live": ["a", "b"]}  # the mini course's quiz

# The session's user, the course with its quiz and practical work, its lessons,
# and the learner's completed lessons.
LESSON_PAGE = 4
# The same, and where the learner stands (enrolment, lessons, quiz, practical
# work) in one more.
COURSE_PAGE = 5


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

    assert figures() == (LESSON_PAGE, COURSE_PAGE)  # a newcomer
    signed_in.post("/courses/mini/enroll")
    for lesson in ("first", "second", "third"):
        signed_in.post(f"/courses/mini/lessons/{lesson}/complete")
    signed_in.post("/courses/mini/quiz", data=fill(signed_in, "mini", RIGHT))
    html = signed_in.get("/courses/mini").get_data(as_text=True)
    assert 'value="100"' in html  # the whole course done: lessons and quiz
    assert figures() == (LESSON_PAGE, COURSE_PAGE)
