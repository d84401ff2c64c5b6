"""Finding courses and lessons by the slugs that name them in URLs and files."""

import functools

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from lms.extensions import db
from lms.models import Course, Lesson


def find_course(slug, *options):
    """The course called ``slug`` (archived or not), else None.

    :param options: loader options, for pages that show the course's parts.
    """
    return db.session.scalar(
        select(Course).where(Course.slug == slug).options(*options)
    )


def find_course_with_parts(slug):
    """The course called ``slug`` with its quiz and practical work (one query)
    and its lessons (one more), without their Markdown sources, which only
    authors see; else None."""
    return db.session.scalar(_with_parts(), {"slug": slug})


@functools.cache
def _with_parts():
    # Built once per process: building it took about as long as running it.
    return (
        select(Course)
        .where(Course.slug == bindparam("slug"))
        .options(
            joinedload(Course.quiz),
            joinedload(Course.assignment),
            selectinload(Course.lessons).defer(Lesson.body_vi, Lesson.body_en),
        )
    )


def find_lesson(course, slug, retired_too=False):
    """The lesson of ``course`` called ``slug``, unless archived (with
    ``retired_too``, archived or not); else None."""
    lesson = db.session.scalar(
        select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == slug)
    )
    if lesson is None or (lesson.archived_at is not None and not retired_too):
        return None
    return lesson
