"""The domain's tables, one module per aggregate."""

from lms.models.area import Area
from lms.models.audit import AuditEvent
from lms.models.course import Course, Lesson, Quiz
from lms.models.progress import Enrollment, LessonProgress, QuizAttempt
from lms.models.user import ROLES, User

__all__ = [
    "ROLES",
    "Area",
    "AuditEvent",
    "Course",
    "Enrollment",
    "Lesson",
    "LessonProgress",
    "Quiz",
    "QuizAttempt",
    "User",
]
