"""Practical work: a farmer hands it in, a trainer approves it or asks for more."""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.clock import utcnow
from lms.extensions import db
from lms.models import Area, AuditEvent, ClassMember, Classroom, Submission, User
from lms.permissions import has_trainer, reviewable_submissions, reviewing_trainers
from lms.services import DomainError
from lms.services.images import store_image
from lms.services.learning import enroll, update_completion

PHOTO_FOLDER = "submissions"
PHOTO_WIDTH = 1280
PHOTO_MAX_BYTES = 15 * 1024 * 1024


def latest_submission(learner, assignment):
    return db.session.scalar(
        select(Submission)
        .where(
            Submission.user_id == learner.id, Submission.assignment_id == assignment.id
        )
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(1)
    )


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


def review_queue(reviewer):
    """Work waiting for ``reviewer``, oldest first, each with whether any trainer
    covers it (False: only admins will see it)."""
    return db.session.execute(
        select(Submission, has_trainer())
        .where(Submission.status == "pending", reviewable_submissions(reviewer))
        .order_by(Submission.created_at, Submission.id)
    ).all()


def waiting_for(reviewer):
    """(pieces of work waiting for ``reviewer``, when the oldest was sent)."""
    return db.session.execute(
        select(func.count(Submission.id), func.min(Submission.created_at)).where(
            Submission.status == "pending", reviewable_submissions(reviewer)
        )
    ).one()


def submit(learner, assignment, link, photos, note, upload_dir):
    """Hand in practical work: a link and/or up to ``max_photos`` photos.

    :param photos: binary streams; each is decoded and re-encoded, never stored as sent.
    :raise DomainError: nothing to hand in, a bad link, too many photos, a non-photo,
        or work already waiting for review or approved.
    """
    if assignment.archived_at is not None or not assignment.course.is_published:
        raise DomainError(_l("This practical work is not open."))
    previous = latest_submission(learner, assignment)
    if previous is not None and previous.status == "pending":
        raise DomainError(_l("Your work is waiting for your trainer's review."))
    if previous is not None and previous.status == "approved":
        raise DomainError(_l("Your work has already been approved."))
    link = (link or "").strip() or None
    if link and not assignment.accepts_link:
        raise DomainError(_l("This practical work takes photos only."), field="link")
    if link:
        link = web_address(link) or _bad_link()
    if len(photos) > assignment.max_photos:
        raise DomainError(
            _l("Send at most %(n)d photos.", n=assignment.max_photos), field="photos"
        )
    if not link and not photos:
        raise DomainError(_l("Add a link or a photo of your work."), field="photos")
    stored = _store_photos(photos, Path(upload_dir) / PHOTO_FOLDER)
    enroll(learner, assignment.course)
    submission = Submission(
        assignment=assignment,
        user_id=learner.id,
        link=link,
        photos=[image.name for image in stored],
        note=(note or "").strip()[:2000],
    )
    db.session.add(submission)
    db.session.flush()
    return submission


def review(reviewer, submission, approve, rubric, feedback):
    """Approve, or return with feedback; approval can complete the course.

    :param rubric: criterion id -> "pass" or "needs_work"; every criterion is judged.
    :raise DomainError: a criterion not judged, approval with a criterion not
        passed, or a return without feedback; nothing is changed.
    """
    if submission.status != "pending":
        raise DomainError(_l("This work has already been reviewed."))
    criteria = [criterion["id"] for criterion in submission.assignment.rubric]
    if set(rubric) != set(criteria) or not set(rubric.values()) <= {
        "pass",
        "needs_work",
    }:
        raise DomainError(_l("Judge every criterion."), field="rubric")
    if approve and set(rubric.values()) != {"pass"} and rubric:
        raise DomainError(
            _l(
                "Approval means every criterion is passed. Mark them all as passed, "
                "or return the work with a comment on what to improve."
            ),
            field="rubric",
        )
    feedback = (feedback or "").strip()
    if not approve and not feedback:
        raise DomainError(
            _l("Tell the farmer what to improve before returning the work."),
            field="feedback",
        )
    submission.status = "approved" if approve else "needs_work"
    submission.rubric = dict(rubric)
    submission.feedback = feedback[:4000]
    submission.reviewer_id = reviewer.id
    submission.reviewed_at = utcnow()
    db.session.add(
        AuditEvent(
            actor_id=reviewer.id,
            action=f"submission.{submission.status}",
            subject_id=submission.user_id,
            detail={"submission": submission.id},
        )
    )
    update_completion(submission.user, submission.assignment.course)
    return submission


def _store_photos(photos, folder):
    """Store every photo or none: a refused one removes those stored before it."""
    stored = []
    try:
        for stream in photos:
            stored.append(
                store_image(
                    stream, folder, max_width=PHOTO_WIDTH, max_bytes=PHOTO_MAX_BYTES
                )
            )
    except DomainError:
        for image in stored:
            (folder / image.name).unlink(missing_ok=True)
        raise
    return stored


def web_address(link):
    """The link as an http(s) address, https:// added when it has no scheme
    (``facebook.com/...``, as people copy it); None when it is not one."""
    if "://" not in link and not link.lower().startswith(("http:", "https:")):
        link = "https://" + link
    parts = urlsplit(link)
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or "." not in host.strip(".")
        or "@" in parts.netloc
        or any(c.isspace() for c in link)
        or len(link) > 500
    ):
        return None
    return link


def _bad_link():
    raise DomainError(
        _l(
            "This is not a web address. Copy the link from your app, "
            "for example facebook.com/…"
        ),
        field="link",
    )
