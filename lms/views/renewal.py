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

from lms.certificates.renewal import draw_questions, question_pool, renew, renewal_for
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
    form, error, paper, chosen = EmptyForm(), None, None, {}
    if form.validate_on_submit():
        drawn, answers = _answers(card)
        try:
            new_card = renew(current_user, card, drawn, answers)
        except DomainError as failure:
            db.session.rollback()  # nothing written
            error = failure.message
            if answers and not all(answers):  # some left blank: the same paper,
                paper = _same_paper(card)  # its ticks kept, the blanks marked
                chosen = request.form
        else:
            return _renewed(new_card)
    renewal = renewal_for(card)
    if renewal is None:  # revoked, renewed since, or never expires
        abort(404)
    if paper is None:  # a new paper; and after a score too low, new questions
        rng = random.SystemRandom()
        paper = [
            (course_id, q, rng.sample(q["choices"], len(q["choices"])))
            for course_id, q in draw_questions(card.club, rng)
        ]
    shown = [[c, q["id"], [choice["id"] for choice in order]] for c, q, order in paper]
    return render_template(
        "certificates/renew.html",
        card=card,
        renewal=renewal,
        form=form,
        error=error,
        questions=[(q, order) for _, q, order in paper],
        chosen=chosen,
        drawn=signer().dumps([card.code, shown]),
    ), 400 if error else 200


def _same_paper(card):
    """The paper the form was sent from, [(course id, question, choices in the
    order shown)], else None (tampered with, or the quiz changed since)."""
    try:
        code, shown = signer().loads(request.form.get("drawn", ""))
    except (BadSignature, ValueError):
        return None
    pool = {(c, q["id"]): q for c, q in question_pool(card.club)}
    paper = []
    for course_id, question_id, order in shown if code == card.code else []:
        question = pool.get((course_id, question_id))
        by_id = {choice["id"]: choice for choice in (question or {}).get("choices", [])}
        if question is None or sorted(order) != sorted(by_id):
            return None
        paper.append((course_id, question, [by_id[i] for i in order]))
    return paper or None


def _renewed(card):
    if card.expires_at:
        date = format_date(card.expires_at)
        flash(_("Card renewed, valid until %(date)s.", date=date), "success")
    else:
        flash(_("Card renewed."), "success")
    return redirect(url_for("certificates.mine"))


def _answers(card):
    """The questions the page showed and the choices ticked, by their place.

    Choices are sent by their place on this page, never by their written id, so
    the page gives nothing away; a tampered paper yields nothing (so refused).
    """
    try:
        code, shown = signer().loads(request.form.get("drawn", ""))
    except (BadSignature, ValueError):
        return [], []
    if code != card.code:
        return [], []
    drawn, answers = [], []
    for index, (course_id, question_id, order) in enumerate(shown):
        drawn.append([course_id, question_id])
        places = request.form.getlist(f"q{index}")
        answers.append(
            [
                order[int(p)]
                for p in places
                if p.isascii() and p.isdigit() and int(p) < len(order)
            ]
        )
    return drawn, answers
