"""When the database cannot take a request: not set up yet, busy, or out of space.

Each answers 503 with a page (JSON under /api/) in the user's language and a
Retry-After that phones' offline queues wait for; the log says what to do.
"""

import shutil
import time
from pathlib import Path

from flask import current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError

from lms.database import schema_is_current, unavailable_reason
from lms.extensions import db

SETUP_COMMAND = "flask --app app lms setup"
SCHEMA_RECHECK = 30  # seconds a worker trusts that the schema is the latest
RETRY_AFTER = {"busy": 2, "lost": 2, "full": 60, "setup": 30}  # seconds
TEXTS = {
    "busy": (
        _l("The site is busy"),
        _l(
            "Many people are saving at this moment. Nothing was saved: please "
            "try again in a few seconds."
        ),
    ),
    "lost": (
        _l("The site lost its connection for a moment"),
        _l(
            "The site was cut off for a moment. Nothing was saved: please try "
            "again in a few seconds."
        ),
    ),
    "full": (
        _l("The site cannot save right now"),
        _l(
            "The server has run out of storage space. Nothing was saved: please "
            "try again later."
        ),
    ),
    "setup": (
        _l("The site is not set up yet"),
        _l(
            "The site's administrator has not finished setting it up. Please "
            "come back later."
        ),
    ),
}


def init_app(app):
    # First after the request clock: nothing else may query a missing schema.
    app.before_request_funcs.setdefault(None, []).insert(1, require_setup)
    app.register_error_handler(DBAPIError, database_unavailable)
    app.register_error_handler(OSError, database_unavailable)


def require_setup():
    """Answer "not set up yet" until the schema is at the latest migration."""
    if request.endpoint in ("static", "core.healthz") or request.routing_exception:
        return None  # a refused host or an unknown URL is answered as it is
    checked = current_app.extensions.get("lms_schema_checked")
    if checked is not None and time.monotonic() - checked < SCHEMA_RECHECK:
        return None
    if setup_problem() is None:
        return None
    # Who is signed in cannot be looked up: the page is an anonymous one.
    g._login_user = current_app.login_manager.anonymous_user()
    return unavailable("setup")


def setup_problem():
    """What a person must do before the site can serve, or None."""
    try:
        current = schema_is_current(
            db.engine, current_app.extensions["migrate"].directory
        )
    except Exception:  # the database cannot be reached: the request will say so
        current_app.logger.exception("cannot read the database's schema version")
        return None
    if current:
        current_app.extensions["lms_schema_checked"] = time.monotonic()
        return None
    problem = (
        f"the database is not set up or not upgraded: run `{SETUP_COMMAND}` "
        "(or `flask --app app db upgrade`)"
    )
    current_app.logger.error(problem)
    return problem


def space_problem():
    """Which folder has too little free space for writes, or None."""
    least = current_app.config["LMS_MIN_FREE_MB"] << 20
    folders = [Path(current_app.config["LMS_UPLOAD_DIR"])]
    if db.engine.dialect.name == "sqlite" and db.engine.url.database:
        folders.append(Path(db.engine.url.database).absolute().parent)
    for folder in folders:
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        free = shutil.disk_usage(folder).free
        if free < least:
            problem = f"only {free >> 20} MB free for {folder} (LMS_MIN_FREE_MB)"
            current_app.logger.error(problem)
            return problem
    return None


def database_unavailable(error):
    """A database too busy or a disk too full to write: 503, nothing saved."""
    reason = unavailable_reason(error)
    if reason is None:
        raise error
    db.session.rollback()
    if reason == "busy":
        current_app.logger.warning("database busy, answered 503: %s", error)
    elif reason == "lost":
        current_app.logger.warning("database connection lost, answered 503: %s", error)
    else:
        current_app.logger.error("no space left to write, answered 503: %s", error)
    return unavailable(reason)


def unavailable(reason):
    title, message = TEXTS[reason]
    if request.path.startswith("/api/"):
        response = jsonify(error=f"{title}. {message}")
    else:
        response = current_app.make_response(
            render_template("errors/unavailable.html", title=title, message=message)
        )
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER[reason])
    return response
