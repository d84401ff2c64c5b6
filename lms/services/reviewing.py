"""Who reviews practical work, and what waits for a reviewer."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Area, ClassMember, Classroom, Submission, User
from lms.permissions import has_trainer, reviewable_submissions, reviewing_trainers

QUEUE_LENGTH = 200  # a page a trainer works down; the rest waits behind it


@dataclass(frozen=True)
class Reviewer:
    """Who will review a piece of work, as its author is told: the trainers of
    their classes, else the trainers of the nearest area, else the admins."""

    class_trainers: list = field(default_factory=list)  # names
    area: Area | None = None


def who_reviews(submission):
    trainers = db.session.scalars(
        select(User).where(reviewing_trainers(submission)).order_by(User.name)
    ).all()
    teaching = set(
        db.session.scalars(
            select(Classroom.trainer_id)
            .join(ClassMember, ClassMember.classroom_id == Classroom.id)
            .where(ClassMember.user_id == submission.user_id)
        )
    )
    names = [trainer.name for trainer in trainers if trainer.id in teaching]
    if names:
        return Reviewer(class_trainers=names)
    areas = {trainer.area_id for trainer in trainers} - {None}
    nearest = max(
        (db.session.get(Area, area_id) for area_id in areas),
        key=lambda area: len(area.path),
        default=None,
    )
    return Reviewer(area=nearest)


def review_queue(reviewer, limit=QUEUE_LENGTH):
    """The oldest work waiting for ``reviewer``, each with whether any trainer
    covers it (False: only admins will see it)."""
    return db.session.execute(
        select(Submission, has_trainer())
        .where(Submission.status == "pending", reviewable_submissions(reviewer))
        .order_by(Submission.created_at, Submission.id)
        .limit(limit)
    ).all()


def waiting_for(reviewer):
    """(pieces of work waiting for ``reviewer``, when the oldest was sent)."""
    return db.session.execute(
        select(func.count(Submission.id), func.min(Submission.created_at)).where(
            Submission.status == "pending", reviewable_submissions(reviewer)
        )
    ).one()
