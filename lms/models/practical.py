from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow
from lms.extensions import db
from lms.models.course import Assignment
from lms.models.user import User

STATUSES = ("pending", "approved", "needs_work")


class Submission(db.Model):
    """A learner's practical work; a resubmission is a new row, history is kept."""

    __table_args__ = (
        Index("ix_submission_assignment_user", "assignment_id", "user_id"),
        Index("ix_submission_status_created", "status", "created_at"),
        Index("ix_submission_area", "area_id", "reviewed_at", "status"),
        # One piece of work waiting per learner and assignment, even when the
        # same work is sent twice at one moment (a double tap, a resend).
        Index(
            "uq_submission_one_pending",
            "assignment_id",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # Work waiting, by area, and the oldest: read from the index alone.
        Index("ix_submission_status_area", "status", "area_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    link: Mapped[str | None] = mapped_column(String(500))
    photos: Mapped[list] = mapped_column(JSON, default=list)  # stored file names
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    rubric: Mapped[dict] = mapped_column(
        JSON, default=dict
    )  # criterion -> pass|needs_work
    feedback: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the farmer last replaced what they sent while it waited (else None).
    revised_at: Mapped[datetime | None]
    # The learner's area, copied for reports (kept by lms.models.activity).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))

    assignment: Mapped[Assignment] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    @property
    def revision(self):
        """Which version of the work this is, for a review form to carry."""
        return self.revised_at.isoformat() if self.revised_at else ""
