"""The officials' figures as JSON under /api/v1/reports, for the province's dashboards.

Signed-in officials can open it in the browser; programs send a personal token:
``Authorization: Bearer lms_...``, made on the official's token page.
"""

import hashlib

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.clock import utcnow
from lms.extensions import db, limiter
from lms.permissions import can_read_reports, report_top
from lms.reports.scope import ScopeError, build_scope
from lms.reports.tables import by_area, by_course, overview, trend
from lms.services.tokens import record_use

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports")


def _reader_key():
    """Limit each token (or signed-in user) on its own, whatever its address."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return "token:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return request.remote_addr


limiter.limit("120 per minute", key_func=_reader_key)(bp)


@bp.before_request
def officials_only():
    # A program's bearer token signs it in for this request (lms.sessions).
    if not current_user.is_authenticated:
        sent = request.headers.get("Authorization", "").startswith("Bearer ")
        challenge = 'Bearer realm="reports"' + (', error="invalid_token"' * sent)
        return (
            jsonify(error=_("Send a valid API token or sign in.")),
            401,
            {"WWW-Authenticate": challenge},
        )
    if not can_read_reports(current_user):
        return jsonify(error=_("Only officials and administrators read reports.")), 403
    try:
        g.scope = build_scope(report_top(current_user), request.args, utcnow())
    except LookupError:
        return jsonify(error=_("There is no such area or class in your area.")), 404
    except ScopeError:
        return jsonify(error=_("That filter is not one of the choices.")), 400


@bp.after_request
def record_token_use(response):
    """Note that a token was used, after the figures are read: on SQLite the write
    lock is then held for this one UPDATE, not while the report is computed."""
    token = g.pop("api_token", None)
    if token is not None and record_use(token):
        # Early commit: the use is noted whatever the answer, a refusal too.
        db.session.commit()
    return response


def _scope_json(scope):
    period = scope.period
    return {
        "area": _area_json(scope.area),
        "period": {
            "days": period.days,
            "first_day": period.start_day.isoformat(),
            "last_day": period.last_day.isoformat(),
        },
        "filters": scope.filters(),
    }


def _area_json(area):
    if area is None:
        return None
    return {"id": area.id, "code": area.code, "name": area.name, "kind": area.kind}


@bp.get("/overview")
def overview_json():
    figures = {
        name: {"value": f.value, "previous": f.previous, "change": f.change}
        for name, f in overview(g.scope).items()
    }
    return jsonify(**_scope_json(g.scope), figures=figures)


@bp.get("/areas")
def areas_json():
    rows = [{"area": _area_json(r.key), "figures": r.values} for r in by_area(g.scope)]
    return jsonify(**_scope_json(g.scope), rows=rows)


@bp.get("/courses")
def courses_json():
    rows = [
        {"course": {"slug": r.key.slug, "title": r.key.title_vi}, "figures": r.values}
        for r in by_course(g.scope)
    ]
    return jsonify(**_scope_json(g.scope), rows=rows)


@bp.get("/trend")
def trend_json():
    weeks, series = trend(g.scope, utcnow())
    return jsonify(
        **_scope_json(g.scope), weeks=[w.isoformat() for w in weeks], series=series
    )
