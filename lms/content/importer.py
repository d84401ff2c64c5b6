"""Write parsed course files into the database, keyed by slugs (idempotent)."""

import hashlib
import shutil
from collections import Counter
from pathlib import Path

from lms.clock import utcnow
from lms.content.parse import IMAGE_REF, parse_courses
from lms.content.render import render_markdown
from lms.content.voice import import_recordings
from lms.extensions import db
from lms.models import Assignment, Course, Lesson, Quiz
from lms.services.catalogue import find_course
from lms.services.learning import complete_where_done

MEDIA_FOLDER = "content"


def import_courses(root, upload_dir, warnings=None):
    """Import every course under ``root``; flush, and let the caller commit.

    Courses and lessons are matched by slug, so learners' progress survives; a
    lesson, quiz or assignment whose file is gone is archived. Images are copied
    into ``upload_dir``/content under names made from their contents, and the
    stored Markdown points at those URLs, as text written in the editor does.

    :param warnings: a list that gets what is worth fixing but imported anyway
        (right answers clustered in one place), as Problems.
    :return: a Counter of what happened (created, updated, archived, unchanged).
    :raise ContentError: nothing is written when any file is wrong.
    """
    courses = parse_courses(root)
    counts = Counter()
    for data in courses:
        if warnings is not None:
            warnings.extend(data.warnings)
        urls = _copy_images(data.images, Path(upload_dir) / MEDIA_FOLDER)
        course = find_course(data.slug)
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
        changed |= _import_lessons(course, data.lessons, urls, counts, upload_dir)
        changed |= _import_part(course, "quiz", Quiz, data.quiz)
        changed |= _import_part(course, "assignment", Assignment, data.assignment)
        if course.id is not None:
            counts["updated" if changed else "unchanged"] += 1
            if changed:  # a step retired may have been some learners' last
                complete_where_done(course)
    db.session.flush()
    return counts


def _import_lessons(course, lessons, urls, counts, upload_dir):
    existing = {lesson.slug: lesson for lesson in course.lessons}
    url_for_image = _resolver(urls)
    changed = False
    for data in lessons:
        lesson = existing.pop(data.slug, None)
        if lesson is None:
            lesson = Lesson(slug=data.slug)
            course.lessons.append(lesson)
            changed = True
        body_vi = rewrite_image_refs(data.body_vi, urls)
        body_en = rewrite_image_refs(data.body_en, urls) if data.body_en else None
        edited = _assign(
            lesson,
            position=data.position,
            minutes=data.minutes,
            title_vi=data.title_vi,
            title_en=data.title_en,
            body_vi=body_vi,
            body_en=body_en,
            html_vi=render_markdown(body_vi, url_for_image),
            html_en=render_markdown(body_en, url_for_image) if body_en else None,
            reviewed_on=data.reviewed,
            sources=data.sources,
            law=data.law,
            archived_at=None,
        )
        if edited:  # the files saved it last: an edit conflict names no trainer
            lesson.updated_by_id = None
        changed |= edited
        changed |= import_recordings(lesson, data, upload_dir)
    for lesson in existing.values():
        if lesson.archived_at is None:
            lesson.archived_at = utcnow()
            counts["lessons archived"] += 1
            changed = True
    return changed


def _import_part(course, name, model, data):
    """Create, update, archive or restore the course's quiz or assignment."""
    part = getattr(course, name)
    if data is None:
        if part is not None and part.archived_at is None:
            part.archived_at = utcnow()
            return True
        return False
    if part is None:
        part = model()
        setattr(course, name, part)
    return _assign(part, archived_at=None, **data)


def rewrite_image_refs(text, new_refs):
    """Replace each image reference in Markdown ``text`` that ``new_refs`` maps.

    Only the reference changes: alt text, title and the rest stay as written.
    """

    def replace(match):
        ref = match.group(2)
        if ref not in new_refs:
            return match.group(0)
        start, end = match.start(2) - match.start(), match.end(2) - match.start()
        return match.group(0)[:start] + new_refs[ref] + match.group(0)[end:]

    return IMAGE_REF.sub(replace, text)


def image_urls(images):
    """Map each image reference to the URL its file is served at once copied."""
    return {
        ref: f"/media/{MEDIA_FOLDER}/{_stored_name(path)}"
        for ref, path in images.items()
    }


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
    for path in images.values():
        target = media_dir / _stored_name(path)
        if not target.exists():
            media_dir.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            shutil.copyfile(path, partial)
            partial.replace(target)  # atomic: a reader never sees half a file
    return image_urls(images)


def _stored_name(path):
    """Name an image by its contents, so the same picture is stored once."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:24] + path.suffix.lower()
