"""Practical work: the farmer hands it in, the trainer reviews it."""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.clock import utcnow
from lms.extensions import db
from lms.forms.practical import ReviewForm, SubmissionForm
from lms.models import Submission
from lms.permissions import (
    can_read_submission,
    can_review_submission,
    is_staff,
    require,
)
from lms.services import DomainError
from lms.services.images import image_path
from lms.services.learning import open_assignment
from lms.services.practical import (
    PHOTO_FOLDER,
    latest_submission,
    review,
    review_queue,
    submit,
    who_reviews,
)
from lms.views.core import picture_headers
from lms.views.learn import get_course

bp = Blueprint("practical", __name__)


@bp.route("/courses/<slug>/practical", methods=["GET", "POST"])
@login_required
def submit_work(slug):
    course = get_course(slug)
    assignment = open_assignment(course) or abort(404)
    form = SubmissionForm()
    if form.validate_on_submit():
        photos = [f.stream for f in request.files.getlist("photos") if f.filename]
        try:
            submit(
                current_user,
                assignment,
                form.link.data,
                photos,
                form.note.data,
                current_app.config["LMS_UPLOAD_DIR"],
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Sent! Your trainer will review your work."), "success")
            return redirect(url_for(".submit_work", slug=slug))
    history = db.session.scalars(
        select(Submission)
        .where(
            Submission.user_id == current_user.id,
            Submission.assignment_id == assignment.id,
        )
        .order_by(Submission.created_at.desc(), Submission.id.desc())
    ).all()
    latest = history[0] if history else None
    return render_template(
        "practical/submit.html",
        course=course,
        assignment=assignment,
        form=form,
        history=history,
        latest=latest,
        reviewer=who_reviews(latest) if latest and latest.status == "pending" else None,
        now=utcnow(),
    ), 400 if form.errors else 200


@bp.get("/submissions/<int:submission_id>/photos/<int:index>")
@login_required
def photo(submission_id, index):
    """A practical photo, only for its author, their trainer, or an admin."""
    submission = db.session.get(Submission, submission_id) or abort(404)
    require(can_read_submission(current_user, submission))
    if not 0 <= index < len(submission.photos):
        abort(404)
    folder = Path(current_app.config["LMS_UPLOAD_DIR"]) / PHOTO_FOLDER
    try:
        path = image_path(folder, submission.photos[index])
    except DomainError:
        abort(404)
    response = send_from_directory(path.parent, path.name, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return picture_headers(response, path.name)


@bp.get("/teach/reviews")
@login_required
def queue():
    require(is_staff(current_user))
    return render_template(
        "practical/queue.html", pending=review_queue(current_user), now=utcnow()
    )


@bp.route("/teach/reviews/<int:submission_id>", methods=["GET", "POST"])
@login_required
def review_work(submission_id):
    submission = db.session.get(Submission, submission_id) or abort(404)
    require(can_review_submission(current_user, submission))
    form = ReviewForm(feedback=submission.feedback)
    if form.validate_on_submit():
        rubric = {
            criterion["id"]: request.form.get(f"rubric-{criterion['id']}", "")
            for criterion in submission.assignment.rubric
        }
        try:
            review(
                current_user,
                submission,
                request.form.get("decision") == "approve",
                rubric,
                form.feedback.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Review saved. The farmer can see it now."), "success")
            return redirect(url_for(".queue"))
    return render_template(
        "practical/review.html",
        submission=submission,
        form=form,
        previous=latest_submission(submission.user, submission.assignment),
    ), 400 if form.errors else 200
