"""Sessions: new on sign-in, ended everywhere at will, limited in time, safe cookies."""

from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie

from lms import clock
from lms.extensions import db
from lms.models import AccessCode, User
from lms.services.codes import issue_code
from tests.conftest import PASSWORD, make_user, sign_in

NEW_PASSWORD = "xoài cát chu chín vàng"


@pytest.fixture
def later():
    """Move the project's clock forward: later(days=31)."""
    yield lambda **delta: clock.travel(timedelta(**delta))
    clock.reset()


def signed_in_on_two_phones(app, phone="0912345678"):
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        assert sign_in(client, phone=phone).status_code == 302
    assert is_signed_in(first) and is_signed_in(second)
    return first, second


def is_signed_in(client):
    response = client.get("/me/learning")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def session_cookie(response):
    return next(
        (
            h
            for h in response.headers.getlist("Set-Cookie")
            if h.startswith(("session=", "__Host-session="))
        ),
        None,
    )


def test_the_cookie_is_sent_again_only_when_last_seen_moves(client, learner, later):
    sign_in(client)
    assert is_signed_in(client)
    assert session_cookie(client.get("/me/learning")) is None
    assert session_cookie(client.get("/static/css/app.css")) is None
    later(minutes=2)
    assert "Expires=" in session_cookie(client.get("/me/learning"))


def test_sign_in_starts_a_new_session_keeping_nothing_planted(client, learner):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["csrf_token"] = "known to the attacker"
    sign_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{learner.id}:{learner.session_version}"
        assert session.get("csrf_token") != "known to the attacker"


def test_sign_out_ends_the_session_on_the_other_phone(app, learner):
    first, second = signed_in_on_two_phones(app)
    first.post("/logout")
    assert not is_signed_in(first) and not is_signed_in(second)


def test_password_change_signs_out_the_other_phone_only(app, learner):
    first, second = signed_in_on_two_phones(app)
    response = first.post(
        "/me/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_signed_in(first) and not is_signed_in(second)
    assert sign_in(second).status_code == 400
    assert sign_in(second, password=NEW_PASSWORD).status_code == 302


def test_password_change_needs_the_current_password(app, learner):
    first, second = signed_in_on_two_phones(app)
    response = first.post(
        "/me/password",
        data={"current_password": "not the password", "password": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert 'id="current_password-error"' in response.get_data(as_text=True)
    assert is_signed_in(first) and is_signed_in(second)
    assert sign_in(app.test_client()).status_code == 302  # the old one still works


def test_password_reset_with_a_code_signs_out_every_phone(app, learner):
    first, second = signed_in_on_two_phones(app)
    issue_code(learner, "reset", None, code="12345678")
    db.session.commit()
    response = app.test_client().post(
        "/code",
        data={"phone": "0912345678", "code": "12345678", "password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert db.session.query(AccessCode).one().used_at is not None
    assert not is_signed_in(first) and not is_signed_in(second)


def test_disabling_an_account_signs_it_out_everywhere(app, learner):
    first, second = signed_in_on_two_phones(app)
    cli = app.test_cli_runner()
    result = cli.invoke(args=["lms", "disable-user", "--phone", "0912345678"])
    assert result.exit_code == 0, result.output
    assert not is_signed_in(first) and not is_signed_in(second)
    assert sign_in(first).status_code == 400
    cli.invoke(args=["lms", "enable-user", "--phone", "0912 345 678"])
    assert sign_in(first).status_code == 302


@pytest.mark.parametrize(
    ("role", "idle", "absolute"),
    [("learner", 30, 90), ("trainer", 0.5, 7), ("official", 0.5, 7)],
)
def test_sessions_end_after_idle_and_absolute_limits(app, later, role, idle, absolute):
    make_user(phone="0912000009", role=role)
    client = app.test_client()
    sign_in(client, phone="0912000009")
    # Used every so often, a session lasts until the absolute limit...
    step = idle * 0.9
    used_for = 0
    while used_for + step < absolute:
        later(days=step)
        used_for += step
        assert is_signed_in(client), f"{role} signed out after {used_for} days"
    later(days=absolute - used_for + 0.01)
    assert not is_signed_in(client)
    # ...and left alone, it ends after the idle limit.
    sign_in(client, phone="0912000009")
    later(days=idle * 0.99)
    assert is_signed_in(client)
    later(days=idle * 1.01)
    response = client.get("/me/learning", follow_redirects=True)
    assert "/login" in response.request.path
    assert "Please sign in again" in response.get_data(as_text=True) or (
        "đăng nhập lại" in response.get_data(as_text=True)
    )


def test_session_limits_are_settings(app, config, later, learner):
    app.config["LMS_LEARNER_IDLE_TIMEOUT"] = timedelta(hours=1)
    sign_in(client := app.test_client())
    later(minutes=50)
    assert is_signed_in(client)
    later(minutes=61)
    assert not is_signed_in(client)


def test_cookies_are_httponly_lax_and_secure_over_https(app, learner):
    plain = sign_in(app.test_client())
    cookie = session_cookie(plain)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    https = app.test_client()
    response = https.post(
        "/login",
        data={"phone": "0912345678", "password": PASSWORD},
        base_url="https://localhost",
    )
    assert "Secure" in session_cookie(response) and "HttpOnly" in cookie


def test_secure_cookies_can_be_required(app, config, learner, monkeypatch):
    from lms import create_app

    monkeypatch.setenv("LMS_SECURE_COOKIES", "1")
    config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
    secured = create_app(config)
    secured.test_client_class = app.test_client_class
    assert "Secure" in session_cookie(sign_in(secured.test_client()))
    assert secured.config["REMEMBER_COOKIE_SECURE"]
    assert secured.config["REMEMBER_COOKIE_HTTPONLY"]
    assert secured.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert secured.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=7)
    assert secured.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=90)


def test_sign_in_never_sets_a_remember_me_cookie(client, learner):
    response = sign_in(client)
    assert not any(
        h.startswith("remember_token=") for h in response.headers.getlist("Set-Cookie")
    )


@pytest.mark.parametrize("version_moved", [True, False])
def test_a_remember_me_cookie_signs_no_one_in(app, learner, version_moved):
    """Remember-me is not offered: a cookie, stale or not, is refused and removed."""
    with app.test_request_context():
        value = encode_cookie(learner.get_id())
    if version_moved:
        learner.session_version += 1
        db.session.commit()
    client = app.test_client()
    client.set_cookie("remember_token", value)
    response = client.get("/me/learning")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert any(
        h.startswith("remember_token=;") for h in response.headers.getlist("Set-Cookie")
    )
    assert db.session.get(User, learner.id).active


def test_over_https_the_session_cookie_is_host_only(app, learner):
    https = app.test_client()
    response = https.post(
        "/login",
        data={"phone": "0912345678", "password": PASSWORD},
        base_url="https://localhost",
    )
    [cookie] = [
        h for h in response.headers.getlist("Set-Cookie") if "session=" in h
    ]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    page = https.get("/me/learning", base_url="https://localhost")
    assert page.status_code == 200  # the prefixed cookie is the session
    assert https.get("/me/learning", base_url="http://localhost").status_code == 302
