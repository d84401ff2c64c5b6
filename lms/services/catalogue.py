"""Finding courses and lessons by the slugs that name them in URLs and files."""

from sqlalchemy import select

from lms.extensions import db
from lms.models import Course, Lesson


def find_course(slug, *options):
    """The course called ``slug`` (archived or not), else None.

    :param options: loader options, for pages that show the course's parts.
    """
    return db.session.scalar(
        select(Course).where(Course.slug == slug).options(*options)
    )


def find_lesson(course, slug):
    """The lesson of ``course`` called ``slug``, unless archived; else None."""
    lesson = db.session.scalar(
        select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == slug)
    )
    if lesson is None or lesson.archived_at is not None:
        return None
    return lesson
