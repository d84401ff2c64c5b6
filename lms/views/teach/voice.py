"""The trainer's voice on a lesson: upload or record, listen back, replace, remove."""

from pathlib import Path

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.forms import EmptyForm
from lms.forms.teaching import AudioForm
from lms.services import DomainError
from lms.services.audio import store_audio
from lms.services.voice import LANGUAGES, remove_lesson_audio, set_lesson_audio
from lms.views import lesson_or_404
from lms.views.teach import bp, get_editable_course
from lms.views.transactions import refuse

AUDIO_FOLDER = "audio"


def _lesson(slug, lesson_slug, language):
    if language not in LANGUAGES:
        abort(404)
    return lesson_or_404(get_editable_course(slug), lesson_slug)


def _back(slug, lesson_slug):
    return url_for(".edit_lesson", slug=slug, lesson_slug=lesson_slug, _anchor="voice")


@bp.post("/courses/<slug>/lessons/<lesson_slug>/audio/<language>")
def upload_audio(slug, lesson_slug, language):
    """Store a recording; the recorder's script asks for JSON, a form is redirected."""
    lesson = _lesson(slug, lesson_slug, language)
    upload = request.files.get("audio")
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        if not AudioForm().validate_on_submit() or not (upload and upload.filename):
            raise DomainError(_("Choose a recording first."))
        stored = store_audio(
            upload.stream, Path(current_app.config["LMS_UPLOAD_DIR"]) / AUDIO_FOLDER
        )
        set_lesson_audio(current_user, lesson, language, stored)
    except DomainError as error:
        if wants_json:
            return jsonify(error=str(error.message)), 400
        refuse(error)
        return redirect(_back(slug, lesson_slug), 303)
    if wants_json:
        return jsonify(url=url_for("core.media", folder=AUDIO_FOLDER, name=stored.name))
    flash(_("Recording saved."), "success")
    return redirect(_back(slug, lesson_slug), 303)


@bp.post("/courses/<slug>/lessons/<lesson_slug>/audio/<language>/remove")
def remove_audio(slug, lesson_slug, language):
    lesson = _lesson(slug, lesson_slug, language)
    if EmptyForm().validate_on_submit():
        remove_lesson_audio(current_user, lesson, language)
        flash(_("Recording removed."), "success")
    return redirect(_back(slug, lesson_slug), 303)
