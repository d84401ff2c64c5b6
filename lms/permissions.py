"""Who may do what: pure predicates, one aborting helper, and query filters.

Every lookup of someone's data goes through here. Learners: their own data;
trainers: their classes and the courses they own or were added to; officials:
their area's subtree; admins: all.

The area rule ("Areas people reach" below) is written once, as a predicate and
as a query filter side by side: a person reaches their area's subtree, and an
official or admin without an area reaches every area.
"""

from flask import abort
from sqlalchemy import exists, false, or_, select, true
from sqlalchemy.orm import aliased

from lms.models import Area, ClassMember, Classroom, Course, Role, Submission, User
from lms.models.course import course_editor

STAFF = (Role.TRAINER, Role.ADMIN)
READERS = (Role.OFFICIAL, Role.ADMIN)  # who read the officials' reports


def is_staff(user):
    return user.is_authenticated and user.role in STAFF


def is_admin(user):
    return user.is_authenticated and user.role == Role.ADMIN


def is_trainer(user):
    return user.is_authenticated and user.role == Role.TRAINER


def may_edit_courses(user):
    """Trainers and admins write courses (and may be added as a course's editor)."""
    return user.role in STAFF


def is_site_admin(user):
    """An admin without an area manages the whole site; one with an area, only it."""
    return is_admin(user) and user.area is None


def may_assign_roles(actor):
    """Roles, areas and sign-in rights are an admin's to change."""
    return actor.role == Role.ADMIN


def require(allowed):
    """Abort with 403 unless ``allowed``."""
    if not allowed:
        abort(403)


# Areas people reach


def reach_top(user):
    """The area whose subtree ``user`` reaches; None means every area."""
    return user.area


def can_reach(user, area):
    """True if ``area`` lies in ``user``'s reach (an area of None: only everywhere)."""
    return within(reach_top(user), area)


def within(top, area):
    """True if ``area`` is ``top`` or below it (``top`` None: everywhere)."""
    if top is None:
        return True
    return area is not None and area.path.startswith(top.path)


def reachable_areas(user):
    """A filter on Area: the areas ``user`` reaches (``can_reach`` as SQL)."""
    return subtree(reach_top(user))


def subtree(top):
    """A filter on Area: ``top`` and every area below it (None: every area)."""
    return true() if top is None else Area.path.startswith(top.path, autoescape=False)


def in_reach(area_column, user):
    """A filter on rows whose area (``area_column``) ``user`` reaches.

    Rows with no area are reached only by those who reach everywhere.
    """
    return in_subtree(area_column, reach_top(user))


def in_subtree(area_column, top):
    """A filter on rows whose area (``area_column``) is ``top`` or below it."""
    if top is None:
        return true()
    return area_column.in_(select(Area.id).where(subtree(top)))


def subtree_ids(top):
    """The ids of ``top`` and every area below it, or None for "everywhere"."""
    from lms.extensions import db

    if top is None:
        return None
    return tuple(db.session.scalars(select(Area.id).where(subtree(top))))


def in_area_ids(area_column, area_ids):
    """Conditions for rows in ``area_ids`` (from ``subtree_ids``; None: all)."""
    return [] if area_ids is None else [area_column.in_(area_ids)]


# Administration: a province admin manages the people, classes and certificates
# of their area; admins and who is one are the whole-site admin's alone.


def can_manage_person(actor, person):
    if not is_admin(actor):
        return False
    if is_site_admin(actor):
        return True
    return person.role != Role.ADMIN and can_reach(actor, person.area)


def managed_people(actor):
    """A filter on User: the accounts ``can_manage_person`` lets ``actor`` change."""
    if not is_admin(actor):
        return false()
    if is_site_admin(actor):
        return true()
    return (User.role != Role.ADMIN) & in_reach(User.area_id, actor)


def can_give_role(actor, role):
    """Only the whole-site admin makes (or unmakes) admins, province admins too."""
    return is_site_admin(actor) or (is_admin(actor) and role != Role.ADMIN)


def can_place_in(actor, area):
    """Whether ``actor`` may put someone in ``area`` (None: no area)."""
    return is_admin(actor) and can_reach(actor, area)


def registrable_areas(actor):
    """A filter on Area: where ``actor`` may register farmers from a class list.

    A province admin only in their province; trainers (whose classes gather
    farmers from neighbouring communes) and the whole-site admin anywhere.
    """
    if is_admin(actor) and not is_site_admin(actor):
        return reachable_areas(actor)
    return true()


def can_manage_certificate(actor, certificate):
    """Revoke or reinstate: an admin who reaches the holder's area."""
    return is_admin(actor) and can_reach(actor, certificate.user.area)


def managed_certificates(actor):
    """A filter on Certificate: those ``can_manage_certificate`` allows."""
    from lms.models import Certificate

    if not is_admin(actor):
        return false()
    if is_site_admin(actor):
        return true()
    holders = select(User.id).where(in_reach(User.area_id, actor))
    return Certificate.user_id.in_(holders)


def can_set_club_rules(actor):
    """Club rules hold for every province: the whole-site admin's."""
    return is_site_admin(actor)


def can_edit_issuer(actor, province):
    """A province's issuer: its own admin's, or the whole-site admin's."""
    return is_admin(actor) and can_reach(actor, province)


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
        and user.role == Role.TRAINER
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
    if is_admin(user):
        return can_reach(user, classroom.area)
    return is_staff(user) and classroom.trainer_id == user.id


