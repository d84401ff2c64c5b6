"""Background jobs as people see them: asking for an export, and its lifetime."""

from datetime import timedelta

from lms.extensions import db
from lms.models import Job
from lms.services.audit import audit

# How long a finished export can be downloaded; then its file is removed.
KEPT_FOR = timedelta(hours=24)
KINDS = ("report", "learners", "roster")
FORMATS = ("csv", "xlsx")


class JobRefused(Exception):
    """The job cannot run for this person (any more); ``message`` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def request_export(actor, kind, fmt, params, locale, audit_action):
    """Queue an export of ``kind`` for ``actor`` and record who asked for what.

    The caller commits, then hands the job to the queue (lms.jobs.start).
    """
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"unknown export {kind}.{fmt}")
    job = Job(user_id=actor.id, kind=kind, format=fmt, params=params, locale=locale)
    db.session.add(job)
    db.session.flush()
    audit(
        actor,
        audit_action,
        detail={"what": kind, "format": fmt, "job": job.id, **params},
    )
    return job
