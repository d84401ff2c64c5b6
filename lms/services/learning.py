"""A learner's path: enrol, complete lessons, take the quiz, see progress."""

import functools
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, literal, select, union_all

from lms.clock import utcnow
from lms.database import insert_once
from lms.extensions import db
from lms.models import (
    Assignment,
    Enrollment,
    Lesson,
    LessonProgress,
    Quiz,
    QuizAttempt,
    Submission,
    User,
)
from lms.models.totals_flush import LESSON_COURSES
from lms.services import DomainError
from lms.services.certificates import issue_certificates
from lms.services.papers import check_paper, unanswered, whole_quiz


@dataclass
class Progress:
    """Where a learner stands in one course."""

    lessons_done: int
    lessons_total: int
    quiz_passed: bool
    has_quiz: bool
    enrolled: bool
    completed_at: object = None
    has_practical: bool = False
    practical_approved: bool = False

    @property
    def steps_total(self):
        return self.lessons_total + self.has_quiz + self.has_practical

    @property
    def steps_done(self):
        return (
            self.lessons_done
            + (self.has_quiz and self.quiz_passed)
            + (self.has_practical and self.practical_approved)
        )

    @property
    def percent(self):
        if not self.steps_total:
            return 0
        return round(100 * self.steps_done / self.steps_total)

    @property
    def complete(self):
        return self.steps_total > 0 and self.steps_done == self.steps_total

    @property
    def finished(self):
        """Completed, now or before: completion is never undone, so a lesson
        added after it does not take the course (or its certificate) back."""
        return self.completed_at is not None or self.complete

    @property
    def new_steps(self):
        """Steps added since the course was finished (0 if it is not)."""
        return self.steps_total - self.steps_done if self.finished else 0


def _insert_once(row, model, **keys):
    """Insert ``row`` unless one with ``keys`` exists; safe against double submits.

    The unique constraint decides, not a check-then-insert, so two requests at
    once still leave exactly one row.
    """
    existing = db.session.scalar(select(model).filter_by(**keys))
    if existing is not None:
        return existing, False
    if not insert_once(row):
        return db.session.scalar(select(model).filter_by(**keys)), False
    return row, True


def enroll(learner, course):
    """Enrol ``learner`` in ``course``; enrolling twice is harmless."""
    enrollment, _ = _insert_once(
        Enrollment(user_id=learner.id, course_id=course.id),
        Enrollment,
        user_id=learner.id,
        course_id=course.id,
    )
    return enrollment


def complete_lesson(learner, lesson, completed_at=None, enrolled=False, done=None):
    """Record that ``learner`` finished ``lesson``; the first completion time stays.

    :param completed_at: when it happened, if earlier than now (made offline).
    :param enrolled: the caller has just checked that the learner is enrolled.
    :param done: the ids of the lessons the learner has done, when the caller has
        just read them: one of them is not written again, another is written
        without looking for it first or a savepoint around it. If a request
        wrote it at the same moment, the flush raises IntegrityError: the caller
        rolls back to its own savepoint and settles it (lms.services.sync).
    """
    if lesson.archived_at is not None:
        raise DomainError(_l("This lesson has been retired."))
    if not enrolled:
        enroll(learner, lesson.course)
    # The report totals need the lesson's course: no query for it at the flush.
    db.session.info.setdefault(LESSON_COURSES, {})[lesson.id] = lesson.course_id
    row = LessonProgress(
        user_id=learner.id,
        lesson_id=lesson.id,
        completed_at=completed_at or utcnow(),
    )
    if done is None:
        _insert_once(row, LessonProgress, user_id=learner.id, lesson_id=lesson.id)
    elif lesson.id not in done:
        db.session.add(row)
    update_completion(learner, lesson.course)


def grade(quiz, answers, paper=None):
    """Return {question id: answered right}; right means exactly the correct choices.

    Only the questions on ``paper`` count (every question when there is none).
    """
    asked = {qid for qid, _ in (paper or whole_quiz(quiz)).questions}
    results = {}
    for question in quiz.questions:
        if question["id"] not in asked:
            continue
        correct = {c["id"] for c in question["choices"] if c["correct"]}
        results[question["id"]] = set(answers.get(question["id"], ())) == correct
    return results


