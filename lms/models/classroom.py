from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow
from lms.extensions import db
from lms.models.area import Area
from lms.models.course import Course
from lms.models.user import User

classroom_course = Table(
    "classroom_course",
    db.metadata,
    Column("classroom_id", ForeignKey("classroom.id"), primary_key=True),
    Column("course_id", ForeignKey("course.id"), primary_key=True),
)


class Classroom(db.Model):
    """A trainer's group for a training day; farmers join with a short code."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[Area | None] = relationship()
    trainer: Mapped[User] = relationship()
    courses: Mapped[list[Course]] = relationship(
        secondary=classroom_course, order_by=Course.position
    )
    members: Mapped[list["ClassMember"]] = relationship(back_populates="classroom")


class ClassMember(db.Model):
    __table_args__ = (UniqueConstraint("classroom_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
