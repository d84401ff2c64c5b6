"""Running a training day: classes, the roster, bulk registration, codes."""

import io

import segno
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms import jobs
from lms.extensions import db
from lms.forms import EmptyForm, commune_options
from lms.forms.teaching import ClassForm, RegistrationForm
from lms.models import Area, Classroom, Course, User
from lms.permissions import (
    can_manage_class,
    can_manage_person,
    can_see_learner,
    managed_classes,
    reach_top,
    readable_courses,
    require,
)
from lms.services import DomainError
from lms.services.areas import commune_choices
from lms.services.classes import create_class
from lms.services.codes import issue_code
from lms.services.jobs import request_export
from lms.services.official_map import served_provinces
from lms.services.registration import (
    AlreadyRegistered,
    RegistrationError,
    decode_csv,
    register_from_csv,
)
from lms.services.roster import PAGE_SIZE, SORTS, roster_page
from lms.views import one_page, public_url
from lms.views.teach import bp
from lms.views.transactions import show_refusal

MAX_CSV_BYTES = 2 * 1024 * 1024
CLASSES_PAGE = 50


def get_class(class_id):
    classroom = db.session.get(Classroom, class_id)
    if classroom is None:
        abort(404)
    require(can_manage_class(current_user, classroom))
    return classroom


def class_areas(user):
    """Where ``user`` may hold a class: their area, else every province served."""
    top = reach_top(user)
    if top is not None:
        return [top]
    return served_provinces(current_app.config["LMS_PROVINCES"])


@bp.get("/classes")
def all_classes():
    """Every class the reader runs (an admin: every class in reach), latest
    first, a page at a time."""
    classes, number, more = one_page(
        select(Classroom)
        .where(managed_classes(current_user))
        .order_by(Classroom.created_at.desc(), Classroom.id.desc()),
        CLASSES_PAGE,
    )
    return render_template(
        "teach/classes.html", classes=classes, number=number, more=more
    )


@bp.route("/classes/new", methods=["GET", "POST"])
def new_class():
    form = ClassForm()
    form.area.choices = commune_options(commune_choices(class_areas(current_user)))
    if len(form.area.choices) == 1 and not form.is_submitted():
        form.area.data = form.area.choices[0].value  # the trainer's one commune
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
            show_refusal(form, error, "name")
        else:
            return redirect(url_for(".show_class", class_id=classroom.id))
    return render_template("teach/class_form.html", form=form), (
        400 if form.errors else 200
    )


@bp.get("/classes/<int:class_id>")
def show_class(class_id):
    classroom = get_class(class_id)
    sort = request.args.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    search = request.args.get("q", "").strip()[:100]
    number = request.args.get("page", "1")
    number = int(number) if number.isdigit() and 0 < int(number) < 10**6 else 1
    rows, total = roster_page(classroom, sort, search, number)
    return render_template(
        "teach/class.html",
        classroom=classroom,
        rows=rows,
        total=total,
        sort=sort,
        search=search,
        number=number,
        pages=max(1, -(-total // PAGE_SIZE)),
        form=EmptyForm(),
        registration_form=RegistrationForm(),
    )


@bp.get("/classes/<int:class_id>/qr.svg")
def class_qr(class_id):
    """The join link as a QR code, to show on a projector or print."""
    classroom = get_class(class_id)
    url = public_url("classes.join", code=classroom.join_code)
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
    flash(message, "success")
    return redirect(url_for(".show_class", class_id=class_id))


@bp.post("/classes/<int:class_id>/roster.csv")
def roster_csv(class_id):
    """Queue the class list as CSV (a worker writes it) and show its progress."""
    classroom = get_class(class_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    sort = request.args.get("sort", "name")
    job = request_export(
        current_user,
        "roster",
        "csv",
        {"class_id": classroom.id, "sort": sort if sort in SORTS else "name"},
        str(get_locale()),
        "class.export",
    )
    # Early commit: the worker, in another process or thread, reads the job's row.
    db.session.commit()
    jobs.queue(current_app).enqueue(job.id)
    return redirect(url_for("jobs.show", job_id=job.id), code=303)


@bp.post("/classes/<int:class_id>/register")
def register(class_id):
    """Create accounts from a CSV; show each farmer's activation code once."""
    classroom = get_class(class_id)
    form = RegistrationForm()
    data = _paper_list(form)
    problems = []
    if form.validate_on_submit() and data:
        try:
            if len(data) > MAX_CSV_BYTES:
                raise RegistrationError([(1, _("The file is too large."))])
            without = form.without_existing.data == "yes"
            registered = register_from_csv(classroom, data, current_user, without)
        except AlreadyRegistered as error:
            db.session.rollback()  # shown with a 200: the boundary would commit
            return render_template(
                "teach/register_existing.html",
                classroom=classroom,
                accounts=error.accounts,
                others=error.others,
                form=form,
                paper_list=decode_csv(data),
            )
        except RegistrationError as error:
            problems = error.problems
        else:
            return render_template(
                "teach/codes.html", classroom=classroom, registered=registered
            )
    else:
        problems = [(None, _("Choose a CSV file."))]
    return render_template(
        "teach/register_problems.html", classroom=classroom, problems=problems
    ), 400


def _paper_list(form):
    """The uploaded file's bytes, or the list sent back to go on without some."""
    upload = request.files.get("file")
    if upload and upload.filename:
        return upload.stream.read(MAX_CSV_BYTES + 1)
    return (form.paper_list.data or "").encode("utf-8") or None


@bp.post("/learners/<int:user_id>/reset-code")
def reset_code(user_id):
    """A one-time code for a farmer in one of my classes who forgot the password."""
    learner = db.session.get(User, user_id)
    if learner is None:
        abort(404)
    require(can_see_learner(current_user, learner))
    EmptyForm().validate_on_submit()
    code = issue_code(learner, "reset", current_user)
    return render_template(
        "teach/reset_code.html",
        learner=learner,
        code=code,
        classroom=class_to_return_to(request.args.get("class_id", type=int)),
        # Asked from the admin's page of the person: back there.
        person=can_manage_person(current_user, learner),
    )


def class_to_return_to(class_id):
    """The class whose roster the code was asked from, if this trainer runs it."""
    classroom = db.session.get(Classroom, class_id) if class_id else None
    if classroom is not None and can_manage_class(current_user, classroom):
        return classroom
    return None
