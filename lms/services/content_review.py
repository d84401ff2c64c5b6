"""Which lessons need checking again before learners rely on them."""

from sqlalchemy import select

from lms.content.review import due_reason
from lms.extensions import db
from lms.models import Course, Lesson


def lessons_due(today, courses=None):
    """Active lessons due for review on ``today``, as (lesson, reason), in order.

    Due: never reviewed, not reviewed for 12 months, or one of its sources is
    dated after the review and that date has come (a law now in force).

    :param courses: a filter on Course (a trainer's own courses); default all.
    """
    query = (
        select(Lesson)
        .join(Course)
        .where(Lesson.archived_at.is_(None), Course.archived_at.is_(None))
        .order_by(Course.position, Course.slug, Lesson.position)
    )
    lessons = db.session.scalars(query if courses is None else query.where(courses))
    due = []
    for lesson in lessons:
        reason = due_reason(lesson.reviewed_on, lesson.sources, today)
        if reason:
            due.append((lesson, reason))
    return due
