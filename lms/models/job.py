from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow
from lms.extensions import db
from lms.models.user import User

JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(db.Model):
    """Long work done in the background for one person: an export to download.

    The row is the truth about the job; the queue only carries its id, so a job
    whose worker died is found here (``heartbeat_at`` stops moving) and run again.
    """

    __table_args__ = (Index("ix_job_status_heartbeat", "status", "heartbeat_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # report, learners, roster
    format: Mapped[str] = mapped_column(String(8))  # csv, xlsx
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    stored_as: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def finished(self):
        return self.status in ("done", "failed")

    def expired(self, now):
        return self.expires_at is not None and self.expires_at <= now
