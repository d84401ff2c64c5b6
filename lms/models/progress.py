from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import utcnow
from lms.extensions import db
from lms.models.course import Course, Lesson, Quiz


class Enrollment(db.Model):
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_enrollment_area_created", "area_id", "created_at", "course_id"),
        Index("ix_enrollment_area_completed", "area_id", "completed_at", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    # The learner's area, copied for reports (kept by lms.models.activity).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))

    course: Mapped[Course] = relationship()


class LessonProgress(db.Model):
    """One row per learner and lesson: the lesson was completed at ``completed_at``."""

    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id"),
        Index("ix_lesson_progress_area", "area_id", "completed_at", "lesson_id"),
        # Counts by lesson read each lesson's rows for the areas from the index.
        Index("ix_lesson_progress_lesson_area", "lesson_id", "area_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The learner's area, copied for reports (kept by lms.models.activity).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))

    lesson: Mapped[Lesson] = relationship()


class QuizAttempt(db.Model):
    """A submitted quiz: the answers, and the grading as it stood when submitted."""

    __table_args__ = (
        Index("ix_quiz_attempt_user_quiz", "user_id", "quiz_id"),
        Index("ix_quiz_attempt_area", "area_id", "created_at", "quiz_id", "passed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSON)  # question id -> [choice ids]
    results: Mapped[dict] = mapped_column(JSON)  # question id -> answered right
    # The questions asked and the order their choices were shown in:
    # [{"id": question id, "choices": [choice ids]}]; None before papers existed.
    paper: Mapped[list | None] = mapped_column(JSON)
    score: Mapped[int]  # percent
    passed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The learner's area, copied for reports (kept by lms.models.activity).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))

    quiz: Mapped[Quiz] = relationship()
