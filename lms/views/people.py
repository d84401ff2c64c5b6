"""Administration of accounts: find people, correct a name, change a role, an area,
sign-in rights, give a password code."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, select
from wtforms.fields.choices import SelectChoice

from lms.database import name_contains
from lms.extensions import db
from lms.forms.account import EmptyForm
from lms.forms.admin import AccountForm
from lms.i18n import name_order
from lms.models import ROLES, Area, Role, User
from lms.permissions import (
    can_give_role,
    can_manage_person,
    can_see_learner,
    is_site_admin,
    managed_people,
    reachable_areas,
    require,
)
from lms.services import DomainError
from lms.services.accounts import (
    check_placement,
    normalize_phone,
    rename,
    set_active,
    set_area,
    set_role,
)
from lms.views import admins_only, one_page
from lms.views.transactions import show_refusal

bp = Blueprint("people", __name__, url_prefix="/admin/users")
PAGE_SIZE = 50
PHONE_PART = re.compile(r"\+?[\d .-]+")  # what part of a phone number looks like
ROLE_NAMES = {role.value: role.label for role in Role}

bp.before_request(admins_only)


@bp.get("")
def index():
    """Search by name or phone number, optionally by role."""
    query = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    order = name_order()
    found = (
        select(User)
        .where(managed_people(current_user))
        .order_by(*User.in_name_order(order))
    )
    if role in ROLES:
        found = found.where(User.role == role)
    if query:
        found = found.where(_match(query))
    users, number, more = one_page(found, PAGE_SIZE)
    return render_template(
        "admin/users.html",
        users=users,
        more=more,
        number=number,
        query=query,
        role=role,
        roles=ROLE_NAMES,
        order=order,
    )


def _match(query):
    """The phone number, whole (looked up by its index alone) or a run of four
    digits or more; else every word in the name, in any order and case, a word
    typed without Vietnamese marks matching with or without them ("duc" finds
    "Đức", "Đức" only "Đức")."""
    try:
        return User.phone == normalize_phone(query)
    except DomainError:
        pass
    digits = "".join(character for character in query if character.isdigit())
    if PHONE_PART.fullmatch(query) and len(digits) >= 4:
        # Kept as +84...: a number written from its leading 0 drops it.
        return User.phone.contains(digits.removeprefix("0"))
    return and_(*(name_contains(User.name, word) for word in query.split()))


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def account(user_id):
    user = db.session.get(User, user_id) or abort(404)
    require(can_manage_person(current_user, user))
    # Field by field, not obj=user: user.area is the Area object, which no choice
    # matches, so the select showed "No area" and an unchanged save wiped it.
    form = AccountForm(
        data={
            "name": user.name,
            "role": user.role,
            "area": user.area_id,
            "active": user.active,
        }
    )
    form.role.choices = [
        SelectChoice(k, v)
        for k, v in ROLE_NAMES.items()
        if can_give_role(current_user, k)
    ]
    form.area.choices = area_choices(current_user)
    if form.validate_on_submit():
        try:
            _apply(user, form)
        except DomainError as error:
            show_refusal(form, error, above=error.field not in ("name", "area"))
        else:
            flash(
                _("Saved. The person is signed out where the change needs it."),
                "success",
            )
            return redirect(url_for(".account", user_id=user.id))
    page = render_template(
        "admin/user.html",
        user=user,
        form=form,
        roles=ROLE_NAMES,
        may_give_code=can_see_learner(current_user, user),
        code_form=EmptyForm(),
    )
    return page, 400 if form.errors or form.form_errors else 200


def _apply(user, form):
    """Make only the changes asked for, each through its audited service."""
    rename(user, form.name.data, current_user)  # a name unchanged is left alone
    placed = (user.role, user.area)
    if form.role.data != user.role:
        set_role(user, form.role.data, current_user)
    if form.area.data != user.area_id:
        area = db.session.get(Area, form.area.data) if form.area.data else None
        set_area(user, area, current_user)
    if form.active.data != user.active:
        set_active(user, form.active.data, current_user)
    if (user.role, user.area) != placed:
        # As they now stand; an account left where it was (made at the command
        # line with no area, say) can still be disabled or renamed.
        check_placement(user)


def area_choices(actor):
    """The areas ``actor`` reaches, indented under their parent, so an official
    can be a province's; "No area" (national) only for the whole-site admin."""
    areas = db.session.scalars(select(Area).where(reachable_areas(actor))).all()
    keys = {str(a.id): a.name_sort for a in areas}
    areas.sort(key=lambda a: [keys.get(i, "") for i in a.path.strip("/").split("/")])
    choices = [SelectChoice("", _l("No area"))] if is_site_admin(actor) else []
    for area in areas:
        depth = area.path.strip("/").count("/")
        choices.append(SelectChoice(area.id, "\u00a0\u00a0" * depth + area.name))
    return choices
