"""Published courses as read-only copies kept in each process, checked on each use.

The lesson page, the course page and a lesson sent by sync read the course with
its lessons, quiz and practical work. Loading those through the ORM, JSON columns
and all, was a quarter of the lesson page's time, for data that changes only when
an author edits it. So each process keeps a copy of every published course it
serves, as plain frozen objects with the models' attribute names, and each use
reads the course's ``content_version`` (one small query): every flush that
changes the course or a part of it moves that number (lms.models.course), and a
copy made at an older number is made again.

Drafts and archived courses are not kept: staff read them through the ORM. The
copies serve reading and lesson completion; a quiz attempt needs the ORM quiz.
"""

import functools
from types import MappingProxyType

from flask import current_app
from sqlalchemy import and_, bindparam, inspect, join, select

from lms.extensions import db
from lms.models import Course, Enrollment, Lesson, LessonProgress, Quiz
from lms.services.catalogue import find_course_with_parts

# The lesson's Markdown sources: only authors see them (never loaded here).
AUTHORS_ONLY = {"body_vi", "body_en"}


def published_course(slug):
    """The published course called ``slug`` as a read-only copy, else None
    (no such course, a draft or archived)."""
    return _copy(slug, db.session.execute(_head(), {"slug": slug}).first())


def published_course_for(learner, slug):
    """The copy of the published course called ``slug``, whether ``learner`` is
    enrolled in it and the ids of its lessons they have done, in one query:
    (copy, enrolled, done); (None, False, set()) if it is not published."""
    rows = db.session.execute(_head_for(), {"slug": slug, "user_id": learner.id})
    rows = rows.all()
    copy = _copy(slug, rows[0] if rows else None)
    if copy is None:
        return None, False, set()
    done = {row.lesson_id for row in rows if row.lesson_id is not None}
    return copy, rows[0].enrolment is not None, done


def _copy(slug, head):
    if head is None or head.status != "published" or head.archived_at is not None:
        return None
    copies = current_app.extensions.setdefault("course_views", {})
    copy = copies.get(head.id)
    if copy is None or copy.content_version != head.content_version:
        course = find_course_with_parts(slug)
        if course is None or not course.is_published:  # changed in between
            return None
        # The version read with the course's row: never newer than what the
        # copy holds, so a change made in between is picked up next time.
        copy = copies[head.id] = CourseView.of(course)
    return copy


@functools.cache
def _head():
    return select(
        Course.id, Course.content_version, Course.status, Course.archived_at
    ).where(Course.slug == bindparam("slug"))


@functools.cache
def _head_for():
    # A row per lesson done (one with no lesson if none), each with the course's
    # row and the learner's enrolment.
    user_id = bindparam("user_id")
    done = join(LessonProgress, Lesson, Lesson.id == LessonProgress.lesson_id)
    return (
        _head()
        .add_columns(Enrollment.id.label("enrolment"), LessonProgress.lesson_id)
        .outerjoin(
            Enrollment,
            and_(Enrollment.course_id == Course.id, Enrollment.user_id == user_id),
        )
        .outerjoin(
            done, and_(Lesson.course_id == Course.id, LessonProgress.user_id == user_id)
        )
    )


class View:
    """Column values copied from a model instance; JSON values frozen too."""

    def __init__(self, row, skip=frozenset()):
        fields = {
            attribute.key: frozen(getattr(row, attribute.key))
            for attribute in inspect(type(row)).column_attrs
            if attribute.key not in skip
        }
        object.__setattr__(self, "__dict__", fields)

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __repr__(self):
        return f"<{type(self).__name__} {getattr(self, 'slug', self.id)}>"


class QuizView(View):
    questions_per_attempt = Quiz.questions_per_attempt


class AssignmentView(View):
    pass


class LessonView(View):
    pass


class CourseView(View):
    """A course with its lessons (in order), quiz and practical work; what it
    says of them is what the model says (the same properties)."""

    is_published = Course.is_published
    live_quiz = Course.live_quiz
    open_assignment = Course.open_assignment
    active_lessons = Course.active_lessons

    @classmethod
    def of(cls, course):
        view = cls(course)
        lessons = tuple(LessonView(each, AUTHORS_ONLY) for each in course.lessons)
        for lesson in lessons:
            object.__setattr__(lesson, "course", view)
        parts = {
            "lessons": lessons,
            "quiz": course.quiz and QuizView(course.quiz),
            "assignment": course.assignment and AssignmentView(course.assignment),
        }
        for name, value in parts.items():
            object.__setattr__(view, name, value)
        return view


def frozen(value):
    """``value`` with its lists as tuples and its dicts as read-only mappings:
    one copy serves every request of the process, none may change it."""
    if isinstance(value, dict):
        return MappingProxyType({key: frozen(each) for key, each in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(each) for each in value)
    return value