def submit_quiz(learner, quiz, answers, submitted_at=None, paper=None):
    """Grade and keep an attempt; every question on the paper must be answered.

    :param answers: question id -> list of chosen choice ids.
    :param paper: what the learner was asked (see lms.services.papers); None
        means the whole quiz in the order written.
    :raise DomainError: a question is unanswered, an answer is not a choice, or
        the quiz changed since the paper was drawn.
    """
    if quiz.course.live_quiz is not quiz or not quiz.course.is_published:
        raise DomainError(_l("This quiz is not open."))
    paper = paper or whole_quiz(quiz)
    check_paper(paper, quiz)
    cleaned = {}
    for number, (qid, choice_ids) in enumerate(paper.questions, 1):
        chosen = list(dict.fromkeys(answers.get(qid) or ()))
        if not chosen:
            raise unanswered(number, qid)
        if not set(chosen) <= set(choice_ids):
            raise DomainError(_l("That answer is not one of the choices."), field=qid)
        cleaned[qid] = sorted(chosen)
    enroll(learner, quiz.course)
    results = grade(quiz, cleaned, paper)
    score = round(100 * sum(results.values()) / len(results))
    attempt = QuizAttempt(
        user_id=learner.id,
        quiz=quiz,
        answers=cleaned,
        results=results,
        score=score,
        passed=score >= quiz.pass_mark,
        created_at=submitted_at or utcnow(),
        paper=paper.as_json(),
    )
    db.session.add(attempt)
    db.session.flush()
    update_completion(learner, quiz.course)
    return attempt


def progress_by_course(learner, courses, lessons_done=None):
    """Return {course id: Progress} for ``learner``, in one query.

    :param lessons_done: a set to fill with the ids of the lessons done, in the
        same query (what the course page and "continue" need beside it).
    """
    ids = [course.id for course in courses]
    if learner is None or not learner.is_authenticated or not ids:
        return {course.id: _empty_progress(course) for course in courses}
    done, passed, approved, enrollments = {}, set(), set(), {}
    one = len(ids) == 1  # a course's own pages: "= ?", no list to expand
    statement = _standing(lessons_done is not None, one)
    params = {"user_id": learner.id, "course": ids[0] if one else ids}
    for kind, course_id, number, completed_at in db.session.execute(statement, params):
        if kind == "enrolled":
            enrollments[course_id] = completed_at
        elif kind == "lessons":
            done[course_id] = number
        elif kind == "quiz":
            passed.add(course_id)
        elif kind == "done":
            lessons_done.add(number)
        else:
            approved.add(course_id)
    result = {}
    for course in courses:
        progress = _empty_progress(course)
        progress.lessons_done = done.get(course.id, 0)
        progress.quiz_passed = course.id in passed
        progress.practical_approved = course.id in approved
        progress.enrolled = course.id in enrollments
        if progress.enrolled:
            progress.completed_at = enrollments[course.id]
        result[course.id] = progress
    return result


@functools.cache
def _standing(with_lessons_done=False, one_course=False):
    """One query for what progress_by_course needs, a row per (kind, course):
    the enrolment, lessons done, the quiz passed, the practical work approved;
    and, asked for, a row per lesson done. Built once per process (building it
    took as long as running it). Its parameter ``course`` is a list of course
    ids, or with ``one_course`` a single id: an expanding ``IN`` is rewritten
    into the SQL on every run, about a quarter of this query's cost.
    """
    user_id = bindparam("user_id")
    if one_course:
        course_id = bindparam("course")

        def of_courses(column):
            return column == course_id
    else:
        course_ids = bindparam("course", expanding=True)

        def of_courses(column):
            return column.in_(course_ids)

    nothing = literal(None, type_=Enrollment.completed_at.type)
    parts = [
        select(
            literal("enrolled"),
            Enrollment.course_id,
            literal(0),
            Enrollment.completed_at,
        ).where(Enrollment.user_id == user_id, of_courses(Enrollment.course_id)),
        select(literal("lessons"), Lesson.course_id, func.count(), nothing)
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .where(
            LessonProgress.user_id == user_id,
            of_courses(Lesson.course_id),
            Lesson.archived_at.is_(None),
        )
        .group_by(Lesson.course_id),
        select(literal("quiz"), Quiz.course_id, literal(0), nothing)
        .join(QuizAttempt, QuizAttempt.quiz_id == Quiz.id)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.passed.is_(True),
            of_courses(Quiz.course_id),
        )
        .distinct(),
        select(literal("practical"), Assignment.course_id, literal(0), nothing)
        .join(Submission, Submission.assignment_id == Assignment.id)
        .where(
            Submission.user_id == user_id,
            Submission.status == "approved",
            of_courses(Assignment.course_id),
        )
        .distinct(),
    ]
    if with_lessons_done:
        parts.append(
            select(literal("done"), Lesson.course_id, LessonProgress.lesson_id, nothing)
            .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
            .where(LessonProgress.user_id == user_id, of_courses(Lesson.course_id))
        )
    return union_all(*parts)


