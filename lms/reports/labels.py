"""What each figure is called, for the page, the exports and the API document."""

from flask_babel import lazy_gettext as _l

FIGURES = {
    "learners": _l("Learners registered"),
    "active_7": _l("Active in the last 7 days"),
    "active_30": _l("Active in the last 30 days"),
    "enrolments": _l("Course enrolments"),
    "lessons_completed": _l("Lessons completed"),
    "courses_completed": _l("Courses completed"),
    "quiz_attempts": _l("Quiz attempts"),
    "quiz_pass_rate": _l("Quiz pass rate (%)"),
    "practical_approved": _l("Practical work approved"),
    "course_certificates": _l("Course certificates issued"),
    "koc_certificates": _l("KOC memberships issued"),
    "kol_certificates": _l("KOL memberships issued"),
    "koc_members": _l("KOC club members"),
    "kol_members": _l("KOL club members"),
    "new_learners": _l("New learners"),
    "certificates": _l("Certificates issued"),
}

SHORT = {
    "learners": _l("Learners"),
    "active_30": _l("Active 30 d"),
    "enrolments": _l("Enrolments"),
    "lessons_completed": _l("Lessons"),
    "courses_completed": _l("Completed"),
    "quiz_attempts": _l("Quiz attempts"),
    "quiz_pass_rate": _l("Pass %"),
    "practical_approved": _l("Practical OK"),
    "course_certificates": _l("Certificates"),
    "koc_members": _l("KOC"),
    "kol_members": _l("KOL"),
}
