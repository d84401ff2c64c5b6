"""Officials' reports: their area's figures, drill-downs, learners and exports."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms import jobs
from lms.clock import utcnow
from lms.extensions import db
from lms.forms import EmptyForm
from lms.forms.reports import ReportFilterForm, TokenForm
from lms.i18n import localised, name_order
from lms.ids import parse_id
from lms.models import ApiToken, Area, Classroom, Club, Course
from lms.permissions import (
    can_read_reports,
    can_see_full_phones,
    in_area_ids,
    report_top,
    require,
)
from lms.reports import build_report
from lms.reports.backlog import review_backlog
from lms.reports.labels import FIGURES, SHORT
from lms.reports.learners import PAGE_SIZE, page, show_phone
from lms.reports.scope import PERIODS, ScopeError, breadcrumb, build_scope
from lms.reports.sheets import describe
from lms.reports.tables import BY_AREA, BY_COURSE, reported_course
from lms.reports.voice import voice_comparison
from lms.services import DomainError
from lms.services.jobs import request_export
from lms.services.tokens import create_token, revoke_token
from lms.views.transactions import show_refusal

bp = Blueprint("reports", __name__, url_prefix="/reports")
MAX_CLASSES = 300  # the most recent; a province has a few hundred at most


@bp.before_request
@login_required
def officials_only():
    require(can_read_reports(current_user))


def current_scope():
    """The scope from the URL; unknown filters -> 400, areas out of reach -> 404."""
    try:
        return build_scope(report_top(current_user), request.args, utcnow())
    except LookupError as outside:
        abort(make_response(_outside_page(outside.args[0]), 404))
    except ScopeError:
        message = _(
            "That filter is not one of the choices. Choose again from the list."
        )
        abort(
            make_response(
                render_template("reports/bad_filter.html", message=message), 400
            )
        )


def _outside_page(what):
    """Say why an area or class from a shared link shows nothing, not just "404"."""
    top = report_top(current_user)
    where = top.name if top else None
    if where is None:  # admins reach everything: the link is simply wrong
        message = _("There is no such area or class. Choose again from the list.")
    elif what == "class":
        message = _(
            "This class is not held in your area (%(area)s), so its figures are "
            "not in your reports.",
            area=where,
        )
    elif db.session.scalar(select(Area.id).where(Area.parent_id == top.id).limit(1)):
        message = _(
            "This area is outside your area (%(area)s): your reports show only "
            "%(area)s and the communes in it.",
            area=where,
        )
    else:  # a commune or ward: nothing below it
        message = _(
            "This area is outside your area (%(area)s): your reports show only "
            "%(area)s.",
            area=where,
        )
    return render_template("reports/bad_filter.html", message=message)


def loc(obj, field):
    return localised(obj, field, str(get_locale()))


@bp.get("")
def overview():
    scope = current_scope()
    top = report_top(current_user)
    return render_template(
        "reports/overview.html",
        scope=scope,
        report=build_report(scope, utcnow()),
        crumbs=breadcrumb(top, scope.area),
        everywhere=top is None,
        by_area=BY_AREA,
        by_course=BY_COURSE,
        form=filter_form(top, scope),
        labels=FIGURES,
        short=SHORT,
        filters=scope.filters(),
        described=describe(scope, loc),
        empty_form=EmptyForm(),
        backlog=review_backlog(scope),
        voice=voice_comparison(scope),
        now=utcnow(),
    )


@bp.get("/learners")
def learners():
    scope = current_scope()
    number = parse_id(request.args.get("page")) or 1
    order = name_order()
    rows, total = page(scope, number, order)
    pages = max(1, -(-total // PAGE_SIZE))
    if number > pages:  # an old link, or a list that shrank: its last page
        return redirect(
            url_for(".learners", **(request.args.to_dict() | {"page": pages}))
        )
    return render_template(
        "reports/learners.html",
        scope=scope,
        rows=rows,
        total=total,
        number=number,
        pages=pages,
        filters=scope.filters(),
        described=describe(scope, loc),
        show_phone=lambda phone: show_phone(phone, can_see_full_phones(current_user)),
        empty_form=EmptyForm(),
        order=order,
    )


@bp.post("/export.<any(csv, xlsx):fmt>")
def export(fmt):
    return _export("report", fmt)


@bp.post("/learners.<any(csv, xlsx):fmt>")
def export_learners(fmt):
    return _export("learners", fmt)


def _export(kind, fmt):
    """Queue the export of the current view and show its progress page.

    Exports are POSTs (with the filters in the URL): asking for one is recorded
    in the audit log. A worker makes the file (lms.jobs): a province takes
    seconds, which no request should wait for.
    """
    if not EmptyForm().validate_on_submit():
        abort(400)
    scope = current_scope()  # a bad filter is refused now, not in the worker
    job = request_export(
        current_user,
        kind,
        fmt,
        {"filters": scope.filters(), "order": name_order()},
        str(get_locale()),
        "report.export",
    )
    # Early commit: the worker, in another process or thread, reads the job's row.
    db.session.commit()
    jobs.queue(current_app).enqueue(job.id)
    return redirect(url_for("jobs.show", job_id=job.id), code=303)


def filter_form(top, scope):
    """The filter form, with classes limited to the reader's area."""
    courses = db.session.scalars(
        select(Course)
        .where(Course.archived_at.is_(None), reported_course())
        .order_by(Course.position)
    )
    clubs = db.session.scalars(select(Club).order_by(Club.code))
    classes = select(Classroom).order_by(Classroom.held_on.desc(), Classroom.id.desc())
    classes = classes.where(*in_area_ids(Classroom.area_id, scope.area_ids))
    form = ReportFilterForm(formdata=None, data=_form_data(scope))
    return form.fill(
        PERIODS,
        [SelectChoice(c.slug, loc(c, "title")) for c in courses],
        [SelectChoice(c.code, loc(c, "name")) for c in clubs],
        [
            SelectChoice(str(c.id), c.name)
            for c in db.session.scalars(classes.limit(MAX_CLASSES))
        ],
    )


def _form_data(scope):
    params = scope.filters()
    return {
        "area": params.get("area", ""),
        "period": str(params["period"]),
        "course": params.get("course", ""),
        "club": params.get("club", ""),
        "classroom": str(params.get("class", "")),
    }


@bp.get("/tokens")
def tokens():
    return _tokens_page(TokenForm())


@bp.post("/tokens")
def create_api_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form), 400
    try:
        token, secret = create_token(current_user, form.name.data)
    except DomainError as error:
        show_refusal(form, error, "name")
        return _tokens_page(form), 400
    return _tokens_page(TokenForm(formdata=None), new=(token, secret))


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_api_token(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if EmptyForm().validate_on_submit():
        revoke_token(current_user, token)
        flash(_("The token no longer works."), "info")
    return redirect(url_for("reports.tokens"))


def _tokens_page(form, new=None):
    mine = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc())
    )
    return render_template(
        "reports/tokens.html", form=form, tokens=mine, new=new, empty_form=EmptyForm()
    )
