"""Writing courses in the browser: the same tables the course files fill."""

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from lms.clock import utcnow
from lms.collation import unaccent
from lms.content.render import markdown_problem, render_markdown
from lms.content.review import legal_reference_in
from lms.database import lock_person, lock_row
from lms.extensions import db
from lms.models import Assignment, Course, Lesson, Quiz
from lms.permissions import may_edit_courses
from lms.services import DomainError
from lms.services.audit import audit
from lms.services.learning import complete_where_done

MAX_CHOICES = 6
MAX_CRITERIA = 6


class EditConflict(DomainError):
    """Someone saved the lesson after this editor opened it."""

    def __init__(self, lesson):
        super().__init__(
            _l(
                "Someone else saved this lesson while you were editing it. "
                "Their version is shown below; copy what you need into it "
                "and save again."
            )
        )
        self.lesson = lesson


def slugify(text, fallback="item", length=60):
    """Make a URL slug from Vietnamese or English text: "Đóng gói" -> "dong-goi".

    Cut to ``length`` before the hyphens are trimmed, so it never ends in one.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", unaccent(text)).strip("-")[:length].strip("-")
    return slug or fallback


def _unique(slug, taken):
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def _text(value):
    return unicodedata.normalize("NFC", (value or "").strip())


def _optional(value):
    return _text(value) or None


@dataclass
class CourseFields:
    title_vi: str
    summary_vi: str
    title_en: str | None = None
    summary_en: str | None = None
    minutes: int = 30
    clubs: tuple = ()


def create_course(owner, fields):
    """Create a draft course owned by ``owner``; learners do not see it yet.

    The same course sent twice (a double tap, or sent again after the answer was
    lost) is the empty draft the first one made: ``owner`` is held while their
    drafts are looked at, so two at one moment cannot both add one.
    """
    course = Course(owner_id=owner.id, status="draft")
    update_course(course, fields)  # checks the fields before anything is held
    lock_person(owner.id)
    same = db.session.scalar(
        select(Course).where(
            Course.owner_id == owner.id,
            Course.status == "draft",
            Course.title_vi == course.title_vi,
            Course.summary_vi == course.summary_vi,
            ~Course.lessons.any(),
        )
    )
    if same is not None:
        return same
    # Read while held: two new courses of one title get two slugs, not a 500.
    taken = set(db.session.scalars(select(Course.slug)))
    course.slug = _unique(slugify(fields.title_vi, "course"), taken)
    course.position = (db.session.scalar(select(func.max(Course.position))) or 0) + 1
    db.session.add(course)
    db.session.flush()
    return course


def update_course(course, fields):
    if not _text(fields.title_vi):
        raise DomainError(_l("Enter a title in Vietnamese."), field="title_vi")
    if not _text(fields.summary_vi):
        raise DomainError(
            _l("Write a short summary in Vietnamese: the catalogue shows it."),
            field="summary_vi",
        )
    course.title_vi = _text(fields.title_vi)
    course.title_en = _optional(fields.title_en)
    course.summary_vi = _text(fields.summary_vi)
    course.summary_en = _optional(fields.summary_en)
    course.minutes = max(1, int(fields.minutes or 1))
    course.clubs = [club for club in ("koc", "kol") if club in fields.clubs]


def set_status(course, status):
    """Publish or unpublish; a course needs a lesson before learners can see it."""
    if status == "published" and not course.active_lessons:
        raise DomainError(_l("Add at least one lesson before publishing."))
    course.status = status


def add_editor(course, trainer, actor):
    if not may_edit_courses(trainer):
        raise DomainError(_l("Only trainers can edit courses."), field="phone")
    if trainer.id != course.owner_id and trainer not in course.editors:
        course.editors.append(trainer)
        audit(actor, "course.editor_add", trainer.id, {"course": course.slug})


def save_lesson(
    course,
    lesson,
    title_vi,
    body_vi,
    title_en,
    body_en,
    version,
    review=None,
    editor=None,
):
    """Create (``lesson`` None) or update a lesson; refuse to overwrite a newer save.

    :param version: the lesson version the editor started from.
    :param review: ``reviewed_on``, ``sources`` and ``law``, as the importer reads
        them; a lesson that states a law must list its sources.
    :param editor: who saves it, named to the next editor if their save conflicts.
    :raise EditConflict: someone saved in between; nothing is written.
    """
    if not _text(title_vi):
        raise DomainError(_l("Enter a title in Vietnamese."), field="title_vi")
    if not _text(body_vi):
        raise DomainError(_l("Write the lesson in Vietnamese."), field="body_vi")
    _check_law_sources(
        review
        or {
            "sources": (lesson and lesson.sources) or [],
            "law": bool(lesson and lesson.law),
        },
        body_vi,
        body_en,
    )
    if lesson is not None and version != lesson.version:
        raise EditConflict(lesson)
    if bool(_text(title_en)) != bool(_text(body_en)):
        raise DomainError(
            _l("Give the English version both a title and a text, or neither."),
            field="title_en",
        )
    _check_markdown(body_vi=body_vi, body_en=body_en)
    body_vi, body_en = _text(body_vi) + "\n", _optional(body_en)
    body_en = body_en + "\n" if body_en else None
    if lesson is None:
        lesson = _new_lesson(course, _text(title_vi), body_vi, body_en)
    lesson.title_vi, lesson.title_en = _text(title_vi), _optional(title_en)
    # Texts saved unchanged keep their rendering and reading time as imported.
    if lesson.body_vi != body_vi:
        lesson.body_vi = body_vi
        lesson.html_vi = render_markdown(body_vi)
        lesson.minutes = _reading_minutes(body_vi)
    if lesson.body_en != body_en:
        lesson.body_en = body_en
        lesson.html_en = render_markdown(body_en) if body_en else None
    if review is not None:
        lesson.reviewed_on, lesson.law = review["reviewed_on"], review["law"]
        if (lesson.sources or []) != review["sources"]:
            lesson.sources = review["sources"]
    if editor is not None and (lesson.id is None or db.session.is_modified(lesson)):
        lesson.updated_by_id = editor.id  # only a real change is theirs
    try:
        db.session.flush()  # the version column guards the race between check and write
    except StaleDataError:  # someone saved between this request's reading and writing
        raise EditConflict(lesson) from None
    return lesson


def _reading_minutes(body):
    return max(1, round(len(body.split()) / 180))  # 180 words a minute


def _hold(course):
    """Wait for any other request changing ``course``'s lessons or quiz, then
    read them afresh: two saves at one moment each keep what the other wrote."""
    if course.id is None:
        return
    lock_row("course", course.id, "minutes")
    fresh = select(Lesson).where(Lesson.course_id == course.id)
    db.session.scalars(fresh.execution_options(populate_existing=True)).all()
    db.session.expire(course, ["lessons", "quiz"])
    if course.quiz is not None:
        db.session.refresh(course.quiz)


def _new_lesson(course, title_vi, body_vi, body_en):
    """A lesson added at the end of ``course``, or the one just like it there.

    Rendered before the course is held (the hold takes SQLite's write lock, and
    rendering a long lesson takes a while); held, the course's lessons are read
    afresh, so a double tap or a co-editor's lesson at the same moment is seen:
    an active lesson with this title and text already is the same save again.
    """
    html_vi = render_markdown(body_vi)
    html_en = render_markdown(body_en) if body_en else None
    _hold(course)
    for lesson in course.active_lessons:
        if lesson.title_vi == title_vi and lesson.body_vi == body_vi:
            return lesson
    taken = {existing.slug for existing in course.lessons}
    positions = [existing.position for existing in course.lessons] or [0]
    lesson = Lesson(
        slug=_unique(slugify(title_vi, "lesson"), taken),
        position=max(positions) + 1,
        body_vi=body_vi,
        html_vi=html_vi,
        minutes=_reading_minutes(body_vi),
        body_en=body_en,
        html_en=html_en,
    )
    course.lessons.append(lesson)
    return lesson


def _check_law_sources(review, body_vi, body_en):
    """The importer's rule: a lesson that states a law lists what it rests on."""
    if review["sources"]:
        return
    if review["law"]:
        raise DomainError(
            _l("A lesson marked as stating a law needs at least one source."),
            field="sources_text",
        )
    for text in (body_vi, body_en):
        found = legal_reference_in(text)
        if found:
            raise DomainError(
                _l(
                    "“%(reference)s” cites a legal text: add it under Sources "
                    "(title | issuer | date | link).",
                    reference=found[1],
                ),
                field="sources_text",
            )


