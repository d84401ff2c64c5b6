"""The farmer's path: catalogue, course, lesson, quiz, my learning."""

from datetime import date

from babel.dates import format_skeleton
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.content.render import images_on_tap, responsive_images
from lms.extensions import csrf, db
from lms.forms import EmptyForm
from lms.i18n import localised
from lms.models import Certificate, Course, QuizAttempt
from lms.permissions import (
    can_edit_course,
    can_read_attempt,
    can_read_course,
    readable_courses,
)
from lms.services import DomainError, learning, papers, steps
from lms.services.catalogue import find_course_with_parts
from lms.services.course_views import published_course, published_course_for
from lms.services.images import PHONE_WIDTH
from lms.services.practical import returned_courses
from lms.views.core import CSRF_ONLY_FORM, data_saver_on, public_media_file

bp = Blueprint("learn", __name__)
# A form sent from a page opened before the phone's sign-in changed (signed out
# and in again, elsewhere too): nothing was saved, and one more tap will do.
OUT_OF_DATE = _l(
    "This page was opened before you last signed in, so nothing was saved. "
    "Please tap the button again."
)


def get_course(slug):
    """Load a course the current user may read, else 404 (drafts stay hidden).

    Its quiz and practical work come in the same query and its lessons in one
    more: every page of a course shows where the learner stands in all three.
    """
    course = find_course_with_parts(slug)
    if course is None or not can_read_course(current_user, course):
        abort(404)
    return course


def course_to_read(slug):
    """The course for the pages every learner repeats: the process's copy of a
    published course (lms.services.course_views), else as ``get_course`` finds
    it (a draft, for staff)."""
    return published_course(slug) or get_course(slug)


def active_lesson(course, slug):
    """The active lesson of ``course`` called ``slug``, else 404: found among the
    lessons the course holds (the process's copy, or a course loaded with its
    parts), with no query. ``lms.views.lesson_or_404`` asks the database, for
    the editors, which change the ORM lesson."""
    lesson = next((each for each in course.active_lessons if each.slug == slug), None)
    return lesson or abort(404)


def get_quiz(course):
    quiz = course.live_quiz
    if quiz is None:
        abort(404)
    return quiz


@bp.get("/")
def catalog():
    courses = db.session.scalars(
        select(Course).where(readable_courses(current_user)).order_by(Course.position)
    ).all()
    progress = learning.progress_by_course(current_user, courses)
    return render_template("learn/catalog.html", courses=courses, progress=progress)


@bp.get("/courses/<slug>")
def course(slug):
    course = course_to_read(slug)
    progress, done = learning.standing(current_user, course)
    return render_template(
        "learn/course.html",
        course=course,
        progress=progress,
        done=done,
        next_step=learning.next_step(course, done, progress),
        form=CSRF_ONLY_FORM,
    )


@bp.post("/courses/<slug>/enroll")
@login_required
def enroll(slug):
    course = course_to_read(slug)
    if EmptyForm().validate_on_submit():
        learning.enroll(current_user, course)
    return redirect(_continue_url(course))


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@login_required
def lesson(slug, lesson_slug):
    course, _, done = published_course_for(current_user, slug)
    draft = course is None
    if draft:  # a draft, for staff
        course = get_course(slug)
        done = learning.standing(current_user, course)[1]
    lessons = course.active_lessons
    lesson = active_lesson(course, lesson_slug)
    index = lessons.index(lesson)
    return render_template(
        "learn/lesson.html",
        course=course,
        lesson=lesson,
        body=_lesson_body(lesson),
        review=_review(lesson),
        number=index + 1,
        count=len(lessons),
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        done=lesson.id in done,
        form=CSRF_ONLY_FORM,
        draft=draft,
        editable=draft and can_edit_course(current_user, course),
    )


@bp.post("/courses/<slug>/lessons/<lesson_slug>/complete")
@csrf.exempt  # checked below: a page opened before the session changed is asked again
@login_required
def complete(slug, lesson_slug):
    course = course_to_read(slug)
    lesson = active_lesson(course, lesson_slug)
    if not EmptyForm().validate_on_submit():
        flash(str(OUT_OF_DATE), "error")
        return redirect(url_for(".lesson", slug=slug, lesson_slug=lesson_slug))
    learning.complete_lesson(current_user, lesson)
    # Named: the page this leads to is the next lesson, not the one done.
    title = localised(lesson, "title", str(get_locale()))
    flash(_("“%(title)s” done. Well done!", title=title), "success")
    return redirect(_continue_url(course))


