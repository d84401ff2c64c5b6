"""Administration: certificates (find, revoke), club rules and issuers. Admins only.

An admin with an area (a province admin) finds and changes only what lies in it;
club rules hold for every province and are the whole-site admin's.
"""

from flask import (
    Blueprint,
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

from lms.certificates.clubs import RENEWAL_LIMITS, set_club_rules
from lms.certificates.codes import display_code, find_certificate
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.forms.admin import ClubRulesForm, IssuerForm, ReinstateForm, RevokeForm
from lms.i18n import localised
from lms.models import Area, Certificate, Club, Course
from lms.permissions import (
    can_edit_issuer,
    can_manage_certificate,
    can_set_club_rules,
    reachable_areas,
    require,
)
from lms.services import DomainError
from lms.services.accounts import find_by_phone
from lms.services.certificates import (
    cards_needing,
    check_revocable,
    reinstate,
    revoke,
)
from lms.services.issuers import issuer_problems, province_issuer, set_issuer
from lms.views import admins_only
from lms.views.certificates import get_certificate
from lms.views.transactions import refuse, show_refusal

bp = Blueprint("admin", __name__, url_prefix="/admin")

bp.before_request(admins_only)


@bp.get("")
def index():
    return render_template(
        "admin/index.html",
        clubs=db.session.scalars(select(Club).order_by(Club.code)),
        club_rules=can_set_club_rules(current_user),
    )


@bp.get("/certificates")
def certificates():
    """Find certificates by code or by the holder's phone number."""
    query = request.args.get("q", "").strip()
    found = []
    if query:
        certificate = find_certificate(query)
        holder = find_by_phone(query)
        if certificate is not None:
            found = [certificate]
        elif holder is not None:
            found = db.session.scalars(
                select(Certificate).where(Certificate.user_id == holder.id)
            ).all()
        found = [c for c in found if can_manage_certificate(current_user, c)]
    return render_template(
        "admin/certificates.html",
        query=query,
        found=found,
        form=RevokeForm(),
        reinstate_form=ReinstateForm(),
        display_code=display_code,
    )


@bp.post("/certificates/<code>/revoke")
def revoke_certificate(code):
    certificate = get_certificate(code)
    require(can_manage_certificate(current_user, certificate))
    form = RevokeForm()
    try:
        form.validate_on_submit()
        if not ConfirmForm().is_confirmed():
            check_revocable(certificate, form.reason.data)
            return _confirm_revoking(certificate, form.reason.data)
        revoke(certificate, current_user, form.reason.data)
    except DomainError as error:
        refuse(error)
    else:
        flash(_("Certificate revoked. Every page and the badge now say so."), "success")
    return redirect(url_for(".certificates", q=certificate.code))


@bp.post("/certificates/<code>/reinstate")
def reinstate_certificate(code):
    """Undo a revocation; club cards are then issued again by the rules."""
    certificate = get_certificate(code)
    require(can_manage_certificate(current_user, certificate))
    form = ReinstateForm()
    try:
        form.validate_on_submit()
        reinstate(certificate, current_user, form.reason.data)
    except DomainError as error:
        refuse(error)
    else:
        flash(_("Certificate reinstated. Every page now says it is valid."), "success")
    return redirect(url_for(".certificates", q=certificate.code))


def _confirm_revoking(certificate, reason):
    explanation = [
        _("Reason, shown publicly: %(reason)s", reason=reason),
        _(
            "Its page, PDF and badge will say it is revoked. An admin can "
            "reinstate it later, with a reason."
        ),
    ]
    cards = cards_needing(certificate) if certificate.course_id is not None else []
    if cards:
        names = ", ".join(
            localised(card.club, "name", str(get_locale())) for card in cards
        )
        explanation.append(
            _(
                "The club cards that need this course are revoked with it: %(cards)s.",
                cards=names,
            )
        )
    return render_template(
        "confirm.html",
        question=_("Revoke the certificate of %(name)s?", name=certificate.user.name),
        explanation=explanation,
        action=url_for(".revoke_certificate", code=certificate.code),
        keep={"reason": reason},
        confirm=_("Yes, revoke it"),
        cancel=url_for(".certificates", q=certificate.code),
        form=ConfirmForm(),
    )


@bp.route("/clubs/<code>", methods=["GET", "POST"])
def club(code):
    require(can_set_club_rules(current_user))
    club = db.session.scalar(select(Club).where(Club.code == code)) or abort(404)
    courses = db.session.scalars(
        select(Course).where(Course.archived_at.is_(None)).order_by(Course.position)
    ).all()
    form = ClubRulesForm(
        courses=[c.id for c in club.courses],
        valid_months=club.valid_months,
        **{name: getattr(club, name) for name in RENEWAL_LIMITS},
    )
    form.courses.choices = [SelectChoice(c.id, c.title_vi) for c in courses]
    if form.validate_on_submit():
        chosen = [c for c in courses if c.id in (form.courses.data or [])]
        try:
            renewal = {
                name: form[name].data
                for name in RENEWAL_LIMITS
                if form[name].data is not None  # left empty: unchanged
            }
            set_club_rules(club, chosen, form.valid_months.data, current_user, renewal)
        except DomainError as error:
            show_refusal(form, error, above=True)
        else:
            flash(
                _("Club rules saved. They apply to certificates issued from now on."),
                "success",
            )
            return redirect(url_for(".index"))
    return render_template("admin/club.html", club=club, form=form), (
        400 if form.errors else 200
    )


@bp.get("/issuers")
def issuers():
    """The provinces whose issuer this admin sets, with what certificates show."""
    provinces = db.session.scalars(
        select(Area)
        .where(Area.parent_id.is_(None), reachable_areas(current_user))
        .order_by(Area.name_sort)
    ).all()
    shown = [(p, province_issuer(p, current_app.config)) for p in provinces]
    return render_template("admin/issuers.html", provinces=shown)


@bp.route("/issuers/<int:area_id>", methods=["GET", "POST"])
def issuer(area_id):
    province = db.session.get(Area, area_id)
    if province is None or province.parent_id is not None:
        abort(404)
    require(can_edit_issuer(current_user, province))
    form = IssuerForm(
        data={
            "name": province.issuer_name,
            "email": province.issuer_email,
            "phone": province.issuer_phone,
            "url": province.issuer_url,
        }
    )
    fields = ("name", "email", "phone", "url")
    valid = form.validate_on_submit()
    if valid:  # every wrong field said at once, not one save at a time
        typed = {field: getattr(form, field).data for field in fields}
        for field, message in issuer_problems(**typed).items():
            getattr(form, field).errors.append(str(message))
            valid = False
    if valid:
        try:
            changed = set_issuer(
                province,
                current_user,
                form.name.data,
                form.email.data,
                form.phone.data,
                form.url.data,
            )
        except DomainError as error:
            show_refusal(form, error, "name")
        else:
            if changed:
                message = _(
                    "Saved. Certificates issued in %(province)s show it.",
                    province=province.name,
                )
            else:
                message = _("Nothing changed: the issuer is as it was.")
            flash(message, "success")
            return redirect(url_for(".issuers"))
    site = province_issuer(None, current_app.config)
    return render_template(
        "admin/issuer.html", province=province, form=form, site=site
    ), (400 if form.errors else 200)
