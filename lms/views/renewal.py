"""Renewing a club card: the holder sees what it needs and takes the refresher quiz."""

import random

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
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeSerializer

from lms.certificates.renewal import draw_questions, renew, renewal_for
from lms.extensions import db
from lms.forms import EmptyForm
from lms.permissions import can_renew, require
from lms.services import DomainError
from lms.views.certificates import get_certificate

bp = Blueprint("renewal", __name__)


def signer():
    """The drawn questions travel with the form, signed so they cannot be picked."""
    return URLSafeSerializer(current_app.secret_key, salt="card-renewal")


@bp.route("/me/cards/<code>/renew", methods=["GET", "POST"])
@login_required
def renew_card(code):
    card = get_certificate(code)
    require(can_renew(current_user, card))
    form, error = EmptyForm(), None
    if form.validate_on_submit():
        drawn = _drawn(card)
        answers = [request.form.getlist(f"q{i}") for i in range(len(drawn))]
        try:
            new_card = renew(current_user, card, drawn, answers)
        except DomainError as failure:
            db.session.rollback()
            error = failure.message
        else:
            db.session.commit()  # a second press finds the card already renewed
            return _renewed(new_card)
    renewal = renewal_for(card)
    if renewal is None:  # revoked, renewed since, or never expires
        abort(404)
    rng = random.SystemRandom()
    questions = draw_questions(card.club, rng)
    return render_template(
        "certificates/renew.html",
        card=card,
        renewal=renewal,
        form=form,
        error=error,
        questions=[
            (q, rng.sample(q["choices"], len(q["choices"]))) for _, q in questions
        ],
        drawn=signer().dumps([card.code, [[c, q["id"]] for c, q in questions]]),
    ), 400 if error else 200


def _renewed(card):
    if card.expires_at:
        date = format_date(card.expires_at)
        flash(_("Card renewed, valid until %(date)s.", date=date), "success")
    else:
        flash(_("Card renewed."), "success")
    return redirect(url_for("certificates.mine"))


def _drawn(card):
    """The questions the page showed; nothing (so refused) if tampered with."""
    try:
        code, drawn = signer().loads(request.form.get("drawn", ""))
    except (BadSignature, ValueError):
        return []
    return drawn if code == card.code else []
