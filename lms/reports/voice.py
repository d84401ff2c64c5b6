"""Do lessons with the trainer's voice get completed more? Same course, same period.

For each course, the completions in the period per lesson, for its lessons with a
Vietnamese recording and for those without. A lesson counts by whether it has a
recording now (one recorded during the period counts as voiced for all of it).
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import LessonProgress
from lms.reports.figures import in_scope
from lms.reports.tables import _report_courses


@dataclass
class VoiceRow:
    course: object
    voiced: int = 0  # lessons with a recording
    voiced_done: int = 0  # their completions in the period
    silent: int = 0
    silent_done: int = 0

    @property
    def voiced_rate(self):
        return self.voiced_done / self.voiced if self.voiced else None

    @property
    def silent_rate(self):
        return self.silent_done / self.silent if self.silent else None


def voice_comparison(scope):
    """A row per course that has at least one lesson with a recording."""
    courses = [
        course
        for course in _report_courses(scope)
        if any((lesson.audio or {}).get("vi") for lesson in course.active_lessons)
    ]
    if not courses:
        return []
    lesson_ids = [lesson.id for c in courses for lesson in c.active_lessons]
    done = dict(
        db.session.execute(
            select(LessonProgress.lesson_id, func.count())
            .where(
                LessonProgress.lesson_id.in_(lesson_ids),
                LessonProgress.completed_at >= scope.period.start,
                LessonProgress.completed_at < scope.period.end,
                *in_scope(LessonProgress, scope),
            )
            .group_by(LessonProgress.lesson_id)
        ).all()
    )
    rows = []
    for course in courses:
        row = VoiceRow(course)
        for lesson in course.active_lessons:
            if (lesson.audio or {}).get("vi"):
                row.voiced += 1
                row.voiced_done += done.get(lesson.id, 0)
            else:
                row.silent += 1
                row.silent_done += done.get(lesson.id, 0)
        rows.append(row)
    return rows
