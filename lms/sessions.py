"""Sign-in sessions: new on sign-in, limited in time, ended everywhere at will.

A session names the user as "<id>:<session version>"; moving the user's version
(sign-out, password change or reset, disabling) ends every session they have.
The session also carries when it began and when it was last used, so it ends
after a while without use (idle) and after a fixed time whatever happens
(absolute); staff, who see other people's data, get shorter limits.
"""

import functools

from flask import current_app, flash, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from sqlalchemy import bindparam, select

from lms import clock
from lms.extensions import db
from lms.models import User
from lms.services.tokens import live_token

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
STAFF = "staff"
# Last-seen is written at most this often, so most responses keep the same cookie.
SEEN_RESOLUTION = 60
SESSION_ENDED = _l(
    "You were signed out to keep your account safe. Please sign in again."
)


def init_login(app, login_manager):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    login_manager.request_loader(load_token_user)
    app.session_interface = HttpsAwareSessionInterface()
    # Before anything (rate-limit keys, views) asks who is signed in.
    app.before_request(end_expired_session)


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over https.

    Over https it is also named "__Host-session": browsers then accept it only
    Secure, for the whole site and from this very host (no subdomain or plain
    http page can plant or overwrite it).
    """

    def get_cookie_secure(self, app):
        return super().get_cookie_secure(app) or request.is_secure

    def get_cookie_name(self, app):
        name = super().get_cookie_name(app)
        return f"__Host-{name}" if request.is_secure else name


def load_user(session_id):
    """Load the user for a session id "<id>:<version>"; a stale version is no one."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.execute(_user_by_id(), {"id": int(user_id)}).scalar()
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


@functools.cache
def _user_by_id():
    # Every signed-in request runs it first: built once per process, it is about
    # a fifth quicker than Session.get, which builds its statement each time.
    return select(User).where(User.id == bindparam("id"))


def load_token_user(request):
    """The owner of the bearer token a program sends to the reports API, else None.

    Tokens open the reports API only. The token is kept in ``g.api_token`` so
    that its use is recorded after the response is made (lms.views.reports_api).
    """
    header = request.headers.get("Authorization", "")
    if request.blueprint != "reports_api" or not header.startswith("Bearer "):
        return None
    token = live_token(header.removeprefix("Bearer ").strip())
    if token is None:
        return None
    g.api_token = token
    return token.user


def start_session(user):
    """Sign ``user`` in on a new session: nothing from before sign-in is kept."""
    session.clear()
    session.permanent = True
    login_user(user)
    now = clock.timestamp()
    session[SIGNED_IN_AT] = session[SEEN_AT] = now
    session[STAFF] = user.role != "learner"


def session_limits(staff):
    """Return (idle timeout, absolute limit) in seconds for a learner or staff."""
    kind = "STAFF" if staff else "LEARNER"
    config = current_app.config
    return (
        config[f"LMS_{kind}_IDLE_TIMEOUT"].total_seconds(),
        config[f"LMS_{kind}_SESSION_LIMIT"].total_seconds(),
    )


def end_expired_session():
    """End a signed-in session that is too old or unused for too long.

    A session that names a user but was not started by ``start_session`` (such
    as one restored from a remember-me cookie, which is never offered) ends too.
    """
    if (
        "_user_id" not in session
        and request.cookies.get(
            current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        )
        is None
    ):
        return
    now = clock.timestamp()
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    idle, absolute = session_limits(session.get(STAFF, True))
    if (
        not isinstance(signed_in_at, int)
        or not isinstance(seen_at, int)
        or now - signed_in_at > absolute
        or now - seen_at > idle
    ):
        was_signed_in = "_user_id" in session
        session.clear()
        session["_remember"] = "clear"  # Flask-Login: ignore and delete the cookie
        g.pop("_login_user", None)
        if was_signed_in:
            flash(SESSION_ENDED, "info")
        return
    if now - seen_at >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
