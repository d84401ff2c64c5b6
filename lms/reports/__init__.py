"""Officials' reports: aggregate figures by area, course and week, and exports."""

from lms.reports.tables import by_area, by_course, overview, totals, trend


def build_report(scope, now):
    """Everything the overview page shows, exports and serves as JSON."""
    areas = by_area(scope)
    return {
        "overview": overview(scope, totals(areas)),
        "areas": areas,
        "courses": by_course(scope),
        "trend": trend(scope, now),
    }
