"""What each export job makes: the same files the pages used to send at once.

The contents come from the same functions as before (lms.reports, the roster);
this module only wraps them to count rows for the progress bar and to write a
file instead of a response. Permissions are checked again when the job runs:
someone who lost the right since asking gets nothing.
"""

from datetime import UTC
from itertools import chain

from flask_babel import format_datetime
from flask_babel import gettext as _

from lms.extensions import db
from lms.formats import phone_text
from lms.i18n import localised
from lms.models import Classroom
from lms.permissions import (
    can_manage_class,
    can_read_reports,
    can_see_full_phones,
    report_top,
)
from lms.reports import build_report
from lms.reports.export import FORMATS, write_csv
from lms.reports.learners import learner_sheet
from lms.reports.scope import ScopeError, build_scope
from lms.reports.sheets import describe, report_sheets
from lms.services.jobs import JobRefused
from lms.services.roster import member_count, roster_rows


def make(job, progress, path):
    """Write job's export to ``path``; return the name the download gets."""
    return MAKERS[job.kind](job, progress, path)


def _report_scope(job):
    user = job.user
    if not can_read_reports(user):
        raise JobRefused(_("You may no longer read these reports."))
    try:
        return build_scope(report_top(user), job.params["filters"], job.created_at)
    except (LookupError, ScopeError):
        raise JobRefused(_("You may no longer read these reports.")) from None


def _localiser(job):
    return lambda obj, field: localised(obj, field, job.locale)


def _counted(rows, progress):
    for row in rows:
        yield row
        progress.advance()


def _write_sheets(job, sheets, path):
    path.write_bytes(FORMATS[job.format][1](sheets))


def report(job, progress, path):
    scope = _report_scope(job)
    loc = _localiser(job)
    _write_sheets(
        job, report_sheets(scope, build_report(scope, job.created_at), loc), path
    )
    return f"report-{scope.period.last_day}.{job.format}"


def learners(job, progress, path):
    scope = _report_scope(job)
    headings = [
        _("Name"),
        _("Phone"),
        _("Area"),
        _("Courses enrolled"),
        _("Courses completed"),
        _("Lessons completed"),
        _("Course certificates"),
        _("Clubs"),
    ]
    order = job.params.get("order", "given")
    rows = learner_sheet(scope, can_see_full_phones(job.user), headings, order)
    progress.total(len(rows) - 1)
    sheets = [
        (_("Filters"), describe(scope, _localiser(job))),
        (_("Learners"), _counted(rows, progress)),
    ]
    _write_sheets(job, sheets, path)
    return f"learners-{scope.period.last_day}.{job.format}"


def roster(job, progress, path):
    """The class roster as CSV, written as the learners are read, page by page."""
    classroom = db.session.get(Classroom, job.params["class_id"])
    if classroom is None or not can_manage_class(job.user, classroom):
        raise JobRefused(_("You no longer run this class."))
    courses = classroom.courses
    progress.total(member_count(classroom))
    titles = [localised(c, "title", "vi") for c in courses]
    # Outside the f-strings: Babel does not extract what is inside them.
    quiz, practical = _("quiz"), _("practical work")
    headings = (
        [_("Name"), _("Phone number"), _("Commune"), _("Last activity")]
        + [f"{t} (%)" for t in titles]
        + [f"{t}: {quiz}" for t in titles]
        + [f"{t}: {practical}" for t in titles]
    )
    rows = roster_rows(classroom, job.params.get("sort", "name"))
    with path.open("w", encoding="utf-8-sig", newline="") as out:  # BOM: Excel
        lines = (_roster_line(row, courses) for row in _counted(rows, progress))
        write_csv(out, chain([headings], lines))
    return f"class-{classroom.id}.csv"


def _roster_line(row, courses):
    return (
        [
            row.learner.name,
            # As on the screen and as people dial it; its spaces keep it text
            # in a spreadsheet, which would drop the leading 0 of a number.
            phone_text(row.learner.phone),
            row.learner.area.name if row.learner.area else "",
            _when(row.last_active),
        ]
        + [row.progress[c.id].percent for c in courses]
        + [_score(row.best_scores[c.id]) for c in courses]
        + [_status_text(row.submissions[c.id]) for c in courses]
    )


def _when(moment):
    if moment is None:
        return ""
    return format_datetime(moment.replace(tzinfo=UTC), "yyyy-MM-dd HH:mm")


def _score(score):
    return "" if score is None else score


def _status_text(submission):
    if submission is None:
        return ""
    return {
        "pending": _("waiting for review"),
        "approved": _("approved"),
        "needs_work": _("needs work"),
    }[submission.status]


MAKERS = {"report": report, "learners": learners, "roster": roster}
