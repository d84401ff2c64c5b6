"""Writing lessons: editor with live preview, pictures, order, retiring."""

from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape

from lms.clock import utcnow
from lms.content.render import MarkdownTooComplex, render_markdown
from lms.extensions import db
from lms.forms import ConfirmForm, EmptyForm
from lms.forms.teaching import AudioForm, ImageForm, LessonForm
from lms.ids import parse_id
from lms.models.activity import local_day
from lms.services import DomainError
from lms.services.authoring import (
    EditConflict,
    archive_lesson,
    check_retirable,
    move_lesson,
    save_lesson,
)
from lms.services.catalogue import find_lesson
from lms.services.images import PHONE_WIDTH, store_image
from lms.views import lesson_or_404
from lms.views.teach import bp, get_editable_course
from lms.views.transactions import refuse, show_refusal

LESSON_IMAGES = "lessons"
LESSON_IMAGE_WIDTH = 960  # twice a phone's width in CSS pixels, enough for sharp text


@bp.route("/courses/<slug>/lessons/new", methods=["GET", "POST"])
@bp.route("/courses/<slug>/lessons/<lesson_slug>/edit", methods=["GET", "POST"])
def edit_lesson(slug, lesson_slug=None):
    course = get_editable_course(slug)
    lesson = lesson_or_404(course, lesson_slug) if lesson_slug else None
    form = LessonForm(obj=lesson)
    if request.method == "GET":
        form.version.data = lesson.version if lesson else ""
        if lesson is None:  # written now by its author: checked today, unless changed
            form.reviewed_on.data = local_day(utcnow())
    conflict = None
    if form.validate_on_submit():
        try:
            saved = save_lesson(
                course,
                lesson,
                form.title_vi.data,
                form.body_vi.data,
                form.title_en.data,
                form.body_en.data,
                _version(form.version.data),
                form.review(),
                current_user,
            )
        except EditConflict:
            db.session.rollback()
            conflict = lesson_or_404(course, lesson_slug)
            form.version.data = conflict.version
        except DomainError as error:
            show_refusal(form, error)
        else:
            flash(_("Lesson saved."), "success")
            return redirect(
                url_for(".course", slug=slug, _anchor=f"lesson-{saved.slug}")
            )
    return render_template(
        "teach/lesson_form.html",
        course=course,
        lesson=lesson,
        form=form,
        conflict=conflict,
        previews=_previews(form, lesson),
        image_form=ImageForm(),
        audio_form=AudioForm(),
    ), 409 if conflict else (400 if form.errors else 200)


def _previews(form, lesson):
    """What the preview shows: the text in the form (the trainer's own, after a
    refused save), else the lesson as saved."""
    if request.method == "POST":
        return {
            lang: _preview_of(getattr(form, f"body_{lang}").data or "")
            for lang in ("vi", "en")
        }
    return {"vi": lesson.html_vi if lesson else "", "en": lesson and lesson.html_en}


def _preview_of(text):
    """The preview of a refused text: rendered, or as plain text when too complex."""
    try:
        return render_markdown(text)
    except MarkdownTooComplex:
        return escape(text[:2000])


def _version(raw):
    return parse_id(raw)


@bp.post("/preview")
def preview():
    """Render Markdown exactly as learners will see it (sanitised)."""
    EmptyForm().validate_on_submit()
    try:
        return jsonify(html=render_markdown(request.form.get("text", "")))
    except MarkdownTooComplex as refused:
        message = escape(refused.message)
        return jsonify(error=message, html=f'<p class="error">{message}</p>'), 400


@bp.post("/courses/<slug>/images")
def upload_image(slug):
    """Store a picture for the lesson editor and give the Markdown line to paste.

    The editor's script asks for JSON; a plain form post gets a page instead.
    """
    course = get_editable_course(slug)
    form = ImageForm()
    upload = request.files.get("image")
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        if not form.validate_on_submit() or upload is None or not upload.filename:
            raise DomainError(_("Choose a picture and describe it."))
        image = store_image(
            upload.stream,
            Path(current_app.config["LMS_UPLOAD_DIR"]) / LESSON_IMAGES,
            max_width=LESSON_IMAGE_WIDTH,
            narrow_widths=(PHONE_WIDTH,),
        )
    except DomainError as error:
        if wants_json:
            return jsonify(error=str(error.message)), 400
        refuse(error)
        return redirect(request.referrer or url_for(".course", slug=slug)), 303
    alt = " ".join(form.alt.data.replace("]", " ").replace("[", " ").split())
    url = url_for("core.media", folder=LESSON_IMAGES, name=image.name)
    markdown = f"![{alt}]({url})"
    if wants_json:
        return jsonify(markdown=markdown, url=url)
    back = request.referrer or url_for(".course", slug=course.slug)
    return render_template(
        "teach/image_uploaded.html", markdown=markdown, url=url, alt=alt, back=back
    )


@bp.post("/courses/<slug>/lessons/<lesson_slug>/move")
def move(slug, lesson_slug):
    course = get_editable_course(slug)
    lesson = lesson_or_404(course, lesson_slug)
    EmptyForm().validate_on_submit()
    move_lesson(lesson, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for(".course", slug=slug, _anchor=f"lesson-{lesson.slug}"))


@bp.post("/courses/<slug>/lessons/<lesson_slug>/archive")
def archive(slug, lesson_slug):
    course = get_editable_course(slug)
    lesson = find_lesson(course, lesson_slug, retired_too=True) or abort(404)
    if lesson.archived_at is not None:  # the same tap again, or a co-editor's
        flash(_("Lesson retired. Learners keep what they completed."), "success")
        return redirect(url_for(".course", slug=slug))
    if not ConfirmForm().is_confirmed():
        try:
            check_retirable(lesson)  # a refusal first, not after "Yes"
        except DomainError as error:
            refuse(error)
            return redirect(url_for(".course", slug=slug))
        return _confirm_retiring(course, lesson)
    try:
        archive_lesson(lesson)
    except DomainError as error:
        refuse(error)
    else:
        flash(_("Lesson retired. Learners keep what they completed."), "success")
    return redirect(url_for(".course", slug=slug))


def _confirm_retiring(course, lesson):
    return render_template(
        "confirm.html",
        question=_("Retire the lesson “%(title)s”?", title=lesson.title_vi),
        explanation=[
            _(
                "Learners will no longer see it and it stops counting towards "
                "finishing the course. What they completed is kept."
            ),
            _("It cannot be brought back from this page."),
        ],
        action=url_for(".archive", slug=course.slug, lesson_slug=lesson.slug),
        keep={},
        confirm=_("Yes, retire it"),
        cancel=url_for(".course", slug=course.slug, _anchor=f"lesson-{lesson.slug}"),
        form=ConfirmForm(),
    )
