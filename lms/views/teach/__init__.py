"""The trainer's workspace: courses, lessons, quizzes, classes. Staff only."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.clock import utcnow
from lms.extensions import db
from lms.models import Classroom, Course
from lms.models.activity import local_day
from lms.permissions import (
    can_edit_course,
    editable_courses,
    is_staff,
    managed_classes,
    require,
)
from lms.services.content_review import lessons_due
from lms.services.reviewing import waiting_for
from lms.views import course_or_404

bp = Blueprint("teach", __name__, url_prefix="/teach")
DASHBOARD_CLASSES = 20  # the latest classes on the dashboard


@bp.before_request
@login_required
def staff_only():
    require(is_staff(current_user))


def get_editable_course(slug):
    """Load a course the current user may edit: 404 if none, 403 if not theirs."""
    course = course_or_404(slug)
    if course.archived_at is not None:
        abort(404)
    require(can_edit_course(current_user, course))
    return course


@bp.get("")
def dashboard():
    my_courses = db.session.scalars(
        select(Course).where(editable_courses(current_user)).order_by(Course.position)
    ).all()
    # The latest few; an admin reaches every class of the site, hundreds at
    # province scale, listed a page at a time under "All classes".
    my_classes = db.session.scalars(
        select(Classroom)
        .where(managed_classes(current_user))
        .order_by(Classroom.created_at.desc(), Classroom.id.desc())
        .limit(DASHBOARD_CLASSES + 1)
    ).all()
    to_review, oldest = waiting_for(current_user)
    due = lessons_due(local_day(utcnow()), editable_courses(current_user))
    return render_template(
        "teach/dashboard.html",
        courses=my_courses,
        classes=my_classes[:DASHBOARD_CLASSES],
        more_classes=len(my_classes) > DASHBOARD_CLASSES,
        to_review=to_review,
        oldest=oldest,
        due=due,
        now=utcnow(),
    )


from lms.views.teach import classes, courses, lessons, quizzes, voice  # noqa: E402, F401