def move_lesson(lesson, step):
    """Swap a lesson with its neighbour: ``step`` is -1 (up) or +1 (down)."""
    _hold(lesson.course)  # a double tap moves it twice, never into a conflict
    lessons = lesson.course.active_lessons
    index = lessons.index(lesson)
    other = index + step
    if 0 <= other < len(lessons):
        neighbour = lessons[other]
        lesson.position, neighbour.position = neighbour.position, lesson.position


def archive_lesson(lesson):
    """Retire a lesson: learners keep their progress, it stops counting, and
    those for whom it was the last step left have finished the course.

    A published course keeps at least one lesson: learners would find it empty.
    """
    course = lesson.course
    _hold(course)  # another lesson retired at this moment is seen
    if lesson.archived_at is not None:
        return  # retired already: the same tap sent twice
    check_retirable(lesson)
    lesson.archived_at = utcnow()
    complete_where_done(course)


def check_retirable(lesson):
    """Refuse to retire the last lesson of a published course (learners would
    find it empty); asked before the confirmation too, so it comes first."""
    course = lesson.course
    if course.status == "published" and course.active_lessons == [lesson]:
        raise DomainError(
            _l("This is the course's last lesson. Unpublish the course first.")
        )


def ensure_quiz(course):
    """The course's quiz, made if it has none, read afresh and held until the
    end of the transaction: questions saved at one moment are all kept."""
    _hold(course)
    if course.quiz is None:
        course.quiz = Quiz(pass_mark=75, questions=[])
    course.quiz.archived_at = None
    return course.quiz


