"""Site-wide pages: health, language switch, media, errors, response headers."""

from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup
from sqlalchemy import text
from werkzeug.exceptions import SecurityError

from lms.content.render import render_markdown_or_text
from lms.extensions import csrf, db
from lms.forms import LanguageForm
from lms.i18n import LANG_COOKIE, localised, render_gettext
from lms.permissions import can_read_reports, is_admin, is_staff
from lms.services.accounts import set_locale
from lms.views import availability, public_url, safe_next
from lms.views.pwa import SAVED_CACHE

bp = Blueprint("core", __name__)

# blob: images are the photos static/js/upload.js shrinks before sending, decoded
# through an <img> where createImageBitmap is missing (they never leave the page).
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
MEDIA_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@bp.get("/healthz")
def healthz():
    """Healthy: the database answers, its schema is the latest, there is room."""
    try:
        db.session.execute(text("SELECT 1"))
        problem = availability.setup_problem() or availability.space_problem()
    except Exception:  # any database failure means "not healthy", never a 500 page
        current_app.logger.exception("health check failed")
        return jsonify(status="error"), 503
    if problem:
        return jsonify(status="error"), 503
    return jsonify(status="ok")


@bp.post("/language")
@csrf.exempt
def change_language():
    """Switch the language: a cookie on this phone, and the account's choice for
    someone signed in. Only the account's choice needs a CSRF token: the layout
    gives a visitor's pages none, so that a page without forms (a buyer's scan
    of a certificate) starts no session and sets no cookie."""
    if current_user.is_authenticated and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()  # "the form had expired" when missing or wrong
    form = LanguageForm(meta={"csrf": False})
    languages = current_app.config["LANGUAGES"]
    lang = form.lang.data if form.is_submitted() else None
    response = make_response(redirect(safe_next(form.next.data)))
    if lang in languages:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
        if current_user.is_authenticated:
            set_locale(current_user, lang)
    return response


# Public pictures: course images (imported) and lesson images (editor uploads).
# Learners' practical photos live elsewhere and are served only with permission.
PUBLIC_MEDIA = "any(content, lessons, audio)"
PUBLIC_MEDIA_FOLDERS = ("content", "lessons", "audio")


def public_media_file(url):
    """The file a public picture URL is served from, or None for any other URL.

    Only ``/media/<folder>/<name>`` with a plain name: nothing in a lesson can make
    the server look at a file outside the media folders (not even its size).
    """
    folder, _, name = url.removeprefix("/media/").partition("/")
    if (
        not url.startswith("/media/")
        or folder not in PUBLIC_MEDIA_FOLDERS
        or not name
        or name.startswith(".")
        or "/" in name
        or "\\" in name
        or "\0" in name
    ):
        return None
    return Path(current_app.config["LMS_UPLOAD_DIR"]) / folder / name


DATA_SAVER_COOKIE = "data_saver"


def data_saver_on():
    return request.cookies.get(DATA_SAVER_COOKIE) == "1"


@bp.post("/data-saver")
def change_data_saver():
    """Pictures on tap, on this device: a data plan is per phone, not per person."""
    form = LanguageForm()  # a CSRF-checked form with a `next` field
    response = make_response(redirect(safe_next(form.next.data)))
    if form.validate_on_submit() and request.form.get("on") == "1":
        response.set_cookie(
            DATA_SAVER_COOKIE,
            "1",
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    else:
        response.delete_cookie(DATA_SAVER_COOKIE)
    return response


@bp.get(f"/media/<{PUBLIC_MEDIA}:folder>/<name>")
def media(folder, name):
    """Serve course pictures and recordings under generated names; cached for good."""
    response = send_from_directory(
        Path(current_app.config["LMS_UPLOAD_DIR"]) / folder,
        name,
        max_age=365 * 24 * 3600,
    )
    return picture_headers(response, name)


def picture_headers(response, name):
    """Show an uploaded picture as a picture only: never a page, never a script."""
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


ERROR_TEXTS = {
    400: (
        _l("Something was wrong with that request"),
        _l("Please go back and try again."),
    ),
    403: (
        _l("You cannot open this page"),
        _l("Your account does not have access to it."),
    ),
    404: (
        _l("Page not found"),
        _l("The address may be mistyped, or the page was removed."),
    ),
    405: (
        _l("Something was wrong with that request"),
        _l("Please go back and try again."),
    ),
    413: (_l("The file is too large"), _l("Choose a smaller file and try again.")),
    429: (_l("Too many attempts"), _l("Please wait a minute and try again.")),
    500: (
        _l("Something went wrong on our side"),
        _l("Please try again in a moment. Your work has not been lost."),
    ),
}


def error_page(error):
    code = getattr(error, "code", 500) or 500
    if isinstance(error, SecurityError):  # no links can be made for an unknown host
        return str(_l("This site does not answer at this address.")), 400, PLAIN_TEXT
    if code >= 500:
        db.session.rollback()
    title, message = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    if isinstance(error, CSRFError):
        message = _l("The form had expired. Please fill it in again.")
    if isinstance(error, RateLimitExceeded):
        message = wait_message(error.limit.limit.get_expiry())
    if code == 413:
        message = _l(
            "You can send at most %(mb)d MB at once. Choose fewer or smaller photos "
            "and try again.",
            mb=current_app.config["MAX_CONTENT_LENGTH"] >> 20,
        )
    # The API, and pages' scripts that ask for JSON (the lesson editor's picture
    # upload), read the reason from JSON: an HTML page would leave them mute.
    if request.path.startswith("/api/") or _asks_for_json():
        return jsonify(error=f"{title}. {message}"), code
    return render_template(
        "errors/error.html",
        code=code,
        title=title,
        message=message,
        # Too large, or sent from a page older than the sign-in: back to the form.
        back=form_page() if code == 413 or isinstance(error, CSRFError) else None,
    ), code


def _asks_for_json():
    accepted = request.accept_mimetypes
    return accepted.best_match(["text/html", "application/json"]) == "application/json"


def form_page():
    """The page the too-large form was sent from, to go back to it."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return request.path


PLAIN_TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def wait_message(seconds):
    """How long to wait before trying again: at most one window of the limit."""
    if seconds <= 60:
        return _l("Please wait a minute and try again.")
    if seconds < 2 * 3600:
        return _l(
            "Please wait %(minutes)d minutes and try again.", minutes=seconds // 60
        )
    return _l("Please wait %(hours)d hours and try again.", hours=seconds // 3600)


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


class CsrfOnlyForm:
    """What a page's button-only forms (the layout's language and sign-out, "mark
    as complete") need of a form: the hidden CSRF field, as Flask-WTF renders it,
    made only when rendered. A whole WTForms form for it cost 15 times more."""

    @property
    def csrf_token(self):
        return Markup(CSRF_FIELD) % generate_csrf()


CSRF_FIELD = '<input id="csrf_token" name="csrf_token" type="hidden" value="%s">'
CSRF_ONLY_FORM = CsrfOnlyForm()


def template_globals():
    locale = str(get_locale())
    return {
        "locale": locale,
        "loc": lambda obj, field: localised(obj, field, locale),
        "language_form": CSRF_ONLY_FORM,
        "render_markdown": render_markdown_or_text,
        "data_saver": data_saver_on(),
        "public_url": public_url,
        "is_staff": is_staff,
        "is_admin": is_admin,
        "can_read_reports": can_read_reports,
        "saved_cache": SAVED_CACHE,
        **render_gettext(),
    }
