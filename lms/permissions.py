"""Who may do what: pure predicates, one aborting helper, and query filters.

Every lookup of someone's data goes through here. Learners: their own data;
trainers: their classes and the courses they own or were added to; officials:
their area's subtree; admins: all.
"""

from flask import abort
from sqlalchemy import exists, false, or_, select, true

from lms.models import ClassMember, Classroom, Course, User
from lms.models.course import course_editor

STAFF = ("trainer", "admin")


def is_staff(user):
    return user.is_authenticated and user.role in STAFF


def is_admin(user):
    return user.is_authenticated and user.role == "admin"


def require(allowed):
    """Abort with 403 unless ``allowed``."""
    if not allowed:
        abort(403)


# Courses: reading


def readable_courses(user):
    """A filter for the courses ``user`` may open: staff also see drafts."""
    if is_staff(user):
        return Course.archived_at.is_(None)
    return (Course.status == "published") & Course.archived_at.is_(None)


def can_read_course(user, course):
    if course.archived_at is not None:
        return False
    return course.status == "published" or is_staff(user)


# Courses: editing


def can_edit_course(user, course):
    if is_admin(user):
        return True
    return (
        user.is_authenticated
        and user.role == "trainer"
        and (course.owner_id == user.id or user in course.editors)
    )


def editable_courses(user):
    """A filter for the courses ``user`` may edit."""
    if is_admin(user):
        return Course.archived_at.is_(None)
    if not is_staff(user):
        return false()
    co_edited = exists().where(
        course_editor.c.course_id == Course.id, course_editor.c.user_id == user.id
    )
    return Course.archived_at.is_(None) & or_(Course.owner_id == user.id, co_edited)


# Classes and the learners in them


def can_manage_class(user, classroom):
    return is_admin(user) or (is_staff(user) and classroom.trainer_id == user.id)


def managed_classes(user):
    """A filter for the classes ``user`` runs (admins: all)."""
    if is_admin(user):
        return true()
    if not is_staff(user):
        return false()
    return Classroom.trainer_id == user.id


def taught_learners(user):
    """A filter for the learners ``user`` may see: those in the classes they run."""
    if is_admin(user):
        return User.role == "learner"
    if not is_staff(user):
        return false()
    in_my_class = (
        select(ClassMember.id)
        .join(Classroom, Classroom.id == ClassMember.classroom_id)
        .where(ClassMember.user_id == User.id, Classroom.trainer_id == user.id)
        .exists()
    )
    return (User.role == "learner") & in_my_class


def can_see_learner(user, learner):
    from lms.extensions import db

    if learner.role != "learner":
        return False
    return bool(
        db.session.scalar(
            select(User.id).where(User.id == learner.id, taught_learners(user))
        )
    )


# A learner's own records


def can_read_attempt(user, attempt):
    return user.is_authenticated and (
        attempt.user_id == user.id or user.role == "admin"
    )


def can_read_submission(user, submission):
    """The author, a trainer who has the author in a class, or an admin."""
    if not user.is_authenticated:
        return False
    return submission.user_id == user.id or can_see_learner(user, submission.user)


# Officials' reports


def can_read_reports(user):
    """Officials (of their area) and admins (of every area) read the reports."""
    return user.is_authenticated and user.role in ("official", "admin")


def report_top(user):
    """The area whose subtree ``user`` reports on; None means every area (admins).

    Only for users who pass ``can_read_reports``; an official without an area has
    no subtree, which the views explain rather than showing anything.
    """
    return None if is_admin(user) else user.area


def can_see_full_phones(user):
    """Officials see masked numbers in lists and exports; admins see them whole."""
    return is_admin(user)


def can_take_job(user, job):
    """A background job's result (an export) is for the person who asked only."""
    return user.is_authenticated and job.user_id == user.id
