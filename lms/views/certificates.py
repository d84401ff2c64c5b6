"""Certificates as people meet them: the QR's verify page, the PDF, the club roster."""

from functools import lru_cache

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from lms.certificates.codes import (
    check_page_rows,
    display_code,
    find_certificate,
    normalise_code,
)
from lms.certificates.qr import qr_svg
from lms.certificates.renewal import renewal_for
from lms.clock import utcnow
from lms.extensions import db
from lms.formats import size_text
from lms.forms.account import ProfileForm, VerifyForm
from lms.i18n import localised
from lms.models import Certificate, Club, User
from lms.ratelimits import certificate_lookup
from lms.services import DomainError
from lms.services.accounts import rename
from lms.services.issuers import certificate_issuer
from lms.views import one_page, public_url
from lms.views.badges import baked_png_size
from lms.views.ready_pages import ReadyPages
from lms.views.transactions import show_refusal

bp = Blueprint("certificates", __name__)
ROSTER_PAGE = 50  # listed members a page
# What the check page shows from the configuration: the site's issuer, its address.
ISSUER_SETTINGS = ("LMS_ISSUER_NAME", "LMS_ISSUER_EMAIL", "LMS_PUBLIC_URL")


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
        code = normalise_code(form.code.data)
        if code is None:
            return unknown_code(form.code.data.strip())
        return redirect(url_for(".verify", code=code))
    return render_template("certificates/enter_code.html", form=form)


@bp.get("/verify/<code>")
@certificate_lookup()
def verify(code):
    ready, key = current_app.extensions.setdefault("check_pages", ReadyPages()), None
    if ready.usable():  # a visitor: the page made for the last one, if still true
        rows = check_page_rows(code)
        if rows is None:
            return unknown_code(code)
        key = ready.key((tuple(rows), _expired(rows), _config_shown()))
        kept = ready.get(key)
        if kept is not None:
            return kept
    certificate = find_certificate(code, with_what_it_shows=True)
    if certificate is None:
        return unknown_code(code)
    page = make_response(verify_page(certificate))
    # Rows changed since they were read make a page no later read will ask for.
    return page if key is None else ready.keep(key, page)


def _expired(rows):
    """Whether it has expired by now: its page changes then, though no row does."""
    expires_at = rows.card_expires_at
    return expires_at is not None and expires_at <= utcnow()


def _config_shown():
    config = current_app.config
    return tuple(config[name] for name in ISSUER_SETTINGS)


def verify_page(certificate):
    successor = None
    if certificate.club_id is not None:  # a renewed card points on to the next
        successor = db.session.scalar(
            select(Certificate).where(
                Certificate.user_id == certificate.user_id,
                Certificate.club_id == certificate.club_id,
                Certificate.period == certificate.period + 1,
            )
        )
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        successor=successor,
        status=certificate.status(),
        code=display_code(certificate.code),
        issuer=certificate_issuer(certificate, current_app.config),
        url=public_url("certificates.verify", code=certificate.code),
        qr_svg=qr_svg,
    )


def unknown_code(typed):
    """No certificate has this code: say so, and offer the box again (404)."""
    form = VerifyForm(formdata=None, code=typed[:64])
    form.code.errors = [
        _(
            "No certificate has this code. It may be mistyped, or the certificate"
            " may be fake. Check the code on the paper and try again."
        )
    ]
    return render_template("certificates/enter_code.html", form=form, unknown=True), 404


@bp.get("/certificates/<code>.pdf")
@certificate_lookup()
def pdf(code):
    """The printable certificate; a revoked one is gone (410): its page says why."""
    certificate = get_certificate(code)
    if certificate.status() == "revoked":
        return verify_page(certificate), 410
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
    issuer = certificate_issuer(certificate, current_app.config)
    return render_certificate_pdf(
        holder=certificate.user.name,
        title=certified_title(certificate, "vi"),
        kind_label=_kind_label(certificate),
        issued_on=format_date(certificate.issued_at, "dd/MM/yyyy"),
        expires_on=format_date(certificate.expires_at, "dd/MM/yyyy")
        if certificate.expires_at
        else None,
        code=display_code(certificate.code),
        verify_url=public_url("certificates.verify", code=certificate.code),
        issuer=issuer.name,
        issuer_contact=issuer.contact,
        status_note=_("EXPIRED") if status == "expired" else None,
        labels=_pdf_labels(),
    )


