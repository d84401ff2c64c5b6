"""One blueprint per area of the site."""

from urllib.parse import unquote, urlsplit

from flask import abort, current_app, request, url_for
from flask_login import current_user, login_required

from lms.extensions import db
from lms.ids import parse_id
from lms.permissions import is_admin, require
from lms.services.catalogue import find_course, find_lesson


def safe_next(target, default_endpoint="learn.catalog"):
    """Return ``target`` if it is a path on this site, else the default page.

    Refused: other sites in any spelling a browser would follow ("//host",
    "/\\host", "https://host", "javascript:"), also percent-encoded or with
    spaces and control characters a browser drops.
    """
    if isinstance(target, str) and _is_local_path(target):
        return target
    return url_for(default_endpoint)


def _is_local_path(target):
    decoded_path = unquote(target.partition("?")[0])
    return all(_is_plain_path(spelling) for spelling in (target, decoded_path))


def _is_plain_path(spelling):
    parts = urlsplit(spelling)
    return (
        spelling.startswith("/")
        and not spelling.startswith("//")
        and not any(c.isspace() or ord(c) < 32 or c == "\\" for c in spelling)
        and not parts.scheme
        and not parts.netloc
    )


def public_url(endpoint, **values):
    """An absolute URL on the configured public address, whatever the request's
    Host header said (QR codes, badges and links people copy)."""
    return current_app.config["LMS_PUBLIC_URL"] + url_for(endpoint, **values)


def course_or_404(slug, *options):
    """The course called ``slug``, else 404; callers check who may see it."""
    return find_course(slug, *options) or abort(404)


def lesson_or_404(course, slug):
    """The active lesson of ``course`` called ``slug``, else 404."""
    return find_lesson(course, slug) or abort(404)


@login_required
def admins_only():
    """Guard a blueprint of administrators' pages: sign in, then 403 for others."""
    require(is_admin(current_user))


def one_page(statement, size):
    """The page ``?page=`` asks for of what ``statement`` selects, ``size`` rows
    a page: (rows, page number, whether a next page exists). One row more than a
    page is read to know, instead of counting every row. A page past the end
    is not found."""
    number = parse_id(request.args.get("page")) or 1
    rows = db.session.scalars(statement.limit(size + 1).offset((number - 1) * size))
    rows = rows.all()
    if not rows and number > 1:
        abort(404)
    return rows[:size], number, len(rows) > size
