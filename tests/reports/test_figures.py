"""Known activity gives known figures, for each reader's area and each filter."""

import pytest

from tests.conftest import DATABASES

# (value, previous) for the last 30 days, per commune; see conftest's story.
AN = {
    "learners": (3, 2),
    "active_7": (1, 0),
    "active_30": (1, 1),
    "enrolments": (1, 1),
    "lessons_completed": (1, 3),
    "courses_completed": (0, 1),
    "quiz_pass_rate": (0, 100),
    "practical_approved": (0, 0),
    "course_certificates": (0, 1),
    "koc_certificates": (0, 1),
    "kol_certificates": (0, 0),
    "koc_members": (1, 1),
    "kol_members": (0, 0),
}
BINH = {
    "learners": (2, 1),
    "active_7": (1, 0),
    "active_30": (1, 1),
    "enrolments": (2, 1),
    "lessons_completed": (6, 2),
    "courses_completed": (2, 0),
    "quiz_pass_rate": (100, None),
    "practical_approved": (0, 0),
    "course_certificates": (2, 0),
    "koc_certificates": (1, 0),
    "kol_certificates": (1, 0),
    "koc_members": (1, 0),
    "kol_members": (1, 0),
}


def both(name):
    (a, a_before), (b, b_before) = AN[name], BINH[name]
    if name == "quiz_pass_rate":
        return (67, 100)  # 2 of 3 attempts now; 1 of 1 before
    return (a + b, a_before + b_before)


PROVINCE = {name: both(name) for name in AN}


def figures(client, query=""):
    response = client.get(f"/api/v1/reports/overview{query}")
    assert response.status_code == 200, response.json
    return {
        name: (f["value"], f["previous"])
        for name, f in response.json["figures"].items()
    }


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_each_official_sees_their_own_area(app, reader):
    assert figures(reader("official_a")) == AN
    assert figures(reader("official_b")) == BINH
    assert figures(reader("official_p")) == PROVINCE
    assert figures(reader("admin")) == PROVINCE


def test_the_parent_drills_down_to_a_commune(reader, province):
    from tests.reports.province import area

    official = reader("official_p")
    assert figures(official, f"?area={area('P-B').id}") == BINH
    rows = official.get("/api/v1/reports/areas").json["rows"]
    by_name = {row["area"]["code"]: row["figures"] for row in rows}
    assert by_name["P-A"]["learners"] == 3 and by_name["P-B"]["learners"] == 2
    assert by_name["P-A"]["lessons_completed"] == 1
    assert by_name["P-B"]["kol_members"] == 1


def test_a_commune_official_cannot_open_another_commune(reader, province):
    from tests.reports.province import area

    official = reader("official_a")
    for method, url in [
        ("GET", "/reports"),
        ("GET", "/reports/learners"),
        ("POST", "/reports/export.xlsx"),
        ("POST", "/reports/learners.csv"),
    ]:
        response = official.open(f"{url}?area={area('P-B').id}", method=method)
        assert response.status_code == 404
    assert official.get(f"/reports?area={area('P').id}").status_code == 404
    response = official.get(f"/api/v1/reports/overview?area={area('P-B').id}")
    assert response.status_code == 404
    classroom = province["class_b"].id
    assert official.get(f"/reports?class={classroom}").status_code == 404


def test_filters_narrow_the_figures(reader, province):
    official = reader("official_p")
    by_class = figures(official, f"?class={province['class_a'].id}")
    assert by_class["learners"] == (1, 1)  # only a1 is in the class
    assert by_class["koc_members"] == (1, 1)
    assert by_class["lessons_completed"] == (0, 3)

    extra = figures(official, "?course=extra")
    assert extra["enrolments"] == (1, 0)
    assert extra["lessons_completed"] == (3, 0)
    assert extra["course_certificates"] == (1, 0)

    kol = figures(official, "?club=kol")
    assert kol["koc_certificates"] == (0, 0)  # another club than the one chosen
    assert kol["kol_certificates"] == (1, 0)
    assert kol["enrolments"] == (3, 2)  # mini and extra are both KOL courses

    week = figures(official, "?period=7")
    assert week["lessons_completed"] == (7, 0)
    assert week["learners"] == (5, 4)


def test_bad_filters_are_refused_with_a_message(reader, province):
    official = reader("official_a")
    for query in ("?period=5", "?course=nope", "?club=vip", "?period=abc"):
        page = official.get(f"/reports{query}")
        assert page.status_code == 400
        assert "không nằm trong danh sách" in page.text
        api = official.get(f"/api/v1/reports/overview{query}")
        assert api.status_code == 400 and api.json["error"]


def test_courses_and_trend_count_the_same_activity(reader, province):
    official = reader("official_b")
    rows = official.get("/api/v1/reports/courses").json["rows"]
    mini = next(r["figures"] for r in rows if r["course"]["slug"] == "mini")
    assert mini["enrolments"] == 1 and mini["lessons_completed"] == 3
    assert mini["quiz_attempts"] == 1 and mini["quiz_pass_rate"] == 100
    trend = official.get("/api/v1/reports/trend").json
    assert len(trend["weeks"]) == 52
    assert sum(trend["series"]["new_learners"]) == 2
    assert sum(trend["series"]["courses_completed"]) == 2
    assert sum(trend["series"]["certificates"]) == 4


def test_a_club_the_site_does_not_have_counts_no_members(app, classroom, people):
    """A class's figures come from the raw rows: with no KOL club set up, its
    course certificates must not pass for KOL cards."""
    import sqlalchemy as sa

    from lms.clock import utcnow
    from lms.extensions import db
    from lms.models import Certificate, Club
    from lms.reports.figures import number
    from lms.reports.scope import build_scope
    from tests.helpers import finish

    finish(people["learner"], classroom.courses[0])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Club)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1
    now = utcnow()
    scope = build_scope(None, {"class": str(classroom.id), "period": "30"}, now)
    start, end = scope.period.start, scope.period.end
    assert number("course_certificates", scope, start, end) == 1
    for name in ("koc_certificates", "kol_certificates", "koc_members", "kol_members"):
        assert number(name, scope, start, end) == 0, name
