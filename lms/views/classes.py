"""Joining a class: by typing its code or scanning its QR code."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from lms.extensions import db
from lms.forms import EmptyForm
from lms.forms.teaching import JoinForm
from lms.models import ClassMember
from lms.ratelimits import count_wrong_join_code, join_code_lookup
from lms.services import DomainError
from lms.services.classes import find_open_class, join_class, normalise_join_code
from lms.views.transactions import refuse

bp = Blueprint("classes", __name__)


@bp.route("/join", methods=["GET", "POST"])
def enter_code():
    form = JoinForm()
    if form.validate_on_submit():
        return redirect(url_for(".join", code=normalise_join_code(form.code.data)))
    return render_template("classes/enter_code.html", form=form), (
        400 if form.errors else 200
    )


@bp.get("/join/<code>")
@join_code_lookup()
def join(code):
    """The page a class's QR code opens: what the class is, and a button to join."""
    try:
        classroom = find_open_class(code)
    except DomainError as error:
        count_wrong_join_code()
        form = JoinForm(code=code)
        form.code.errors = [str(error.message)]
        return render_template("classes/enter_code.html", form=form), 404
    member = current_user.is_authenticated and bool(
        db.session.scalar(
            select(ClassMember.id).filter_by(
                classroom_id=classroom.id, user_id=current_user.id
            )
        )
    )
    return render_template(
        "classes/join.html", classroom=classroom, form=EmptyForm(), member=member
    )


@bp.post("/join/<code>")
@login_required
@join_code_lookup()
def confirm_join(code):
    EmptyForm().validate_on_submit()
    try:
        classroom = find_open_class(code)
    except DomainError as error:
        count_wrong_join_code()
        refuse(error)
        return redirect(url_for(".enter_code"))
    try:
        join_class(current_user, classroom)
    except DomainError as error:
        refuse(error)
        return redirect(url_for(".enter_code"))
    flash(_("You have joined %(name)s.", name=classroom.name), "success")
    return redirect(url_for("learn.my_learning"))


def class_behind(next_path):
    """The open class whose join page ``next_path`` is (sign-up from a QR code)."""
    try:
        endpoint, args = current_app.url_map.bind("").match(
            (next_path or "").partition("?")[0], method="GET"
        )
        if endpoint == "classes.join":
            return find_open_class(args["code"])
    except (HTTPException, DomainError):
        pass
    return None
