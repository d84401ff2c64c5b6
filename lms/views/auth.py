"""Sign up, sign in, sign out."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from lms.database import reading
from lms.extensions import db, limiter
from lms.forms import (
    ChangePasswordForm,
    EmptyForm,
    LoginForm,
    SignupForm,
    UseCodeForm,
    commune_options,
)
from lms.i18n import LANG_COOKIE
from lms.models import Area
from lms.permissions import home_endpoint
from lms.ratelimits import (
    CODE_PER_ACCOUNT,
    PASSWORD_CHANGE_PER_USER,
    SIGN_IN_PER_ACCOUNT,
    SIGN_IN_PER_ADDRESS,
    failed,
    names_no_account,
    signed_in_user,
    submitted_account,
)
from lms.services import DomainError, accounts
from lms.services.accounts import (
    PHONE_TAKEN,
    authenticate,
    end_all_sessions,
    password_upgrade,
    refresh_password_hash,
    register_learner,
    signup_problems,
)
from lms.services.areas import commune_choices
from lms.services.codes import redeem_code
from lms.services.official_map import province_of, served_provinces
from lms.services.passwords import hash_password
from lms.sessions import start_session
from lms.views import safe_next
from lms.views.classes import class_behind
from lms.views.transactions import show_refusal

bp = Blueprint("auth", __name__)


def per_account(limit):
    """Count failed attempts at the account the form names, from any address."""
    return limiter.limit(
        limit,
        methods=["POST"],
        key_func=submitted_account,
        exempt_when=names_no_account,
        deduct_when=failed,
    )


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_PER_ADDRESS, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignupForm(next=request.args.get("next", ""))
    provinces, province = _commune_field(form)
    joining = class_behind(request.values.get("next"))  # in the URL or the form
    if not form.is_submitted() and joining:
        # Farmers at a training day mostly live in the commune it is held in.
        communes = {choice.value for choice in form.area.choices}
        form.area.data = joining.area_id if joining.area_id in communes else None
    if form.is_submitted() and _signup_valid(form):
        # Early commit: nothing is written yet, but end the transaction (on SQLite
        # it holds the write lock) before the slow hash: no other write waits on it.
        db.session.commit()
        password_hash = hash_password(form.password.data)
        try:
            user = register_learner(
                form.phone.data,
                form.name.data,
                db.session.get(Area, form.area.data) if form.area.data else None,
                form.password.data,
                locale=_chosen_language(),
                password_hash=password_hash,
                provinces=provinces,
            )
        except DomainError as error:  # the number was taken at this very moment
            show_refusal(form, error)
        else:
            start_session(user)
            destination = safe_next(form.next.data)
            if joining:
                welcome = _(
                    "Welcome, %(name)s! Now tap “Join this class”.", name=user.name
                )
            elif destination != url_for("learn.catalog"):  # where the link led
                welcome = _("Welcome, %(name)s!", name=user.name)
            else:
                welcome = _(
                    "Welcome, %(name)s! Choose a course to begin.", name=user.name
                )
            flash(welcome, "success")
            return redirect(destination)
    page = render_template(
        "auth/signup.html",
        form=form,
        provinces=provinces,
        province=province,
        phone_taken=str(PHONE_TAKEN) in form.phone.errors,
    )
    return page, 400 if form.errors else 200


def _commune_field(form):
    """Offer the communes of one served province: the only one, the one of the
    commune sent, or the one chosen first (?province=, so it works without JS)."""
    provinces = served_provinces(current_app.config["LMS_PROVINCES"])
    area = db.session.get(Area, form.area.data) if form.area.data else None
    province = province_of(area, provinces) or province_of(
        request.args.get("province", ""), provinces
    )
    if len(provinces) == 1:
        province = provinces[0]
    form.area.choices = commune_options(commune_choices([province] if province else []))
    return provinces, province


def _signup_valid(form):
    """Check the form and the account rules together: every problem shows at once."""
    valid = form.validate()
    area = db.session.get(Area, form.area.data) if form.area.data else None
    problems = signup_problems(
        form.phone.data, form.name.data, area, form.password.data
    )
    for name, message in problems.items():
        field = getattr(form, name)
        if not field.errors:
            field.errors.append(str(message))
    return valid and not problems


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_PER_ADDRESS, methods=["POST"])
@per_account(SIGN_IN_PER_ACCOUNT)
def login():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        with reading():
            user = authenticate(form.phone.data, form.password.data)
            new_hash = user and password_upgrade(user, form.password.data)
        if user is not None:
            refresh_password_hash(user, new_hash)
            start_session(user)
            return redirect(safe_next(form.next.data, home_endpoint(user)))
        form.password.errors.append(_("The phone number or password is not right."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        end_all_sessions(current_user)
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
    return redirect(url_for("learn.catalog"))


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_PER_ADDRESS, methods=["POST"])
@per_account(CODE_PER_ACCOUNT)
def use_code():
    """First sign-in after a training day, or a forgotten password: a trainer's code."""
    form = UseCodeForm()
    if form.validate_on_submit():
        try:
            user = redeem_code(form.phone.data, form.code.data, form.password.data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            start_session(user)
            flash(
                _("Your password is set. Welcome, %(name)s!", name=user.name), "success"
            )
            return redirect(url_for("learn.my_learning"))
    return render_template("auth/use_code.html", form=form), 400 if form.errors else 200


@bp.route("/me/password", methods=["GET", "POST"])
@login_required
@limiter.limit(PASSWORD_CHANGE_PER_USER, methods=["POST"], key_func=signed_in_user)
def change_password():
    """A new password; every other phone or computer signed in is signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(
                user, form.current_password.data, form.password.data
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            start_session(user)  # this device stays signed in, on the new version
            flash(_("Password changed. Other devices were signed out."), "success")
            return redirect(url_for("certificates.profile"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


def _chosen_language():
    """The language picked with the switcher before signing up, if any.

    The browser's language is not a choice: it is not stored on the account.
    """
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in current_app.config["LANGUAGES"] else None
