"""Editing a course's quiz and its practical assignment."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from lms.content.quiz_checks import position_warning
from lms.forms import ConfirmForm, EmptyForm
from lms.forms.teaching import AssignmentForm, PassMarkForm, QuestionForm
from lms.services import DomainError
from lms.services.authoring import (
    delete_question,
    ensure_quiz,
    save_assignment,
    save_question,
    set_pass_mark,
)
from lms.views.teach import bp, get_editable_course
from lms.views.transactions import show_refusal


@bp.route("/courses/<slug>/quiz", methods=["GET", "POST"])
def quiz(slug):
    course = get_editable_course(slug)
    quiz = course.quiz if course.quiz and not course.quiz.archived_at else None
    form = PassMarkForm(
        pass_mark=quiz.pass_mark if quiz else 75, draw=quiz.draw if quiz else None
    )
    if form.validate_on_submit():
        try:
            set_pass_mark(ensure_quiz(course), form.pass_mark.data, form.draw.data)
        except DomainError as error:
            show_refusal(form, error, above=True)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".quiz", slug=slug))
    return render_template(
        "teach/quiz.html",
        course=course,
        quiz=quiz,
        form=form,
        delete_form=EmptyForm(),
        warning=quiz and position_warning(quiz.questions),
    ), 400 if form.errors else 200


def _find_question(course, question_id):
    for question in course.quiz.questions if course.quiz else []:
        if question["id"] == question_id:
            return question
    abort(404)


@bp.route("/courses/<slug>/quiz/questions/new", methods=["GET", "POST"])
@bp.route("/courses/<slug>/quiz/questions/<question_id>", methods=["GET", "POST"])
def edit_question(slug, question_id=None):
    course = get_editable_course(slug)
    question = _find_question(course, question_id) if question_id else None
    form = QuestionForm(data=_question_data(question) if question else None)
    if form.validate_on_submit():
        choices = [
            (c.text_vi.data, c.text_en.data, c.correct.data) for c in form.choices
        ]
        try:
            save_question(
                ensure_quiz(course),
                question_id,
                form.text_vi.data,
                form.text_en.data,
                choices,
                form.explanation_vi.data,
                form.explanation_en.data,
            )
        except DomainError as error:
            show_refusal(form, error, above=True)
        else:
            flash(_("Question saved."), "success")
            return redirect(url_for(".quiz", slug=slug))
    return render_template(
        "teach/question_form.html", course=course, question=question, form=form
    ), 400 if form.errors else 200


def _question_data(question):
    choices = [
        {"text_vi": c["vi"], "text_en": c.get("en") or "", "correct": c["correct"]}
        for c in question["choices"]
    ]
    return {
        "text_vi": question["vi"],
        "text_en": question.get("en") or "",
        "choices": choices + [{}] * (6 - len(choices)),
        "explanation_vi": question["explanation_vi"],
        "explanation_en": question.get("explanation_en") or "",
    }


@bp.post("/courses/<slug>/quiz/questions/<question_id>/delete")
def remove_question(slug, question_id):
    course = get_editable_course(slug)
    question = _find_question(course, question_id)
    if not ConfirmForm().is_confirmed():
        return render_template(
            "confirm.html",
            question=_("Delete the question “%(text)s”?", text=question["vi"]),
            explanation=[
                _("It cannot be brought back. Attempts already made keep their scores.")
            ],
            action=url_for(".remove_question", slug=slug, question_id=question_id),
            keep={},
            confirm=_("Yes, delete it"),
            cancel=url_for(".quiz", slug=slug),
            form=ConfirmForm(),
        )
    delete_question(course.quiz, question_id)
    flash(_("Question deleted."), "success")
    return redirect(url_for(".quiz", slug=slug))


@bp.route("/courses/<slug>/assignment", methods=["GET", "POST"])
def assignment(slug):
    course = get_editable_course(slug)
    current = course.assignment
    form = AssignmentForm(data=_assignment_data(current) if current else None)
    if form.validate_on_submit():
        criteria = [(c.text_vi.data, c.text_en.data) for c in form.criteria]
        try:
            save_assignment(
                course,
                form.instructions_vi.data,
                form.instructions_en.data,
                criteria,
                form.accepts_link.data,
                form.max_photos.data,
            )
        except DomainError as error:
            show_refusal(form, error, above=True)
        else:
            flash(_("Practical work saved."), "success")
            return redirect(url_for(".course", slug=slug))
    return render_template(
        "teach/assignment_form.html", course=course, form=form
    ), 400 if form.errors else 200


def _assignment_data(assignment):
    criteria = [
        {"text_vi": c["vi"], "text_en": c.get("en") or ""} for c in assignment.rubric
    ]
    return {
        "instructions_vi": assignment.instructions_vi,
        "instructions_en": assignment.instructions_en or "",
        "criteria": criteria + [{}] * (6 - len(criteria)),
        "accepts_link": assignment.accepts_link,
        "max_photos": assignment.max_photos,
    }
