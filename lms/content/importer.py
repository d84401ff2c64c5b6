"""Write parsed course files into the database, keyed by slugs (idempotent)."""

import hashlib
import shutil
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from lms.clock import utcnow
from lms.content.parse import parse_courses
from lms.content.render import render_markdown
from lms.extensions import db
from lms.models import Course, Lesson, Quiz

MEDIA_FOLDER = "content"


def import_courses(root, upload_dir):
    """Import every course under ``root``; flush, and let the caller commit.

    Courses and lessons are matched by slug, so learners' progress survives; a
    lesson whose file is gone is archived. Images are copied into
    ``upload_dir``/content under names made from their contents.

    :return: a Counter of what happened (created, updated, archived, unchanged).
    :raise ContentError: nothing is written when any file is wrong.
    """
    courses = parse_courses(root)
    counts = Counter()
    for data in courses:
        urls = _copy_images(data.images, Path(upload_dir) / MEDIA_FOLDER)
        course = db.session.scalar(select(Course).where(Course.slug == data.slug))
        if course is None:
            course = Course(slug=data.slug)
            db.session.add(course)
            counts["created"] += 1
        changed = _assign(
            course,
            position=data.position,
            minutes=data.minutes,
            clubs=data.clubs,
            status=data.status,
            title_vi=data.title_vi,
            title_en=data.title_en,
            summary_vi=data.summary_vi,
            summary_en=data.summary_en,
            archived_at=None,
        )
        changed |= _import_lessons(course, data.lessons, _resolver(urls), counts)
        changed |= _import_quiz(course, data.quiz)
        if course.id is not None:
            counts["updated" if changed else "unchanged"] += 1
    db.session.flush()
    return counts


def _import_lessons(course, lessons, url_for_image, counts):
    existing = {lesson.slug: lesson for lesson in course.lessons}
    changed = False
    for data in lessons:
        lesson = existing.pop(data.slug, None)
        if lesson is None:
            lesson = Lesson(slug=data.slug)
            course.lessons.append(lesson)
            changed = True
        changed |= _assign(
            lesson,
            position=data.position,
            minutes=data.minutes,
            title_vi=data.title_vi,
            title_en=data.title_en,
            body_vi=data.body_vi,
            body_en=data.body_en,
            html_vi=render_markdown(data.body_vi, url_for_image),
            html_en=render_markdown(data.body_en, url_for_image)
            if data.body_en
            else None,
            archived_at=None,
        )
    for lesson in existing.values():
        if lesson.archived_at is None:
            lesson.archived_at = utcnow()
            counts["lessons archived"] += 1
            changed = True
    return changed


def _import_quiz(course, data):
    if data is None:
        if course.quiz is not None and course.quiz.archived_at is None:
            course.quiz.archived_at = utcnow()
            return True
        return False
    if course.quiz is None:
        course.quiz = Quiz()
    return _assign(course.quiz, archived_at=None, **data)


def _resolver(urls):
    """Map an image reference in a lesson to the URL it is served at."""
    return lambda ref: urls.get(ref, ref)


def _assign(obj, **values):
    """Set only what differs, so an unchanged import leaves rows untouched."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _copy_images(images, media_dir):
    """Copy each image under a name made from its contents; return ref -> URL."""
    urls = {}
    for ref, path in images.items():
        data = path.read_bytes()
        name = hashlib.sha256(data).hexdigest()[:24] + path.suffix.lower()
        target = media_dir / name
        if not target.exists():
            media_dir.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            shutil.copyfile(path, partial)
            partial.replace(target)  # atomic: a reader never sees half a file
        urls[ref] = f"/media/{MEDIA_FOLDER}/{name}"
    return urls
