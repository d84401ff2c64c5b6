"""Running one job: claim it, do the work with progress, keep the file, finish.

Every step is its own short transaction: the work itself only reads, in a read
transaction (lms.database.reading), so on SQLite it never holds the write lock
that farmers' progress needs.
"""

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from lms.clock import utcnow
from lms.database import reading
from lms.extensions import db
from lms.jobs import exports
from lms.models import Job
from lms.services.jobs import KEPT_FOR, JobRefused

log = logging.getLogger(__name__)
# A running job writes its heartbeat at least this often; one silent for longer
# lost its worker and is run again.
HEARTBEAT = timedelta(seconds=5)
STALE_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 3
EXPORT_FOLDER = "exports"


def export_dir(app):
    """Where finished exports wait for their download: shared storage, private."""
    folder = Path(app.config["LMS_UPLOAD_DIR"]) / EXPORT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Progress:
    """Counts the job's rows and writes them, with the heartbeat, now and then."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.done = 0
        self.written_at = utcnow()

    def total(self, total):
        self._write(total=total)

    def advance(self, rows=1):
        self.done += rows
        if utcnow() - self.written_at >= HEARTBEAT / 5:
            self._write()

    def _write(self, **values):
        self.written_at = utcnow()
        with db.engine.begin() as connection:  # its own short transaction
            connection.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(done=self.done, heartbeat_at=self.written_at, **values)
            )


def _claim(job_id):
    """Mark the job running if it is queued or its worker died; True if ours."""
    now = utcnow()
    with db.engine.begin() as connection:
        claimed = connection.execute(
            update(Job)
            .where(
                Job.id == job_id,
                Job.attempts < MAX_ATTEMPTS,
                or_(
                    Job.status == "queued",
                    (Job.status == "running") & (Job.heartbeat_at < now - STALE_AFTER),
                ),
            )
            .values(status="running", heartbeat_at=now, attempts=Job.attempts + 1)
        )
    return claimed.rowcount == 1


def run_job(app, job_id):
    """Do job ``job_id`` unless another worker has it or it is finished."""
    with app.app_context():
        if not _claim(job_id):
            return
        with reading():
            job = db.session.get(Job, job_id)
            locale, fmt = job.locale, job.format
        target = export_dir(app) / f"{job_id}-{secrets.token_hex(8)}.{fmt}"
        partial = target.with_suffix(".part")
        try:
            with force_locale(locale), reading():
                job = db.session.get(Job, job_id)
                file_name = exports.make(job, Progress(job_id), partial)
            os.replace(partial, target)
        except JobRefused as refused:
            _finish(job_id, status="failed", error=str(refused.message))
        except Exception:
            log.exception("job %s failed", job_id)
            with force_locale(locale):
                message = _("The export could not be made. Please try again.")
            _finish(job_id, status="failed", error=message)
        else:
            _finish(
                job_id,
                status="done",
                file_name=file_name,
                stored_as=target.name,
                size=target.stat().st_size,
            )
        finally:
            partial.unlink(missing_ok=True)
            db.session.remove()


def _finish(job_id, **values):
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                finished_at=now, heartbeat_at=now, expires_at=now + KEPT_FOR, **values
            )
        )


def look_after(app):
    """Ids of jobs to queue again (queued or running, silent too long); and
    remove the files of expired exports.

    It only reads unless there is something to change, so on SQLite it waits
    for no one's write lock on the usual minute when all is well.
    """
    with app.app_context():
        now = utcnow()
        silent = (
            Job.status.in_(("queued", "running")),
            Job.heartbeat_at < now - STALE_AFTER,
        )
        with reading():
            orphans = db.session.scalars(
                select(Job.id).where(*silent, Job.attempts < MAX_ATTEMPTS)
            ).all()
            given_up = db.session.scalars(
                select(Job.id).where(*silent, Job.attempts >= MAX_ATTEMPTS)
            ).all()
            expired = db.session.execute(
                select(Job.id, Job.stored_as).where(
                    Job.expires_at <= now, Job.stored_as.is_not(None)
                )
            ).all()
        folder = export_dir(app)
        for _job_id, stored_as in expired:
            (folder / stored_as).unlink(missing_ok=True)
        if given_up or expired:
            with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
                message = _("The export could not be made. Please try again.")
            with db.engine.begin() as connection:
                if given_up:
                    connection.execute(
                        update(Job)
                        .where(Job.id.in_(given_up))
                        .values(status="failed", error=message, expires_at=now)
                    )
                if expired:
                    connection.execute(
                        update(Job)
                        .where(Job.id.in_([job_id for job_id, _file in expired]))
                        .values(stored_as=None)
                    )
        db.session.remove()
        return orphans