def course_progress(learner, course):
    return progress_by_course(learner, [course])[course.id]


def standing(learner, course):
    """Where ``learner`` stands in ``course`` and the ids of the lessons they have
    done: (Progress, set), in one query."""
    done = set()
    return progress_by_course(learner, [course], done)[course.id], done


def next_step(course, done_ids, progress):
    """Where "continue" leads: the first lesson not done, the quiz, the practical
    work, else None."""
    for lesson in course.active_lessons:
        if lesson.id not in done_ids:
            return lesson
    if course.live_quiz and not progress.quiz_passed:
        return course.quiz
    if course.open_assignment and not progress.practical_approved:
        return course.assignment
    return None


def attempts(learner, quiz):
    return db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == learner.id, QuizAttempt.quiz_id == quiz.id)
        .order_by(QuizAttempt.created_at.desc(), QuizAttempt.id.desc())
    ).all()


def _empty_progress(course):
    return Progress(
        lessons_done=0,
        lessons_total=len(course.active_lessons),
        quiz_passed=False,
        has_quiz=course.live_quiz is not None,
        enrolled=False,
        has_practical=course.open_assignment is not None,
    )


def complete_where_done(course):
    """Mark complete every enrolment in ``course`` whose steps are now all done.

    For when a step stops counting (a lesson retired, the quiz or the practical
    work gone): learners who had done every other step have finished, and get
    their certificates now, not at a next step they no longer have. Returns how
    many enrolments were completed.
    """
    db.session.flush()
    lesson_ids = [lesson.id for lesson in course.active_lessons]
    quiz, assignment = course.live_quiz, course.open_assignment
    if not lesson_ids and quiz is None and assignment is None:
        return 0  # a course with no steps is never complete
    learner = Enrollment.user_id
    lessons_done = (
        select(func.count())
        .where(
            LessonProgress.user_id == learner, LessonProgress.lesson_id.in_(lesson_ids)
        )
        .scalar_subquery()
    )
    finished = select(learner).where(
        Enrollment.course_id == course.id,
        Enrollment.completed_at.is_(None),
        lessons_done == len(lesson_ids),
    )

    def has(model, *conditions):  # a row of the learner's, such as a passed attempt
        return select(model.id).where(model.user_id == learner, *conditions).exists()

    if quiz is not None:
        passed = QuizAttempt.passed.is_(True)
        finished = finished.where(
            has(QuizAttempt, QuizAttempt.quiz_id == quiz.id, passed)
        )
    if assignment is not None:
        approved = Submission.status == "approved"
        mine = Submission.assignment_id == assignment.id
        finished = finished.where(has(Submission, mine, approved))
    user_ids = db.session.scalars(finished.order_by(learner)).all()
    for user_id in user_ids:
        update_completion(db.session.get(User, user_id), course)
    return len(user_ids)


def update_completion(learner, course):
    """Mark the enrolment complete once every step is done; never undo it."""
    db.session.flush()
    progress = course_progress(learner, course)
    if progress.complete and progress.completed_at is None:  # else already marked
        enrollment = enroll(learner, course)
        if enrollment.completed_at is None:
            enrollment.completed_at = utcnow()
            db.session.flush()
            issue_certificates(learner)