def managed_classes(user):
    """A filter for the classes ``user`` runs (admins: all in their reach)."""
    if is_admin(user):
        return in_reach(Classroom.area_id, user)
    if not is_staff(user):
        return false()
    return Classroom.trainer_id == user.id


def taught_learners(user):
    """A filter for the learners ``user`` may see: those in the classes they run."""
    if is_admin(user):
        return (User.role == Role.LEARNER) & in_reach(User.area_id, user)
    if not is_staff(user):
        return false()
    in_my_class = (
        select(ClassMember.id)
        .join(Classroom, Classroom.id == ClassMember.classroom_id)
        .where(ClassMember.user_id == User.id, Classroom.trainer_id == user.id)
        .exists()
    )
    return (User.role == Role.LEARNER) & in_my_class


def can_see_learner(user, learner):
    from lms.extensions import db

    if learner.role != Role.LEARNER:
        return False
    return bool(
        db.session.scalar(
            select(User.id).where(User.id == learner.id, taught_learners(user))
        )
    )


# A learner's own records


def can_read_attempt(user, attempt):
    if not user.is_authenticated:
        return False
    if attempt.user_id == user.id:
        return True
    return is_admin(user) and can_reach(user, _area_of(attempt))


def can_renew(user, certificate):
    """Only the holder renews their own club card."""
    return user.is_authenticated and certificate.user_id == user.id


def can_read_submission(user, submission):
    """The author, or someone who reviews it (``can_review_submission``)."""
    if not user.is_authenticated:
        return False
    return submission.user_id == user.id or can_review_submission(user, submission)


# Practical work: who reviews it. Every piece has a reviewer: the trainers of the
# author's classes, the trainers whose area holds the author's area (so work from a
# commune without a trainer reaches the trainers of the nearest area above), and
# always the admins. The predicate, the query filter and the list of reviewers
# below are the same rule; tests/teach/test_reviewers.py checks they agree.


def can_review_submission(user, submission):
    """True if ``user`` may open and judge ``submission``."""
    from lms.extensions import db

    learner_area = (
        db.session.get(Area, submission.area_id) if submission.area_id else None
    )
    if is_admin(user):
        return can_reach(user, learner_area)
    if not is_staff(user):
        return False
    if (
        user.area is not None
        and learner_area is not None
        and learner_area.path.startswith(user.area.path)
    ):
        return True
    return bool(db.session.scalar(select(_in_class_of(user.id, submission.user_id))))


def reviewable_submissions(user):
    """A filter on Submission: what ``can_review_submission`` lets ``user`` judge."""
    if is_admin(user):
        return in_reach(Submission.area_id, user)
    if not is_staff(user):
        return false()
    return _reviewed_by(user.id, user.area.path if user.area else None)


def reviewing_trainers(submission):
    """A filter on User: the active trainers who may review ``submission``.

    Admins may always review and are not listed.
    """
    ancestors = [int(i) for i in _area_path(submission).strip("/").split("/") if i]
    return (
        (User.role == Role.TRAINER)
        & User.active.is_(True)
        & or_(_in_class_of(User.id, submission.user_id), User.area_id.in_(ancestors))
    )


def has_trainer():
    """A filter on Submission: some active trainer may review it (else only admins)."""
    trainer, area = aliased(User), aliased(Area)
    return (
        select(trainer.id)
        .outerjoin(area, area.id == trainer.area_id)
        .where(
            trainer.role == Role.TRAINER,
            trainer.active.is_(True),
            _reviewed_by(trainer.id, area.path),
        )
        .exists()
    )


def _reviewed_by(trainer_id, area_path):
    """The rule as SQL on Submission, for a trainer's id and area path (or None)."""
    conditions = [_in_class_of(trainer_id)]
    if area_path is not None:
        learner_area = aliased(Area)
        conditions.append(
            select(learner_area.id)
            .where(
                learner_area.id == Submission.area_id,
                learner_area.path.startswith(area_path, autoescape=False),
            )
            .correlate_except(learner_area)
            .exists()
        )
    return or_(*conditions)


def _in_class_of(trainer_id, learner_id=Submission.user_id):
    return (
        select(ClassMember.id)
        .join(Classroom, Classroom.id == ClassMember.classroom_id)
        .where(ClassMember.user_id == learner_id, Classroom.trainer_id == trainer_id)
        .correlate_except(ClassMember, Classroom)
        .exists()
    )


def _area_of(row):
    """The area of the person a row (attempt, submission) belongs to."""
    from lms.extensions import db

    return db.session.get(User, row.user_id).area


def _area_path(submission):
    from lms.extensions import db

    area = db.session.get(Area, submission.area_id) if submission.area_id else None
    return area.path if area is not None else ""


# Officials' reports


def home_endpoint(user):
    """Where ``user`` lands after signing in: the page of their daily work."""
    return {
        Role.OFFICIAL: "reports.overview",
        Role.TRAINER: "teach.dashboard",
        Role.ADMIN: "admin.index",
    }.get(user.role, "learn.catalog")


def can_read_reports(user):
    """Officials and admins read the reports of the areas they reach."""
    return user.is_authenticated and user.role in READERS


def report_top(user):
    """The area whose subtree ``user`` reports on; None means every province.

    Officials and admins without an area are national: they see every province,
    on purpose (a ministry's or the programme's own staff).
    """
    return reach_top(user)


def can_see_full_phones(user):
    """Officials see masked numbers in lists and exports; admins see them whole."""
    return is_admin(user)


def can_take_job(user, job):
    """A background job's result (an export) is for the person who asked only."""
    return user.is_authenticated and job.user_id == user.id
