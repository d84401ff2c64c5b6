"""A class's weekly trend, read by local day in one query per figure, equals the
count of its members' raw rows week by week, whatever the moments: at a week's
local midnight, a microsecond either side, and outside the year shown."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.clock import utcnow
from lms.extensions import db
from lms.models import Certificate, Enrollment, User
from lms.reports.figures import METRICS
from lms.reports.scope import _utc, build_scope, today
from lms.reports.tables import TREND_SERIES, TREND_WEEKS, trend
from lms.services.classes import join_class
from tests.conftest import DATABASES
from tests.helpers import finish, make_user

NOW = utcnow()
THIS_MONDAY = today(NOW) - timedelta(days=today(NOW).weekday())
FIRST = THIS_MONDAY - timedelta(weeks=TREND_WEEKS - 1)
# A moment in week ``week`` of the trend (-1 is before it, TREND_WEEKS after):
# its local midnight on Monday or Sunday, shifted by a microsecond or not.
moment = st.builds(
    lambda week, day, micro: (
        _utc(FIRST + timedelta(weeks=week, days=day)) + timedelta(microseconds=micro)
    ),
    st.integers(-1, TREND_WEEKS),
    st.sampled_from([0, 6, 7]),
    st.sampled_from([-1, 0, 1]),
)


def week_by_week(scope):
    """The old way, as the oracle: a count of the raw rows for each week's range."""
    series = {}
    for name, metrics in TREND_SERIES.items():
        counts = []
        for week in range(TREND_WEEKS):
            start = _utc(FIRST + timedelta(weeks=week))
            end = start + timedelta(weeks=1)
            total = 0
            for metric in metrics:
                query = METRICS[metric].count(scope, start, end)
                if metric == "learners":
                    query = query.where(User.created_at >= start)
                total += db.session.scalar(query)
            counts.append(total)
        series[name] = counts
    return series


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_class_trend_equals_its_raw_rows_week_by_week(
    app, classroom, people, owned_course
):
    learners = [people["learner"], people["classmate"]]
    for n in range(3):
        learners.append(make_user(phone=f"091000000{n}", name=f"Học viên {n}"))
    for learner in learners[2:]:
        join_class(learner, classroom)
    outsider = make_user(phone="0910000009", name="Ngoài lớp")  # not in the class
    for learner in [*learners, outsider]:
        finish(learner, owned_course)
    people_ids = [learner.id for learner in [*learners, outsider]]
    scope = build_scope(None, {"class": str(classroom.id), "period": "30"}, NOW)

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(moment, min_size=18, max_size=18))
    def run(moments):
        times = iter(moments)
        for user_id in people_ids:
            db.session.execute(
                sa.update(User).where(User.id == user_id).values(created_at=next(times))
            )
            db.session.execute(
                sa.update(Enrollment)
                .where(Enrollment.user_id == user_id)
                .values(completed_at=next(times))
            )
            db.session.execute(
                sa.update(Certificate)
                .where(Certificate.user_id == user_id)
                .values(issued_at=next(times))
            )
        weeks, series = trend(scope, NOW)
        assert weeks[0] == FIRST and len(weeks) == TREND_WEEKS
        assert series == week_by_week(scope)
        db.session.rollback()

    run()
