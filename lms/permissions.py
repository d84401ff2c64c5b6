"""Who may do what: pure predicates, one aborting helper, and query filters.

Every lookup of someone's data goes through here. Learners: their own data;
trainers: their classes and courses; officials: their area's subtree; admins: all.
"""

from flask import abort

from lms.models import Course

STAFF = ("trainer", "admin")


def is_staff(user):
    return user.is_authenticated and user.role in STAFF


def readable_courses(user):
    """A filter for the courses ``user`` may open: staff also see drafts."""
    if is_staff(user):
        return Course.archived_at.is_(None)
    return (Course.status == "published") & Course.archived_at.is_(None)


def can_read_course(user, course):
    if course.archived_at is not None:
        return False
    return course.status == "published" or is_staff(user)


def can_read_attempt(user, attempt):
    return user.is_authenticated and (
        attempt.user_id == user.id or user.role == "admin"
    )


def require(allowed):
    """Abort with 403 unless ``allowed``."""
    if not allowed:
        abort(403)
