"""Headers, redirects, POST with CSRF, uploads and roles, across the whole site."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from tests.conftest import PASSWORD
from tests.test_access import MATRIX, world  # noqa: F401 (a fixture)

GET_ROWS = [row for row in MATRIX if row[1] == "GET"]
POST_ROWS = [row for row in MATRIX if row[1] == "POST"]
EVIL = [
    "//evil.example",
    "https://evil.example",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "%2F%2Fevil.example",
    "/\t/evil.example",
    " //evil.example",
    "///evil.example",
]


def assert_security_headers(response, https=False):
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors"):
        assert directive in csp or "default-src 'none'" in csp, (directive, csp)
    assert "unsafe-inline" not in csp.split("script-src")[-1] or "sandbox" in csp
    assert "script-src" not in csp or "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert ("Strict-Transport-Security" in response.headers) is https


@pytest.mark.parametrize("https", [False, True])
def test_every_page_carries_the_security_headers(as_role, world, https):  # noqa: F811
    admin = as_role("admin")
    base_url = "https://localhost" if https else "http://localhost"
    urls = [url.format(**world) for _, _, url, _, _ in GET_ROWS]
    urls += ["/no-such-page", "/logout", "/api/v1/nothing", "/verify/NOPE"]
    for url in urls:
        with admin.get(url, base_url=base_url) as response:
            assert_security_headers(response, https=https)
    page = admin.get("/", base_url=base_url).headers["Content-Security-Policy"]
    assert "form-action 'self'" in page and "default-src 'self'" in page


def test_error_and_api_responses_carry_the_headers(client, learner):
    assert_security_headers(client.get("/api/v1/courses/mini/offline"))  # 401 JSON
    assert_security_headers(client.post("/api/v1/progress/sync", json={}))
    assert_security_headers(client.get("/static/../lms/config.py"))


@pytest.mark.parametrize("target", EVIL)
def test_sign_in_never_sends_people_to_another_site(client, learner, target):
    response = client.post(
        "/login", data={"phone": "0912345678", "password": PASSWORD, "next": target}
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_no_next_parameter_leaves_the_site(app, learner, target):
    anonymous = app.test_client()
    signup = anonymous.post(
        f"/signup?next={target}",
        data={"phone": "0912 999 888", "name": "A", "area": "x"},
    )
    assert signup.status_code == 400  # a bad form: no redirect at all
    for url in ("/language", "/data-saver"):
        response = anonymous.post(url, data={"lang": "en", "on": "1", "next": target})
        assert response.headers["Location"] == "/", url


def test_next_within_the_site_is_followed(client, learner):
    response = client.post(
        "/login",
        data={"phone": "0912345678", "password": PASSWORD, "next": "/me/learning?a=1"},
    )
    assert response.headers["Location"] == "/me/learning?a=1"


def test_no_route_changes_anything_on_get(app, as_role, world):  # noqa: F811
    """POST-only routes refuse GET; every page opened by every role writes nothing."""
    rules = list(app.url_map.iter_rules())
    readable = {rule.rule for rule in rules if "GET" in rule.methods}
    for rule in rules:
        if rule.rule not in readable:
            url = next(u for r, _, u, _, _ in MATRIX if r == rule.rule)
            response = as_role("admin").get(url.format(**world))
            assert response.status_code == 405, rule.rule
    for role in ("admin", "trainer", "learner", None):
        client = as_role(role)
        before = database_snapshot()
        for _, _, url, _, _ in GET_ROWS:
            client.get(url.format(**world)).close()
        assert database_snapshot() == before, role


# A farmer's taps that answer a stale page with their own page, asking again.
ASKED_AGAIN = {
    "/courses/<slug>/lessons/<lesson_slug>/complete",
    "/courses/<slug>/quiz",
}


def database_snapshot():
    db.session.expire_all()
    return {
        table.name: sorted(
            map(repr, db.session.execute(sa.select(table)).all()), key=str
        )
        for table in db.metadata.sorted_tables
    }


@pytest.mark.parametrize(
    ("rule", "url", "role"),
    [
        (rule, url, "admin" if rule.startswith("/admin") else "trainer")
        for rule, _, url, _, _ in POST_ROWS
    ]
    + [
        ("/login", "/login", None),
        ("/signup", "/signup", None),
        ("/code", "/code", None),
    ]
    + [("/me/password", "/me/password", "learner"), ("/verify", "/verify", None)],
)
def test_posts_without_a_csrf_token_are_refused(app, as_role, world, rule, url, role):  # noqa: F811
    client = as_role(role)
    app.config["WTF_CSRF_ENABLED"] = True
    before = database_snapshot()
    if rule.startswith("/api/"):
        response = client.post(url.format(**world), json={"events": []})
        assert response.status_code == 400
        assert "The form had expired" in response.get_json()["error"] or (
            "hết hạn" in response.get_json()["error"]
        )
    elif rule in ASKED_AGAIN:  # their page again, "tap again" (tests/test_learning)
        response = client.post(url.format(**world), data={"phone": "0912000001"})
        assert response.status_code in (302, 400), rule
    else:
        response = client.post(url.format(**world), data={"phone": "0912000001"})
        assert response.status_code == 400, rule
        html = response.get_data(as_text=True)
        assert "Biểu mẫu đã hết hạn" in html or "The form had expired" in html, rule
        assert "Quay lại biểu mẫu" in html or "Back to the form" in html, rule
    assert database_snapshot() == before
