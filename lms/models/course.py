from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lms.clock import utcnow
from lms.extensions import db

# Trainers who may edit a course besides its owner.
course_editor = Table(
    "course_editor",
    db.metadata,
    Column("course_id", ForeignKey("course.id"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True),
)


class Course(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=0)
    clubs: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="published")
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    summary_vi: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Moved by every flush that changes the course, its lessons, quiz or practical
    # work (below): the copies processes keep of a course are checked against it.
    content_version: Mapped[int] = mapped_column(default=1, server_default="1")

    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="course", order_by="Lesson.position"
    )
    quiz: Mapped["Quiz | None"] = relationship(back_populates="course")
    assignment: Mapped["Assignment | None"] = relationship(back_populates="course")
    editors: Mapped[list["User"]] = relationship(secondary=course_editor)  # noqa: F821

    @property
    def is_published(self):
        return self.status == "published" and self.archived_at is None

    @property
    def live_quiz(self):
        """The quiz learners take: not archived and with questions, else None."""
        quiz = self.quiz
        if quiz is None or quiz.archived_at is not None or not quiz.questions:
            return None
        return quiz

    @property
    def open_assignment(self):
        """The practical work learners hand in: not archived, else None."""
        assignment = self.assignment
        if assignment is None or assignment.archived_at is not None:
            return None
        return assignment

    @property
    def active_lessons(self):
        return [lesson for lesson in self.lessons if lesson.archived_at is None]

    def __repr__(self):
        return f"<Course {self.slug}>"


class Lesson(db.Model):
    """A lesson; learners' progress points at it, so it is archived, never deleted."""

    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=5)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    body_vi: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str | None] = mapped_column(Text)
    # Sanitised HTML, rendered when the text is written, not on every page view.
    html_vi: Mapped[str] = mapped_column(Text, default="")
    html_en: Mapped[str | None] = mapped_column(Text)
    # When the content was last checked against the world, and what it rests on:
    # [{title, issuer, date (YYYY-MM-DD), url}]; ``law`` when it states a law.
    reviewed_on: Mapped[date | None]
    sources: Mapped[list | None] = mapped_column(JSON, default=list)
    law: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The trainer's voice, by language: {"vi": {"name", "seconds", "bytes"}, "en": ...};
    # stored on the lesson so the lesson page needs no extra query.
    audio: Mapped[dict | None] = mapped_column(JSON)
    archived_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Who saved it last in the editor (None: course files), for an edit conflict.
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Bumped on every save: an editor saving over a newer version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    course: Mapped[Course] = relationship(back_populates="lessons")
    updated_by: Mapped["User | None"] = relationship()  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self):
        return f"<Lesson {self.slug}>"


class Quiz(db.Model):
    """A course's quiz; ``questions`` is the parsed quiz.yaml (ids, texts, choices)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), unique=True)
    pass_mark: Mapped[int] = mapped_column(default=75)
    questions: Mapped[list] = mapped_column(JSON, default=list)
    # Questions asked per attempt, drawn from the pool; None asks them all.
    draw: Mapped[int | None]
    archived_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="quiz")

    @property
    def questions_per_attempt(self):
        count = len(self.questions or ())
        return min(self.draw, count) if self.draw else count


class Assignment(db.Model):
    """A course's practical work: instructions, a rubric, and what is handed in."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), unique=True)
    instructions_vi: Mapped[str] = mapped_column(Text)
    instructions_en: Mapped[str | None] = mapped_column(Text)
    rubric: Mapped[list] = mapped_column(JSON, default=list)  # [{id, vi, en}]
    accepts_link: Mapped[bool] = mapped_column(default=True)
    max_photos: Mapped[int] = mapped_column(default=3)  # 0 to 3
    archived_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="assignment")


PARTS = (Lesson, Quiz, Assignment)


@event.listens_for(Session, "after_flush")
def _move_content_version(session, flush_context):
    """Move ``content_version`` of every course this flush changed, directly or
    through a lesson, its quiz or its practical work, in the same transaction.

    Readers in other processes keep a copy of a published course
    (lms.services.course_views) and load it again when the number moved. Writes
    that bypass the flush do not move it: change these tables through their
    objects, never with ``update(Lesson)`` and the like; after a migration or a
    restored backup that changes them, restart the application.
    """
    changed = set()
    for row in session.dirty:
        if isinstance(row, (Course, *PARTS)) and session.is_modified(row):
            changed.add(row.id if isinstance(row, Course) else row.course_id)
    for row in (*session.new, *session.deleted):
        if isinstance(row, PARTS):
            changed.add(row.course_id)
    changed.discard(None)
    if changed:
        session.connection().execute(
            update(Course.__table__)
            .where(Course.__table__.c.id.in_(sorted(changed)))
            .values(content_version=Course.__table__.c.content_version + 1)
        )
