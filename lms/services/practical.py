"""Practical work: a farmer hands it in (and may replace it while it waits), a
trainer approves it or returns it with feedback."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.clock import utcnow
from lms.database import insert_once
from lms.extensions import db
from lms.models import Assignment, Submission
from lms.services import DomainError
from lms.services.audit import audit
from lms.services.images import NAME, image_path, store_image
from lms.services.learning import enroll, update_completion

PHOTO_FOLDER = "submissions"
PHOTO_WIDTH = 1280
PHOTO_MAX_BYTES = 15 * 1024 * 1024
NOTE_LENGTH = 2000  # characters of the note to the trainer
TEMPORARY = re.compile(r"\.[0-9a-f]{32}\.webp\.tmp")  # a write cut short
KEPT_FOR = timedelta(days=2)  # a refused try's photos are offered again this long
UNCLAIMED_AFTER = KEPT_FOR + timedelta(days=1)


def submissions_of(learner, assignment):
    """Everything ``learner`` handed in for ``assignment``, newest first."""
    return db.session.scalars(
        select(Submission)
        .where(
            Submission.user_id == learner.id, Submission.assignment_id == assignment.id
        )
        .order_by(Submission.created_at.desc(), Submission.id.desc())
    ).all()


def latest_submission(learner, assignment):
    return db.session.scalar(
        select(Submission)
        .where(
            Submission.user_id == learner.id, Submission.assignment_id == assignment.id
        )
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(1)
    )


def review(reviewer, submission, approve, rubric, feedback, seen=None):
    """Approve, or return with feedback; approval can complete the course.

    :param rubric: criterion id -> "pass" or "needs_work"; every criterion is judged.
    :param seen: the ``revision`` the reviewer looked at, when known.
    :raise DomainError: the work changed since ``seen``, a criterion not judged,
        approval with a criterion not passed, or a return without feedback;
        nothing is changed.
    """
    if submission.status != "pending":
        raise DomainError(_l("This work has already been reviewed."))
    if seen is not None and seen != submission.revision:
        raise DomainError(
            _l("The farmer changed this work while you were looking at it. Look again.")
        )
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
    audit(
        reviewer,
        f"submission.{submission.status}",
        submission.user_id,
        {"submission": submission.id},
    )
    update_completion(submission.user, submission.assignment.course)
    return submission


class WorkRefused(DomainError):
    """Work refused; ``kept`` names photos already stored from this try or an
    earlier one, so the farmer need not choose them again."""

    def __init__(self, message, field=None, kept=()):
        super().__init__(message, field)
        self.kept = list(kept)


def submit(learner, assignment, link, photos, note, upload_dir, kept=()):
    """Hand in practical work, or replace what still waits for review.

    :param photos: binary streams; each is decoded and re-encoded, never stored
        as sent. New photos replace ``kept`` ones and, when replacing, those sent.
    :param kept: names of photos stored at a refused try, vouched for by the caller.
    :raise WorkRefused: nothing to hand in, a bad link, too many photos, a
        non-photo, or work already approved.
    """
    if assignment.archived_at is not None or not assignment.course.is_published:
        raise WorkRefused(_l("This practical work is not open."))
    previous = latest_submission(learner, assignment)
    if previous is not None and previous.status == "approved":
        raise WorkRefused(_l("Your work has already been approved."))
    waiting = (
        previous if previous is not None and previous.status == "pending" else None
    )
    folder = Path(upload_dir) / PHOTO_FOLDER
    kept = [name for name in kept if _stored(folder, name)]
    if len(photos) > assignment.max_photos:
        raise WorkRefused(
            _l("Send at most %(n)d photos.", n=assignment.max_photos),
            field="photos",
            kept=kept,
        )
    if photos:
        try:
            stored = [image.name for image in _store_photos(photos, folder)]
        except DomainError as error:
            raise WorkRefused(error.message, "photos", kept) from None
        discard_photos(kept, upload_dir)
        kept = stored
    link = _accepted_link(assignment, link, kept)
    names = kept or (waiting.photos if waiting else [])
    if not link and not names:
        raise WorkRefused(_l("Add a link or a photo of your work."), field="photos")
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:  # said, not cut: the end is often the question
        raise WorkRefused(
            _l(
                "The note is too long: at most %(n)d characters. Shorten it and "
                "send again.",
                n=NOTE_LENGTH,
            ),
            field="note",
            kept=kept,
        )
    if waiting is not None:
        return _replace(waiting, link, names, note, upload_dir)
    enroll(learner, assignment.course)
    submission = Submission(
        assignment=assignment,
        user_id=learner.id,
        link=link,
        photos=list(names),
        note=note,
    )
    if insert_once(submission):
        return submission
    # The same work sent twice at one moment: the other request's row waits
    # for review (one per learner and assignment); this one replaces it.
    waiting = latest_submission(learner, assignment)
    return _replace(waiting, link, names, note, upload_dir)


def _accepted_link(assignment, link, kept):
    link = (link or "").strip() or None
    if link and not assignment.accepts_link:
        raise WorkRefused(
            _l("This practical work takes photos only."), field="link", kept=kept
        )
    if link and web_address(link) is None:
        raise WorkRefused(
            _l(
                "This is not a web address. Copy the link from your app, "
                "for example facebook.com/…"
            ),
            field="link",
            kept=kept,
        )
    return link and web_address(link)


def _replace(waiting, link, names, note, upload_dir):
    """Change work still waiting; it keeps its place in the queue. Saved
    unchanged, it stays as it was (a review under way is not disturbed)."""
    if (link, list(names), note) == (waiting.link, waiting.photos, waiting.note):
        return waiting
    gone = [name for name in waiting.photos if name not in names]
    waiting.link, waiting.photos, waiting.note = link, list(names), note
    waiting.revised_at = utcnow()
    db.session.flush()
    discard_photos(gone, upload_dir)
    return waiting


def discard_photos(names, upload_dir):
    """Remove stored practical photos that no work refers to any more."""
    folder = Path(upload_dir) / PHOTO_FOLDER
    for name in names:
        if _stored(folder, name):
            image_path(folder, name).unlink(missing_ok=True)


def unclaimed_photos(upload_dir, older_than=UNCLAIMED_AFTER):
    """Stored practical photos that no work names, older than ``older_than``
    (a timedelta): [(path, bytes)], by name.

    A refused try keeps its photos for the farmer's next try (``KEPT_FOR``); a
    try abandoned after that, or one whose answer failed after the photos were
    written, leaves photos nobody can see any more: farmers' own pictures that
    should not stay on the server. A younger photo may belong to work being
    sent at this moment, so it is left alone.
    """
    folder = Path(upload_dir) / PHOTO_FOLDER
    if not folder.is_dir():
        return []
    cutoff = (utcnow() - older_than).timestamp()
    candidates = {}
    for path in folder.iterdir():
        # Only names this application makes: photos and writes cut short.
        if not (NAME.fullmatch(path.name) or TEMPORARY.fullmatch(path.name)):
            continue
        status = path.stat()
        if status.st_mtime < cutoff:
            candidates[path.name] = (path, status.st_size)
    if candidates:
        claimed = db.session.execute(select(Submission.photos)).scalars()
        for photos in claimed.yield_per(1000):
            for name in photos or ():
                candidates.pop(name, None)
    return [candidates[name] for name in sorted(candidates)]


def _stored(folder, name):
    try:
        return image_path(folder, name).is_file()
    except DomainError:
        return False


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


def returned_courses(learner):
    """The ids of courses whose latest practical work came back to ``learner``."""
    latest = {}
    for assignment_id, course_id, status in db.session.execute(
        select(Submission.assignment_id, Assignment.course_id, Submission.status)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Submission.user_id == learner.id)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
    ):
        latest.setdefault(assignment_id, (course_id, status))
    return {course for course, status in latest.values() if status == "needs_work"}
