"""The domain's tables, one module per aggregate."""

from lms.models import totals_flush  # noqa: F401  (keeps the totals at each flush)
from lms.models.activity import LearnerDay
from lms.models.area import Area
from lms.models.audit import AuditEvent
from lms.models.certificate import Certificate, Club
from lms.models.classroom import ClassMember, Classroom
from lms.models.course import Assignment, Course, Lesson, Quiz
from lms.models.job import Job
from lms.models.practical import Submission
from lms.models.progress import Enrollment, LessonProgress, QuizAttempt
from lms.models.sync import SyncEvent
from lms.models.totals import ReportMonth, ReportTotal
from lms.models.user import ROLES, AccessCode, ApiToken, Role, User

__all__ = [
    "ROLES",
    "Role",
    "AccessCode",
    "ApiToken",
    "Area",
    "Assignment",
    "Certificate",
    "Club",
    "ClassMember",
    "Classroom",
    "AuditEvent",
    "Course",
    "Enrollment",
    "Job",
    "LearnerDay",
    "Lesson",
    "LessonProgress",
    "Quiz",
    "QuizAttempt",
    "ReportMonth",
    "ReportTotal",
    "Submission",
    "SyncEvent",
    "User",
]
