"""One transaction per request, committed or rolled back in one place.

Views and services write through the session and never commit: the answer does.

- A success (status below 400: a page, a redirect after a POST, JSON) commits.
  A commit that fails answers an error page instead (503 when the database is
  busy or full, else 500), never the page that claimed success.
- Any other answer rolls back: a form shown again with errors (400), a refusal
  (403, 404), a rate limit (429) and a server error (500) leave nothing written.
- An exception rolls back, whoever handles it.

A refusal that still answers with a success (a flashed message and a redirect)
goes through ``refuse``, which rolls back first; a form shown again with a
``DomainError`` goes through ``show_refusal``.

A few views commit earlier, where another process must see the rows before the
answer (a job handed to the queue) or where SQLite's write lock must not be held
(a slow password hash): each says why on the line before; tests/test_transactions
keeps that list.
"""

from flask import current_app, flash
from werkzeug.exceptions import InternalServerError

from lms.database import unavailable_reason
from lms.extensions import db
from lms.forms import show_error
from lms.views import availability, core


def init_app(app):
    """Commit at the end of each request; registered last, so it runs first."""
    app.after_request(commit_or_roll_back)
    app.teardown_request(roll_back_on_exception)


def commit_or_roll_back(response):
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        return _commit_failed(error)
    return response


def roll_back_on_exception(error):
    if error is not None:
        db.session.rollback()


def _commit_failed(error):
    reason = unavailable_reason(error)
    if reason is not None:
        current_app.logger.warning("the commit failed, answered 503: %s", error)
        return availability.unavailable(reason)
    current_app.logger.error("the commit failed, answered 500", exc_info=error)
    return current_app.make_response(core.error_page(InternalServerError()))


def refuse(error, category="error"):
    """Undo what the request wrote and say why, for the page redirected to."""
    db.session.rollback()
    flash(str(error.message), category)


def show_refusal(form, error, field=None, above=False):
    """Undo what the request wrote and show ``error`` on ``form``: on the field it
    names (else ``field``), else (or with ``above``) above the form, where the
    page announces it."""
    db.session.rollback()
    if above:
        form.form_errors.append(str(error.message))
    else:
        show_error(form, error, field)
