"""Certificates as people meet them: the QR's verify page, the PDF, the club roster."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.certificates.issuing import display_code, find_certificate, mask_phone
from lms.certificates.qr import qr_svg
from lms.clock import utcnow
from lms.content.render import size_text
from lms.extensions import db
from lms.forms.account import ProfileForm, VerifyForm
from lms.i18n import localised
from lms.models import Certificate, Club, User
from lms.ratelimits import certificate_lookup
from lms.views.badges import baked_png

bp = Blueprint("certificates", __name__)


def get_certificate(code):
    """The certificate for a code in any spelling; anything else is a plain 404."""
    certificate = find_certificate(code)
    if certificate is None:
        abort(404)
    return certificate


def certified_title(certificate, locale):
    if certificate.club is not None:
        return localised(certificate.club, "name", locale)
    return localised(certificate.course, "title", locale)


@bp.route("/verify", methods=["GET", "POST"])
@certificate_lookup(methods=["POST"])
def enter_code():
    """Type a certificate's code from paper when its QR code cannot be scanned."""
    form = VerifyForm()
    if form.validate_on_submit():
        return redirect(url_for(".verify", code=form.code.data.strip()))
    return render_template("certificates/enter_code.html", form=form)


@bp.get("/verify/<code>")
@certificate_lookup()
def verify(code):
    certificate = get_certificate(code)
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        status=certificate.status(),
        code=display_code(certificate.code),
        masked_phone=mask_phone(certificate.user.phone),
        issuer=current_app.config["LMS_ISSUER_NAME"],
        url=url_for(".verify", code=certificate.code, _external=True),
        qr_svg=qr_svg,
    )


@bp.get("/certificates/<code>.pdf")
@certificate_lookup()
def pdf(code):
    """The printable certificate; a revoked one is gone (410), never shown as valid."""
    certificate = get_certificate(code)
    if certificate.status() == "revoked":
        abort(410)
    data = certificate_pdf(certificate)
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{certificate.code}.pdf"',
            "Cache-Control": "no-cache",  # status can change: revalidate each time
        },
    )


def certificate_pdf(certificate):
    """The certificate's PDF (memoised by the renderer)."""
    from lms.certificates.pdf import render_certificate_pdf

    status = certificate.status()
    return render_certificate_pdf(
        holder=certificate.user.name,
        title=certified_title(certificate, "vi"),
        kind_label=_kind_label(certificate),
        issued_on=format_date(certificate.issued_at, "dd/MM/yyyy"),
        expires_on=format_date(certificate.expires_at, "dd/MM/yyyy")
        if certificate.expires_at
        else None,
        code=display_code(certificate.code),
        verify_url=url_for(".verify", code=certificate.code, _external=True),
        issuer=current_app.config["LMS_ISSUER_NAME"],
        status_note=_("EXPIRED") if status == "expired" else None,
        labels={
            "issued": _("Issued on"),
            "expires": _("Valid until"),
            "code": _("Certificate code"),
            "scan": _("Scan to check that this certificate is genuine"),
        },
    )


def _kind_label(certificate):
    if certificate.club is not None:
        return _("Club membership card")
    return _("Certificate of course completion")


@bp.get("/me/certificates")
@login_required
def mine():
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.user_id == current_user.id)
        .order_by(Certificate.issued_at.desc())
    ).all()
    sizes = {
        c.id: (size_text(len(certificate_pdf(c))), size_text(len(baked_png(c))))
        for c in certificates
        if c.status() != "revoked"
    }
    return render_template(
        "certificates/mine.html",
        certificates=certificates,
        display_code=display_code,
        sizes=sizes,
        qr_svg=qr_svg,
    )


@bp.route("/me/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.listed_publicly = form.listed_publicly.data
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for(".profile"))
    return render_template("certificates/profile.html", form=form)


@bp.get("/clubs")
def clubs():
    return render_template(
        "certificates/clubs.html",
        clubs=db.session.scalars(select(Club).order_by(Club.code)).all(),
    )


@bp.get("/clubs/<code>")
def club_roster(code):
    """Members who chose to be listed, with a valid membership: for buyers."""
    club = db.session.scalar(select(Club).where(Club.code == code)) or abort(404)
    now = utcnow()
    members = db.session.scalars(
        select(Certificate)
        .join(User, User.id == Certificate.user_id)
        .where(
            Certificate.club_id == club.id,
            Certificate.revoked_at.is_(None),
            (Certificate.expires_at.is_(None)) | (Certificate.expires_at > now),
            User.listed_publicly.is_(True),
            User.active.is_(True),
        )
        .order_by(User.name)
    ).all()
    return render_template("certificates/roster.html", club=club, members=members)
