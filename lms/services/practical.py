"""Practical work: a farmer hands it in, a trainer approves it or asks for more."""

from pathlib import Path
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.clock import utcnow
from lms.extensions import db
from lms.models import AuditEvent, Submission
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
    if link and not _is_web_address(link):
        raise DomainError(
            _l("Enter a web address starting with https:// or http://"), field="link"
        )
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
    """
    if submission.status != "pending":
        raise DomainError(_l("This work has already been reviewed."))
    criteria = [criterion["id"] for criterion in submission.assignment.rubric]
    if set(rubric) != set(criteria) or not set(rubric.values()) <= {
        "pass",
        "needs_work",
    }:
        raise DomainError(_l("Judge every criterion."), field="rubric")
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


def _is_web_address(link):
    parts = urlsplit(link)
    return (
        parts.scheme in ("http", "https") and "." in parts.netloc and len(link) <= 500
    )
