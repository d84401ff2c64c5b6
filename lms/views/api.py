"""The JSON API under /api/v1, described by /api/v1/openapi.json."""

import os
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from lms.api_spec import openapi_document
from lms.extensions import limiter
from lms.permissions import can_read_course
from lms.ratelimits import SYNC_PER_ADDRESS, SYNC_PER_USER, signed_in_user
from lms.services.papers import PaperSeal
from lms.services.sync import MAX_EVENTS, Replies, apply_events
from lms.views import course_or_404, public_url
from lms.views.core import public_media_file

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MEDIA_SRC = re.compile(r'src="(/media/[^"]+)"')
# Tools a lesson links to, and the script each needs to work without a signal.
TOOLS = {"/tools/cost-per-box": "js/box-cost.js"}
# The scripts a course's pages load for offline use (base.html, learn/*.html).
OFFLINE_SCRIPTS = [
    "js/offline.js",
    "js/sync.js",
    "js/offline-forms.js",
    "js/save-course.js",
]
PAGE_OVERHEAD = 4000  # layout, navigation and forms around a lesson's own text


@bp.before_request
def signed_in_only():
    if request.endpoint != "api.openapi" and not current_user.is_authenticated:
        return jsonify(error=_("Please sign in to continue.")), 401


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(public_url("api.openapi")))


@bp.get("/courses/<slug>/offline")
def offline_manifest(slug):
    """Every URL needed to read a course offline, and about how many bytes."""
    course = course_or_404(slug)
    if not can_read_course(current_user, course):
        abort(404)
    lessons = course.active_lessons
    urls = [url_for("learn.course", slug=slug)]
    size = PAGE_OVERHEAD + len(course.summary_vi)
    for lesson in lessons:
        urls.append(url_for("learn.lesson", slug=slug, lesson_slug=lesson.slug))
        size += PAGE_OVERHEAD + len(lesson.html_vi) + len(lesson.html_en or "")
    if course.live_quiz:
        urls.append(url_for("learn.quiz", slug=slug))
        size += PAGE_OVERHEAD + len(str(course.live_quiz.questions))
    for lesson in lessons:
        for src in MEDIA_SRC.findall(lesson.html_vi + (lesson.html_en or "")):
            if src not in urls:
                urls.append(src)
                size += _file_size(public_media_file(src))
    for lesson in lessons:
        for audio in (lesson.audio or {}).values():
            urls.append(url_for("core.media", folder="audio", name=audio["name"]))
            size += audio["bytes"]
    if any(lesson.audio for lesson in lessons):
        urls.append(url_for("static", filename="js/voice.js"))
        size += _file_size(Path(current_app.static_folder) / "js/voice.js")
    assets = ["css/app.css", "js/app.js", *OFFLINE_SCRIPTS]
    for tool, script in TOOLS.items():
        if any(
            f'href="{tool}"' in lesson.html_vi + (lesson.html_en or "")
            for lesson in lessons
        ):
            urls.append(tool)
            size += PAGE_OVERHEAD * 2
            assets.append(script)
    for asset in assets:
        urls.append(url_for("static", filename=asset))
        size += _file_size(Path(current_app.static_folder) / asset)
    return jsonify(course=slug, urls=urls, bytes=size)


def _file_size(path):
    if path is None:  # not a public picture: the size of nothing else is told
        return 0
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


@bp.post("/progress/sync")
@limiter.limit(SYNC_PER_ADDRESS)
@limiter.limit(SYNC_PER_USER, key_func=signed_in_user)
def sync():
    """Apply progress made offline; one result per event, in order."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any batch of events is
        body = None
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS:
        return jsonify(
            error=_('Send {"events": [...]} with 1 to %(n)d events.', n=MAX_EVENTS)
        ), 400
    replies = Replies(
        attempt_url=lambda attempt: url_for(
            "learn.attempt", slug=attempt.quiz.course.slug, attempt_id=attempt.id
        ),
        seal=PaperSeal(current_app.secret_key),
        locale=str(get_locale()),
    )
    results = apply_events(current_user, events, replies)
    return jsonify(results=results)
