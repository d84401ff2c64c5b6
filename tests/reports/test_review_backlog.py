"""Officials see the review backlog by area: pieces waiting, oldest wait, trainers."""

import re
from datetime import timedelta

import pytest

from lms import clock
from lms.extensions import db
from lms.services.authoring import save_assignment
from lms.services.practical import review, submit
from tests.conftest import DATABASES, make_user, sign_in


@pytest.fixture
def later():
    yield lambda **delta: clock.travel(timedelta(**delta))
    clock.reset()


def backlog(html):
    """{area label: (waiting, oldest wait, trainers)} from the backlog table."""
    table = html.split('id="review-backlog"')[1].split("</table>")[0]
    cell = r"\s*<td>(.*?)</td>"
    rows = re.findall(r'<th scope="row">(.*?)</th>' + cell * 3, table)
    return {
        label: (waiting, oldest, trainers) for label, waiting, oldest, trainers in rows
    }


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_the_backlog_shows_where_work_waits_and_who_could_review_it(
    app, mini_course, later
):
    assignment = save_assignment(mini_course, "Quay.", None, [("Sáng", None)], True, 1)
    make_user("0912000701", "Cán bộ tỉnh", "official", area="P")
    make_user("0912000702", "Cán bộ xã An", "official", area="P-A")
    trainer = make_user("0912000703", "Cô Lan", "trainer", area="P-A")
    make_user("0912000704", "Thầy cũ", "trainer", area="P-A").active = False
    db.session.commit()

    def hand_in(phone, area):
        work = submit(
            make_user(phone, "Nông dân", area=area),
            assignment,
            "https://example.com/v",
            [],
            "",
            "unused",
        )
        db.session.commit()
        return work

    hand_in("0912000711", "P-B")
    later(days=4)
    hand_in("0912000712", "P-B")
    done = hand_in("0912000713", "P-A")
    review(trainer, done, True, {"sang": "pass"}, "")
    hand_in("0912000714", "P-A")
    later(hours=6)

    province = app.test_client()
    sign_in(province, phone="0912000701")
    assert backlog(province.get("/reports").text) == {
        "Xã An": ("1", "6 tiếng", "1"),
        "Xã Bình": ("2", "4 ngày", "0"),
    }
    commune = app.test_client()
    sign_in(commune, phone="0912000702")
    assert backlog(commune.get("/reports").text) == {"Xã An": ("1", "6 tiếng", "1")}
