"""The audit trail: who did what to whom."""

from lms.extensions import db
from lms.models import AuditEvent


def audit(actor, action, subject_id=None, detail=None):
    """Record that ``actor`` (a user; None: the system) did ``action``.

    :param subject_id: the user it was done to, if any.
    :param detail: what else an auditor needs to know (JSON).
    """
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        subject_id=subject_id,
        detail=detail or {},
    )
    db.session.add(event)
    return event
