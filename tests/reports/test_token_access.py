"""API tokens: found from the reports, refused with a challenge, and ended with the
official's role."""

import re

import pytest

from tests.conftest import DATABASES
from tests.reports.province import user


def make_token(official):
    made = official.post("/reports/tokens", data={"name": "Bảng điều khiển tỉnh"})
    return re.search(r"lms_[A-Za-z0-9_-]{40,}", made.text).group(0)


def test_the_reports_pages_link_to_api_tokens(reader, province):
    official = reader("official_a")
    for page in ("/reports", "/reports/learners"):
        assert 'href="/reports/tokens"' in official.get(page).text


def test_a_refused_request_says_how_to_authenticate(app, province):
    program = app.test_client()
    unsigned = program.get("/api/v1/reports/overview")
    assert unsigned.status_code == 401
    assert unsigned.headers["WWW-Authenticate"] == 'Bearer realm="reports"'
    wrong = program.get(
        "/api/v1/reports/overview", headers={"Authorization": "Bearer lms_nope"}
    )
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_token_stops_working_when_its_owner_is_no_longer_an_official(
    app, reader, province
):
    secret = make_token(reader("official_a"))
    headers = {"Authorization": f"Bearer {secret}"}
    program = app.test_client()
    assert program.get("/api/v1/reports/overview", headers=headers).status_code == 200
    official = user("official_a")
    reader("admin").post(
        f"/admin/users/{official.id}",
        data={"role": "learner", "area": official.area_id, "active": "y"},
    )
    refused = program.get("/api/v1/reports/overview", headers=headers)
    assert refused.status_code == 401
    assert "WWW-Authenticate" in refused.headers
    # Made an official again, the old token stays dead: a new one must be made.
    reader("admin").post(
        f"/admin/users/{official.id}",
        data={"role": "official", "area": official.area_id, "active": "y"},
    )
    assert program.get("/api/v1/reports/overview", headers=headers).status_code == 401


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_reading_with_a_token_shows_on_the_tokens_page_as_last_used(
    app, reader, province
):
    official = reader("official_a")
    secret = make_token(official)
    assert "dùng lần cuối" not in official.get("/reports/tokens").text
    program = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert program.get("/api/v1/reports/overview", headers=headers).status_code == 200
    assert "dùng lần cuối" in official.get("/reports/tokens").text


def test_a_token_opens_the_reports_api_and_no_other_page(app, reader, province):
    secret = make_token(reader("official_a"))
    program = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    page = program.get("/reports", headers=headers)
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert program.get("/api/v1/reports/areas", headers=headers).status_code == 200
    assert "Set-Cookie" not in program.get(
        "/api/v1/reports/trend", headers=headers
    ).headers