def _pdf_labels():
    return {
        "issued": _("Issued on"),
        "expires": _("Valid until"),
        "code": _("Certificate code"),
        "scan": _("Scan to check that this certificate is genuine"),
    }


def typical_pdf_size():
    """About how big a certificate PDF is (they differ by a kilobyte or two with
    the name and title), without rendering each of a learner's certificates."""
    return _typical_pdf_size(
        current_app.config["LMS_ISSUER_NAME"],
        _("Certificate of course completion"),
        tuple(_pdf_labels().items()),
    )


@lru_cache(maxsize=8)
def _typical_pdf_size(issuer, kind_label, labels):
    from lms.certificates.pdf import render_certificate_pdf

    return len(
        render_certificate_pdf(
            holder="Nguyễn Thị Ngọc Ánh",
            title="Bán hàng qua livestream",
            kind_label=kind_label,
            issued_on="01/12/2026",
            expires_on=None,
            code="ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-23",
            verify_url=public_url("certificates.verify", code="A" * 26),
            issuer=issuer,
            labels=dict(labels),
        )
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
    pdf_size = _("about %(size)s", size=size_text(typical_pdf_size()))
    sizes = {
        c.id: (pdf_size, size_text(baked_png_size(c)))
        for c in certificates
        if c.status() != "revoked"
    }
    replaced = {
        c.id
        for c in certificates
        for newer in certificates
        if c.club_id and newer.club_id == c.club_id and newer.period > c.period
    }
    # What a farmer shows buyers first; cards replaced by a renewal and revoked
    # certificates below, as history, with nothing to hand to a buyer.
    history = [c for c in certificates if c.id in replaced or c.status() == "revoked"]
    return render_template(
        "certificates/mine.html",
        certificates=[c for c in certificates if c not in history],
        history=history,
        display_code=display_code,
        sizes=sizes,
        recipient_url=public_url(
            "badges.recipient", recipient_id=current_user.badge_recipient_id
        ),
        renewals={c.id: renewal_for(c) for c in certificates if c.club},
        qr_svg=qr_svg,
    )


@bp.route("/me/profile", methods=["GET", "POST"])
@login_required
def profile():
    """The farmer's own details. A name mistyped at sign-up is theirs to correct
    until a certificate names them; from then on an administrator corrects
    it (lms.views.people), so a certificate cannot be handed to another name."""
    form = ProfileForm(obj=current_user)
    certified = (
        db.session.scalar(
            select(Certificate.id)
            .where(Certificate.user_id == current_user.id)
            .limit(1)
        )
        is not None
    )
    if form.validate_on_submit():
        try:
            if not certified and form.name.data is not None:
                rename(current_user, form.name.data, current_user)
        except DomainError as error:
            show_refusal(form, error)
        else:
            current_user.listed_publicly = form.listed_publicly.data
            flash(_("Saved."), "success")
            return redirect(url_for(".profile"))
    return render_template(
        "certificates/profile.html", form=form, certified=certified
    ), 400 if form.errors else 200


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
    # A page at a time, with each member's commune in the same query: a club
    # of 25,000 listed members was one page of 4 MB, and two queries a member.
    members, number, more = one_page(
        select(Certificate)
        .join(User, User.id == Certificate.user_id)
        .where(
            Certificate.club_id == club.id,
            Certificate.revoked_at.is_(None),
            (Certificate.expires_at.is_(None)) | (Certificate.expires_at > now),
            User.listed_publicly.is_(True),
            User.active.is_(True),
        )
        .options(contains_eager(Certificate.user).joinedload(User.area))
        .order_by(User.name_sort_given, User.id),
        ROSTER_PAGE,
    )
    return render_template(
        "certificates/roster.html", club=club, members=members, number=number, more=more
    )
