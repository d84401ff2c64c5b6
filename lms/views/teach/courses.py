"""Creating and editing courses, publishing them, sharing them with trainers."""

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.forms import ConfirmForm, EmptyForm
from lms.forms.teaching import CourseForm, EditorForm
from lms.services import DomainError
from lms.services.accounts import find_by_phone
from lms.services.authoring import CourseFields, add_editor, create_course, set_status
from lms.services.authoring import update_course as apply_course_fields
from lms.views.teach import bp, get_editable_course
from lms.views.transactions import refuse, show_refusal


def _fields(form):
    return CourseFields(
        title_vi=form.title_vi.data,
        title_en=form.title_en.data,
        summary_vi=form.summary_vi.data,
        summary_en=form.summary_en.data,
        minutes=form.minutes.data,
        clubs=tuple(form.clubs.data or ()),
    )


@bp.route("/courses/new", methods=["GET", "POST"])
def new_course():
    form = CourseForm()
    if form.validate_on_submit():
        try:
            course = create_course(current_user, _fields(form))
        except DomainError as error:
            show_refusal(form, error, above=True)
        else:
            flash(
                _("Course created as a draft. Add lessons, then publish it."), "success"
            )
            return redirect(url_for(".course", slug=course.slug))
    return render_template("teach/course_form.html", form=form, course=None), (
        400 if form.errors else 200
    )


@bp.get("/courses/<slug>")
def course(slug):
    course = get_editable_course(slug)
    return render_template(
        "teach/course.html", course=course, form=EmptyForm(), editor_form=EditorForm()
    )


@bp.route("/courses/<slug>/edit", methods=["GET", "POST"])
def edit_course(slug):
    course = get_editable_course(slug)
    form = CourseForm(obj=course)
    if form.validate_on_submit():
        try:
            apply_course_fields(course, _fields(form))
        except DomainError as error:
            show_refusal(form, error, above=True)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".course", slug=slug))
    return render_template("teach/course_form.html", form=form, course=course), (
        400 if form.errors else 200
    )


@bp.post("/courses/<slug>/publish")
def publish(slug):
    return _change_status(slug, "published", _("Published: learners can see it now."))


@bp.post("/courses/<slug>/unpublish")
def unpublish(slug):
    course = get_editable_course(slug)
    if not ConfirmForm().is_confirmed():
        return render_template(
            "confirm.html",
            question=_("Unpublish “%(title)s”?", title=course.title_vi),
            explanation=[
                _(
                    "Learners will no longer see it or be able to continue it. "
                    "Their progress is kept for when you publish it again."
                )
            ],
            action=url_for(".unpublish", slug=slug),
            keep={},
            confirm=_("Yes, unpublish it"),
            cancel=url_for(".course", slug=slug),
            form=ConfirmForm(),
        )
    return _change_status(slug, "draft", _("Back to draft: learners no longer see it."))


def _change_status(slug, status, message):
    course = get_editable_course(slug)
    EmptyForm().validate_on_submit()
    try:
        set_status(course, status)
    except DomainError as error:
        refuse(error)
    else:
        flash(message, "success")
    return redirect(url_for(".course", slug=slug))


@bp.post("/courses/<slug>/editors")
def add_course_editor(slug):
    course = get_editable_course(slug)
    form = EditorForm()
    trainer = find_by_phone(form.phone.data) if form.validate_on_submit() else None
    try:
        if trainer is None:
            raise DomainError(_("No trainer has this phone number."))
        add_editor(course, trainer, current_user)
    except DomainError as error:
        refuse(error)
    else:
        flash(_("%(name)s can now edit this course.", name=trainer.name), "success")
    return redirect(url_for(".course", slug=slug))


@bp.get("/courses/<slug>/export.zip")
def export_course(slug):
    from lms.content.export import export_course_zip

    course = get_editable_course(slug)
    data = export_course_zip(course, current_app.config["LMS_UPLOAD_DIR"])
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}.zip"'},
    )
