from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lms.clock import utcnow
from lms.extensions import db
from lms.models.area import Area
from lms.models.course import Course
from lms.models.user import User

club_course = Table(
    "club_course",
    db.metadata,
    Column("club_id", ForeignKey("club.id"), primary_key=True),
    Column("course_id", ForeignKey("course.id"), primary_key=True),
)


class Club(db.Model):
    """A sales club (KOC, KOL); its rules are data an admin edits."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    description_vi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)
    # Months a membership lasts; None: it does not expire.
    valid_months: Mapped[int | None]
    # Renewing a card: questions in the refresher quiz drawn from the required
    # courses' quizzes (0: no quiz), the score it needs, and how many days before
    # the card expires renewing opens.
    renewal_questions: Mapped[int] = mapped_column(default=5, server_default="5")
    renewal_pass_mark: Mapped[int] = mapped_column(default=80, server_default="80")
    renewal_days: Mapped[int] = mapped_column(default=60, server_default="60")

    courses: Mapped[list[Course]] = relationship(
        secondary=club_course, order_by=Course.position
    )


class Certificate(db.Model):
    """A course completion or a club membership, verifiable from its code.

    One per learner and course, and one club card per learner, club and period
    (1, then 2 for the first renewal, ...): the unique constraints, not a check
    in code, make issuing happen exactly once, even for requests at one moment.
    """

    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        UniqueConstraint("user_id", "club_id", "period"),
        CheckConstraint("club_id IS NULL OR period IS NOT NULL", name="card_period"),
        Index("ix_certificate_area", "area_id", "issued_at", "club_id", "course_id"),
        # Club members at a date, by area: every column the count reads.
        Index(
            "ix_certificate_club_members",
            "club_id",
            "area_id",
            "issued_at",
            "revoked_at",
            "expires_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # 128 random bits
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    club_id: Mapped[int | None] = mapped_column(ForeignKey("club.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    # A club card revoked because a course certificate it needs was revoked.
    revoked_cause_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    period: Mapped[int | None]  # club cards only
    # The learner's area, copied for reports (kept by lms.models.activity).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    # The province that issued it: the holder's at issue time, kept when they
    # move, so the issuer printed on paper never changes afterwards.
    issuer_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))

    user: Mapped[User] = relationship()
    issuer_area: Mapped[Area | None] = relationship(foreign_keys=[issuer_area_id])
    course: Mapped[Course | None] = relationship()
    club: Mapped[Club | None] = relationship()
    revoked_cause: Mapped["Certificate | None"] = relationship(remote_side=[id])

    @property
    def kind(self):
        return "club" if self.club_id else "course"

    def status(self, now=None):
        """valid, expired or revoked, at ``now`` (UTC)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or utcnow()):
            return "expired"
        return "valid"


@event.listens_for(Session, "before_flush")
def _stamp_issuer(session, flush_context, instances):
    """A new certificate is issued by the province its holder lives in."""
    with session.no_autoflush:
        for row in session.new:
            if isinstance(row, Certificate) and row.issuer_area_id is None:
                user = session.get(User, row.user_id)
                if user is not None and user.area is not None:
                    row.issuer_area_id = user.area.province_id