def set_pass_mark(quiz, pass_mark, draw=None):
    """Set the pass mark and how many questions an attempt asks (None: all)."""
    if not 1 <= pass_mark <= 100:
        raise DomainError(_l("The pass mark is a percentage from 1 to 100."))
    pool = len(quiz.questions or ())
    if draw is not None and pool == 0:
        raise DomainError(
            _l("Add questions before choosing how many an attempt asks."),
            field="draw",
        )
    if draw is not None and not 1 <= draw <= pool:
        raise DomainError(
            _l(
                "An attempt can ask 1 to %(pool)d questions: the quiz has %(pool)d.",
                pool=pool,
            ),
            field="draw",
        )
    quiz.pass_mark = pass_mark
    quiz.draw = draw


def save_question(
    quiz, question_id, text_vi, text_en, choices, explanation_vi, explanation_en
):
    """Add (``question_id`` None) or replace a question.

    :param choices: [(text_vi, text_en, correct)], blank rows ignored.
    """
    rows = [(_text(vi), _optional(en), bool(ok)) for vi, en, ok in choices if _text(vi)]
    if not _text(text_vi):
        raise DomainError(_l("Write the question in Vietnamese."), field="text_vi")
    if not 2 <= len(rows) <= MAX_CHOICES:
        raise DomainError(_l("Give 2 to 6 choices."), field="choices")
    if not any(correct for _, _, correct in rows):
        raise DomainError(_l("Tick at least one right answer."), field="choices")
    if not _text(explanation_vi):
        raise DomainError(_l("Explain the right answer."), field="explanation_vi")
    questions = list(quiz.questions)
    ids = [q["id"] for q in questions]
    new_id = question_id or _unique(slugify(text_vi, "question", 40), set(ids))
    question = {
        "id": new_id,
        "vi": _text(text_vi),
        "en": _optional(text_en),
        "choices": [
            {"id": "abcdef"[i], "vi": vi, "en": en, "correct": ok}
            for i, (vi, en, ok) in enumerate(rows)
        ],
        "explanation_vi": _text(explanation_vi),
        "explanation_en": _optional(explanation_en),
    }
    if question_id in ids:
        questions[ids.index(question_id)] = question
    else:
        questions.append(question)
    quiz.questions = questions  # a new list, so the JSON column is saved
    return question


def delete_question(quiz, question_id):
    """Delete a question; with the last one the quiz stops counting (see
    complete_where_done)."""
    _hold(quiz.course)
    quiz.questions = [q for q in quiz.questions if q["id"] != question_id]
    if quiz.draw is not None and quiz.draw > len(quiz.questions):
        quiz.draw = len(quiz.questions) or None  # never more than there are
    if not quiz.questions:
        complete_where_done(quiz.course)


def save_assignment(
    course, instructions_vi, instructions_en, criteria, accepts_link, max_photos
):
    """Set the course's practical work.

    :param criteria: [(text_vi, text_en)], blank rows ignored.
    """
    rows = [(_text(vi), _optional(en)) for vi, en in criteria if _text(vi)]
    if not _text(instructions_vi):
        raise DomainError(
            _l("Write the instructions in Vietnamese."), field="instructions_vi"
        )
    _check_markdown(instructions_vi=instructions_vi, instructions_en=instructions_en)
    if not 1 <= len(rows) <= MAX_CRITERIA:
        raise DomainError(_l("Give 1 to 6 rubric criteria."), field="criteria")
    if not 0 <= max_photos <= 3:
        raise DomainError(_l("Ask for 0 to 3 photos."), field="max_photos")
    if not accepts_link and max_photos == 0:
        raise DomainError(_l("Ask for a link, photos, or both."), field="max_photos")
    assignment = course.assignment or Assignment(course=course)
    # A criterion keeps its id when its text is edited, so past reviews still match.
    old_ids = [criterion["id"] for criterion in assignment.rubric or []]
    taken, rubric = set(), []
    for index, (vi, en) in enumerate(rows):
        criterion_id = old_ids[index] if index < len(old_ids) else None
        if criterion_id is None or criterion_id in taken:
            criterion_id = _unique(slugify(vi, "criterion", 40), taken | set(old_ids))
        taken.add(criterion_id)
        rubric.append({"id": criterion_id, "vi": vi, "en": en})
    assignment.instructions_vi = _text(instructions_vi)
    assignment.instructions_en = _optional(instructions_en)
    assignment.rubric = rubric
    assignment.accepts_link = accepts_link
    assignment.max_photos = max_photos
    assignment.archived_at = None
    db.session.add(assignment)
    return assignment


def _check_markdown(**texts):
    """Refuse Markdown too big or too deeply nested to render fast (see render)."""
    for field, text in texts.items():
        if text and (problem := markdown_problem(text)) is not None:
            raise DomainError(problem, field=field)
