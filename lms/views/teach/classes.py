"""Running a training day: classes, the roster, bulk registration, codes."""

import csv
import io
from datetime import UTC

import segno
from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms.extensions import db
from lms.forms import EmptyForm, commune_options
from lms.forms.teaching import ClassForm, RegistrationForm
from lms.i18n import localised
from lms.models import Area, Classroom, Course, User
from lms.permissions import can_manage_class, can_see_learner, readable_courses, require
from lms.services import DomainError
from lms.services.areas import commune_choices
from lms.services.classes import create_class, roster
from lms.services.codes import issue_code
from lms.services.registration import RegistrationError, register_from_csv
from lms.views.teach import bp

MAX_CSV_BYTES = 2 * 1024 * 1024


def get_class(class_id):
    classroom = db.session.get(Classroom, class_id)
    if classroom is None:
        abort(404)
    require(can_manage_class(current_user, classroom))
    return classroom


@bp.route("/classes/new", methods=["GET", "POST"])
def new_class():
    form = ClassForm()
    form.area.choices = commune_options(commune_choices())
    courses = db.session.scalars(
        select(Course)
        .where(readable_courses(current_user), Course.status == "published")
        .order_by(Course.position)
    ).all()
    form.courses.choices = [SelectChoice(c.id, c.title_vi) for c in courses]
    if form.validate_on_submit():
        chosen = [c for c in courses if c.id in (form.courses.data or [])]
        area = db.session.get(Area, form.area.data) if form.area.data else None
        try:
            classroom = create_class(
                current_user,
                form.name.data,
                form.held_on.data,
                form.place.data,
                area,
                chosen,
            )
        except DomainError as error:
            getattr(form, error.field or "name").errors.append(str(error.message))
        else:
            db.session.commit()
            return redirect(url_for(".show_class", class_id=classroom.id))
    return render_template("teach/class_form.html", form=form), (
        400 if form.errors else 200
    )


@bp.get("/classes/<int:class_id>")
def show_class(class_id):
    classroom = get_class(class_id)
    sort = request.args.get("sort", "name")
    return render_template(
        "teach/class.html",
        classroom=classroom,
        rows=roster(classroom, sort),
        sort=sort,
        form=EmptyForm(),
        registration_form=RegistrationForm(),
    )


@bp.get("/classes/<int:class_id>/qr.svg")
def class_qr(class_id):
    """The join link as a QR code, to show on a projector or print."""
    classroom = get_class(class_id)
    url = url_for("classes.join", code=classroom.join_code, _external=True)
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=10, border=2, title=url)
    return Response(out.getvalue(), mimetype="image/svg+xml")


@bp.post("/classes/<int:class_id>/open")
def open_class(class_id):
    return _set_open(class_id, True, _("The class code works again."))


@bp.post("/classes/<int:class_id>/close")
def close_class(class_id):
    return _set_open(
        class_id, False, _("The class code is closed: no one new can join.")
    )


def _set_open(class_id, is_open, message):
    classroom = get_class(class_id)
    EmptyForm().validate_on_submit()
    classroom.is_open = is_open
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".show_class", class_id=class_id))


@bp.get("/classes/<int:class_id>/roster.csv")
def roster_csv(class_id):
    classroom = get_class(class_id)
    out = io.StringIO()
    writer = csv.writer(out)
    titles = [localised(c, "title", "vi") for c in classroom.courses]
    writer.writerow(
        [_("Name"), _("Phone number"), _("Commune"), _("Last activity")]
        + [f"{t} (%)" for t in titles]
        + [f"{t}: {_('quiz')}" for t in titles]
        + [f"{t}: {_('practical work')}" for t in titles]
    )
    for row in roster(classroom, request.args.get("sort", "name")):
        courses = classroom.courses
        writer.writerow(
            [
                _safe(row.learner.name),
                row.learner.phone,
                _safe(row.learner.area.name if row.learner.area else ""),
                format_datetime(row.last_active.replace(tzinfo=UTC), "yyyy-MM-dd HH:mm")
                if row.last_active
                else "",
            ]
            + [row.progress[c.id].percent for c in courses]
            + [
                row.best_scores[c.id] if row.best_scores[c.id] is not None else ""
                for c in courses
            ]
            + [_status_text(row.submissions[c.id]) for c in courses]
        )
    name = f"class-{classroom.id}.csv"
    return Response(
        "\ufeff" + out.getvalue(),  # a BOM, so spreadsheets read Vietnamese right
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _safe(text):
    """Neutralise text a spreadsheet would run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _status_text(submission):
    if submission is None:
        return ""
    return {
        "pending": _("waiting for review"),
        "approved": _("approved"),
        "needs_work": _("needs work"),
    }[submission.status]


@bp.post("/classes/<int:class_id>/register")
def register(class_id):
    """Create accounts from a CSV; show each farmer's activation code once."""
    classroom = get_class(class_id)
    form = RegistrationForm()
    upload = request.files.get("file")
    problems = []
    if form.validate_on_submit() and upload and upload.filename:
        data = upload.stream.read(MAX_CSV_BYTES + 1)
        try:
            if len(data) > MAX_CSV_BYTES:
                raise RegistrationError([(1, _("The file is too large."))])
            registered = register_from_csv(classroom, data, current_user)
        except RegistrationError as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
            return render_template(
                "teach/codes.html", classroom=classroom, registered=registered
            )
    else:
        problems = [(None, _("Choose a CSV file."))]
    return render_template(
        "teach/register_problems.html", classroom=classroom, problems=problems
    ), 400


@bp.post("/learners/<int:user_id>/reset-code")
def reset_code(user_id):
    """A one-time code for a farmer in one of my classes who forgot the password."""
    learner = db.session.get(User, user_id)
    if learner is None:
        abort(404)
    require(can_see_learner(current_user, learner))
    EmptyForm().validate_on_submit()
    code = issue_code(learner, "reset", current_user)
    db.session.commit()
    return render_template(
        "teach/reset_code.html",
        learner=learner,
        code=code,
        classroom=class_to_return_to(request.args.get("class_id", type=int)),
    )


def class_to_return_to(class_id):
    """The class whose roster the code was asked from, if this trainer runs it."""
    classroom = db.session.get(Classroom, class_id) if class_id else None
    if classroom is not None and can_manage_class(current_user, classroom):
        return classroom
    return None
