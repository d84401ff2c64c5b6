"""Health, error pages, security headers and the templates' promises."""

import re
from pathlib import Path

import pytest
from flask import abort

from tests.helpers import vi

ROOT = Path(__file__).parent.parent


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_reports_a_broken_database(tmp_path, config):
    from lms import create_app

    broken = tmp_path / "not-a-database"
    broken.write_text("this is not SQLite")
    app = create_app(config | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{broken}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error"}


@pytest.fixture
def failing_app(app):
    @app.get("/test/<int:code>")
    def fail(code):
        if code == 500:
            raise RuntimeError("boom")
        abort(code)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (400, "Something was wrong with that request"),
        (403, "You cannot open this page"),
        (404, "Page not found"),
        (413, "The file is too large"),
        (429, "Too many attempts"),
        (500, "Something went wrong on our side"),
    ],
)
def test_error_pages_use_the_layout_and_the_language(failing_app, code, title):
    response = failing_app.test_client().get(f"/test/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert f"<h1>{vi(title)}</h1>" in html
    assert '<html lang="vi">' in html and "app.css" in html
    assert "Traceback" not in html and "boom" not in html


def test_post_only_routes_refuse_get(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert '<html lang="vi">' in response.get_data(as_text=True)


def test_oversized_request_is_refused(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"phone": "x" * 5000, "password": "y"})
    assert response.status_code == 413


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src" not in csp or "'unsafe-inline'" not in csp
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_session_cookie_is_httponly_and_samesite(client, learner):
    from tests.conftest import sign_in

    response = sign_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_templates_have_no_inline_script_or_handlers():
    for template in (ROOT / "templates").rglob("*.html"):
        html = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), template
        assert not re.search(r"\son[a-z]+=", html), template


def test_every_input_has_a_visible_label(client, mini_course):
    from tests.conftest import make_user, sign_in

    pages = ["/signup", "/login"]
    make_user()
    anonymous = [client.get(url).get_data(as_text=True) for url in pages]
    sign_in(client)
    quiz = client.get("/courses/mini/quiz").get_data(as_text=True)
    for html in [*anonymous, quiz]:
        for tag in re.findall(r"<(?:input|select)\b[^>]*>", html):
            if 'type="hidden"' in tag:
                continue
            field_id = re.search(r'\bid="([^"]+)"', tag)
            wrapped = (
                "choice" in html and 'type="radio"' in tag or 'type="checkbox"' in tag
            )
            assert wrapped or (field_id and f'for="{field_id.group(1)}"' in html), tag


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    from lms import config as config_module

    monkeypatch.delenv("SECRET_KEY", raising=False)
    key_file = tmp_path / "secret_key"
    first = config_module._kept_secret(key_file)
    assert len(first) == 64 and key_file.stat().st_mode & 0o077 == 0
    assert config_module._kept_secret(key_file) == first


def test_upload_limit_from_the_environment(monkeypatch):
    from lms import create_app

    monkeypatch.setenv("LMS_MAX_UPLOAD_MB", "3")
    assert create_app({"TESTING": True}).config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024


def test_secret_key_from_the_environment_wins(monkeypatch):
    from lms import create_app

    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app({"TESTING": True}).config["SECRET_KEY"] == "from-the-environment"


def test_no_attribute_says_none(client, mini_course):
    """A Python None rendered into HTML is an attribute pointing at nothing."""
    from tests.conftest import make_user, sign_in

    pages = ["/login", "/signup", "/join", "/code", "/verify"]
    make_user()
    sign_in(client)
    pages += ["/me/learning", "/courses/mini/quiz", "/me/profile"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert '="None"' not in html, url