@bp.route("/courses/<slug>/quiz", methods=["GET", "POST"])
@csrf.exempt  # checked below: answers sent from a page opened before are kept
@login_required
def quiz(slug):
    course = get_course(slug)
    quiz = get_quiz(course)
    form = EmptyForm()
    seal = papers.PaperSeal(current_app.secret_key)
    paper, chosen, error = seal.draw(quiz), MultiDict(), None
    if form.validate_on_submit():
        try:
            paper = seal.open(request.form.get("quiz_paper"), quiz)
            chosen = request.form  # ticked on this paper: shown again if refused
            marks = {qid: request.form.getlist(qid) for qid, _ in paper.questions}
            answers = papers.answers_from_marks(paper, marks)
            attempt = learning.submit_quiz(current_user, quiz, answers, paper=paper)
        except DomainError as failure:
            error = failure
        else:
            return redirect(url_for(".attempt", slug=slug, attempt_id=attempt.id))
    elif form.is_submitted():  # the page was opened before the session changed
        try:
            paper, chosen = (
                seal.open(request.form.get("quiz_paper"), quiz),
                request.form,
            )
        except DomainError:
            pass  # the quiz changed too: a fresh paper
        error = DomainError(OUT_OF_DATE)
    return render_template(
        "learn/quiz.html",
        course=course,
        quiz=quiz,
        questions=papers.shown_questions(paper, quiz),
        paper_token=seal.seal(paper, quiz),
        form=form,
        error=error,
        chosen=chosen,
        attempts=learning.attempts(current_user, quiz),
    ), 400 if error or form.errors else 200


@bp.get("/courses/<slug>/quiz/attempts/<int:attempt_id>")
@login_required
def attempt(slug, attempt_id):
    course = get_course(slug)
    attempt = db.session.get(QuizAttempt, attempt_id)
    # Someone else's attempt is "not found" too: a 403 would confirm the id exists.
    if (
        attempt is None
        or attempt.quiz.course_id != course.id
        or not can_read_attempt(current_user, attempt)
    ):
        abort(404)
    return render_template(
        "learn/attempt.html",
        course=course,
        attempt=attempt,
        questions=papers.shown_questions(papers.paper_of(attempt), attempt.quiz),
        next_step=(
            steps.next_step_for(current_user, course)
            if attempt.user_id == current_user.id
            else None
        ),
    )


@bp.get("/me/learning")
@login_required
def my_learning():
    courses = db.session.scalars(
        select(Course).where(readable_courses(current_user)).order_by(Course.position)
    ).all()
    progress = learning.progress_by_course(current_user, courses)
    started = [c for c in courses if progress[c.id].enrolled]
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.user_id == current_user.id)
        .order_by(Certificate.issued_at.desc())
    ).all()
    return render_template(
        "learn/my_learning.html",
        certificates=certificates,
        started=started,
        others=[c for c in courses if c not in started],
        progress=progress,
        returned=returned_courses(current_user),
    )


def _lesson_body(lesson):
    """The lesson's HTML in the page's language; pictures on tap in data saver."""
    locale = str(get_locale())
    html = lesson.html_en if locale == "en" and lesson.html_en else lesson.html_vi
    if not data_saver_on():
        return responsive_images(
            html,
            lambda url: (path := public_media_file(url)) is not None and path.is_file(),
            PHONE_WIDTH,
        )

    def size_of(src):
        path = public_media_file(src)
        try:
            return path.stat().st_size if path else None
        except (OSError, ValueError):
            return None

    return images_on_tap(
        html,
        size_of,
        lambda alt, size: _(
            "Picture: %(alt)s (%(size)s). Tap to load.", alt=alt, size=size
        ),
    )


def _review(lesson):
    """When the lesson was last checked ("November 2026") and its sources."""
    locale = get_locale()
    return {
        "updated": lesson.reviewed_on
        and format_skeleton("yMMMM", lesson.reviewed_on, locale=locale),
        "sources": [
            {**source, "date": format_date(date.fromisoformat(source["date"]), "long")}
            for source in lesson.sources or []
        ],
    }


def _continue_url(course):
    """The next lesson not done, else the quiz, else the course page."""
    progress, done = learning.standing(current_user, course)
    step = learning.next_step(course, done, progress)
    if step is None:
        return url_for(".course", slug=course.slug)
    if step is course.quiz:
        return url_for(".quiz", slug=course.slug)
    if step is course.assignment:
        return url_for("practical.submit_work", slug=course.slug)
    return url_for(".lesson", slug=course.slug, lesson_slug=step.slug)
