"""A report as plain tables (title, rows): what the exports write."""

from flask_babel import format_date
from flask_babel import gettext as _

from lms.reports.export import Described
from lms.reports.labels import FIGURES
from lms.reports.tables import BY_AREA, BY_COURSE


def describe(scope, localised):
    """Rows saying what the numbers count: area, period, filters."""
    period = scope.period
    rows = Described(
        [
            [_("Area"), scope.area.name if scope.area else _("All areas")],
            [
                _("Period"),
                f"{format_date(period.start_day)} – {format_date(period.last_day)}",
            ],
        ]
    )
    if scope.course is not None:
        rows.append([_("Course"), localised(scope.course, "title")])
    if scope.club is not None:
        rows.append([_("Club"), localised(scope.club, "name")])
    if scope.classroom is not None:
        rows.append([_("Class"), scope.classroom.name])
    return rows


def report_sheets(scope, report, localised):
    """The current view: filters, overview, areas, courses, weekly trend."""
    overview = [[_("Figure"), _("Value"), _("Previous period"), _("Change")]]
    for name, figure in report["overview"].items():
        overview.append(
            [str(FIGURES[name]), figure.value, figure.previous, figure.change]
        )
    areas = [[_("Area")] + [str(FIGURES[n]) for n in BY_AREA]]
    for row in report["areas"]:
        areas.append([row.key.name] + [row.values[n] for n in BY_AREA])
    courses = [[_("Course")] + [str(FIGURES[n]) for n in BY_COURSE]]
    for row in report["courses"]:
        courses.append(
            [localised(row.key, "title")] + [row.values[n] for n in BY_COURSE]
        )
    weeks, series = report["trend"]
    trend = [[_("Week from")] + [str(FIGURES[n]) for n in series]]
    for i, week in enumerate(weeks):
        # A date, not text: a spreadsheet can sort, filter and chart by it.
        trend.append([week] + [series[n][i] for n in series])
    return [
        (_("Filters"), describe(scope, localised)),
        (_("Overview"), overview),
        (_("By area"), areas),
        (_("By course"), courses),
        (_("Weekly trend"), trend),
    ]
