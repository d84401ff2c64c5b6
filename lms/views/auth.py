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
    authenticate,
    end_all_sessions,
    password_upgrade,
    refresh_password_hash,
    register_learner,
)
from lms.services.areas import commune_choices
from lms.services.codes import redeem_code
from lms.services.passwords import hash_password
from lms.sessions import start_session
from lms.views import safe_next

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
        return redirect(url_for("learn.catalog"))
    form = SignupForm()
    form.area.choices = commune_options(commune_choices())
    if form.validate_on_submit():
        # Nothing is written yet: end the transaction (on SQLite it holds the write
        # lock) before the slow hash, so that other farmers' writes never wait on it.
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
            )
        except DomainError as error:
            _attach(form, error)
        else:
            db.session.commit()
            start_session(user)
            flash(
                _("Welcome, %(name)s! Choose a course to begin.", name=user.name),
                "success",
            )
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_PER_ADDRESS, methods=["POST"])
@per_account(SIGN_IN_PER_ACCOUNT)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learn.catalog"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        with reading():
            user = authenticate(form.phone.data, form.password.data)
            new_hash = user and password_upgrade(user, form.password.data)
        if user is not None:
            refresh_password_hash(user, new_hash)
            db.session.commit()
            start_session(user)
            home = "reports.overview" if user.role == "official" else "learn.catalog"
            return redirect(safe_next(form.next.data, home))
        form.password.errors.append(_("The phone number or password is not right."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        end_all_sessions(current_user)
        db.session.commit()
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
            _attach(form, error)
        else:
            db.session.commit()
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
            _attach(form, error)
        else:
            db.session.commit()
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


def _attach(form, error):
    field = getattr(form, error.field, None) if error.field else None
    (field.errors if field is not None else form.form_errors).append(str(error.message))
