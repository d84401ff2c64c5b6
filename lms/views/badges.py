"""Open Badges 2.0 hosted verification: issuer, badge classes, assertions.

Public, read-only JSON-LD that badge tools fetch from anywhere, so every
answer (errors too) allows any origin.
"""

import io
import json

from flask import Blueprint, abort, current_app, jsonify, send_file
from sqlalchemy import select

from lms.certificates import badges
from lms.certificates.codes import find_certificate
from lms.extensions import db
from lms.models import Area, Certificate, Club, User
from lms.ratelimits import certificate_lookup
from lms.services.catalogue import find_course
from lms.services.certificates import courses_behind
from lms.services.issuers import province_issuer as issuer_of
from lms.views import public_url

bp = Blueprint("badges", __name__)


@bp.after_request
def allow_any_origin(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def absolute_url(endpoint, **values):
    return public_url(endpoint, **values)


def linked_data(document, status=200, max_age=300):
    # ASCII-escaped: a client that guesses the charset still reads Vietnamese.
    response = current_app.response_class(
        json.dumps(document), status=status, mimetype=badges.CONTENT_TYPE
    )
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


def not_found():
    """The same 404 for every unknown, malformed or mistyped name or code."""
    response = jsonify(error="not found")
    response.status_code = 404
    abort(response)


def get_badge_subject(slug):
    """The course or club a badge class slug names, else 404.

    A course that is no longer published keeps its badge class while any
    certificate points at it, so badges already issued still verify.
    """
    if slug.startswith(badges.CLUB_PREFIX):
        code = slug.removeprefix(badges.CLUB_PREFIX)
        club = db.session.scalar(select(Club).where(Club.code == code))
        if club is None:
            not_found()
        return None, club
    course = find_course(slug)
    if course is None or not (course.is_published or _has_certificates(course)):
        not_found()
    return course, None


def _has_certificates(course):
    return db.session.scalar(
        select(Certificate.id).where(Certificate.course_id == course.id).limit(1)
    )


def get_certificate(code):
    certificate = find_certificate(code)
    if certificate is None:
        not_found()
    return certificate


def revoked(certificate):
    document = badges.revoked_assertion(
        certificate.code, certificate.revoked_reason, absolute_url
    )
    return linked_data(document, status=410, max_age=0)


@bp.get("/badges/issuer")
def issuer():
    return _issuer(None, absolute_url)


@bp.get("/badges/issuers/<code>")
def province_issuer(code):
    """A province's own issuer profile (its name and contact, else the site's)."""
    return _issuer(get_province(code), badges.for_province(absolute_url, code))


def _issuer(province, url):
    shown = issuer_of(province, current_app.config)
    document = badges.issuer(url, shown.name, shown.email, shown.phone, shown.url)
    return linked_data(document, max_age=3600)


@bp.get("/badges/classes/<slug>")
def badge_class(slug):
    return _badge_class(slug, absolute_url)


@bp.get("/badges/issuers/<code>/classes/<slug>")
def province_badge_class(code, slug):
    """A badge class as the province ``code`` issues it."""
    get_province(code)
    return _badge_class(slug, badges.for_province(absolute_url, code))


def _badge_class(slug, url):
    course, club = get_badge_subject(slug)
    if club is not None:
        document = badges.club_badge_class(club, url)
    else:
        document = badges.course_badge_class(course, url)
    return linked_data(document, max_age=3600)


def get_province(code):
    province = db.session.scalar(
        select(Area).where(Area.code == code, Area.parent_id.is_(None))
    )
    if province is None:
        not_found()
    return province


def issuing_url(certificate):
    """``absolute_url``, pointing to the issuer stored on ``certificate``."""
    if certificate.issuer_area is None:
        return absolute_url
    return badges.for_province(absolute_url, certificate.issuer_area.code)


@bp.get("/badges/classes/<slug>.png")
def badge_image(slug):
    course, club = get_badge_subject(slug)
    png = badges.badge_image(badges.badge_label(course=course, club=club))
    response = send_file(io.BytesIO(png), mimetype="image/png", max_age=86400)
    response.cache_control.public = True
    return response


@bp.get("/badges/recipients/<recipient_id>")
@certificate_lookup()
def recipient(recipient_id):
    """A recipient URL badges are addressed to: it exists, and tells nothing more."""
    user = db.session.scalar(
        select(User.id).where(User.badge_recipient_id == recipient_id)
    )
    if user is None:
        not_found()
    return linked_data(badges.recipient_profile(recipient_id, absolute_url))


# <path:...>: codes with slashes in them get the same JSON 404 as any other.
@bp.get("/badges/assertions/<path:code>")
@certificate_lookup()
def assertion(code):
    certificate = get_certificate(code)
    if certificate.revoked_at is not None:
        return revoked(certificate)
    document = assertion_document(certificate)
    return linked_data(document, max_age=0)


def assertion_document(certificate):
    return badges.assertion(
        certificate,
        current_app.config["SECRET_KEY"],
        issuing_url(certificate),
        courses_behind(certificate),
    )


def baked_png(certificate):
    """The badge PNG with the certificate's assertion baked in."""
    document = assertion_document(certificate)
    label = badges.badge_label(course=certificate.course, club=certificate.club)
    return badges.bake(badges.badge_image(label), badges.compact_json(document))


def baked_png_size(certificate):
    """The baked badge's size in bytes, without baking it: the plain image (made
    once per label) plus the iTXt chunk that ``badges.bake`` adds."""
    document = assertion_document(certificate)
    label = badges.badge_label(course=certificate.course, club=certificate.club)
    text = badges.compact_json(document).encode("utf-8")
    chunk = 4 + 4 + len(b"openbadges\0\0\0\0\0") + len(text) + 4  # length, type, crc
    return len(badges.badge_image(label)) + chunk


@bp.get("/certificates/<path:code>/badge.png")
@certificate_lookup()
def baked(code):
    """The badge image with its assertion baked in, to keep or upload elsewhere."""
    certificate = get_certificate(code)
    if certificate.revoked_at is not None:
        return revoked(certificate)
    return send_file(
        io.BytesIO(baked_png(certificate)),
        mimetype="image/png",
        as_attachment=True,
        download_name=f"badge-{certificate.code}.png",
        max_age=0,
    )
