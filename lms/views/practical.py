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
from itsdangerous import BadData, URLSafeTimedSerializer

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
from lms.services.practical import (
    KEPT_FOR,
    PHOTO_FOLDER,
    WorkRefused,
    latest_submission,
    review,
    submissions_of,
    submit,
)
from lms.services.reviewing import review_queue, waiting_for, who_reviews
from lms.views.core import picture_headers
from lms.views.learn import get_course
from lms.views.transactions import show_refusal

bp = Blueprint("practical", __name__)


@bp.route("/courses/<slug>/practical", methods=["GET", "POST"])
@login_required
def submit_work(slug):
    """Hand in the work, or replace what waits for review; a refused try keeps
    its photos on the server, so they need not be chosen again."""
    course = get_course(slug)
    assignment = course.open_assignment or abort(404)
    form = SubmissionForm()
    if form.validate_on_submit():
        photos = [f.stream for f in request.files.getlist("photos") if f.filename]
        try:
            work = submit(
                current_user,
                assignment,
                form.link.data,
                photos,
                form.note.data,
                current_app.config["LMS_UPLOAD_DIR"],
                kept=_kept_photos(form.kept.data, assignment),
            )
        except WorkRefused as error:
            show_refusal(form, error, above=True)
            form.kept.data = _keep_photos(error.kept, assignment)
        else:
            if work.revised_at:
                flash(_("Changed. Your trainer will see the new version."), "success")
            else:
                flash(_("Sent! Your trainer will review your work."), "success")
            return redirect(url_for(".submit_work", slug=slug))
    return _submit_page(course, assignment, form), 400 if form.errors else 200


def _submit_page(course, assignment, form):
    history = submissions_of(current_user, assignment)
    latest = history[0] if history else None
    waiting = latest is not None and latest.status == "pending"
    # Work waiting is changed, and work returned is improved, from what was
    # sent: the link and note come back (a new try with only a new photo must
    # not lose the link the trainer already saw).
    if latest is not None and latest.status != "approved" and not form.is_submitted():
        form.link.data, form.note.data = latest.link, latest.note
    return render_template(
        "practical/submit.html",
        course=course,
        assignment=assignment,
        form=form,
        history=history,
        latest=latest,
        reviewer=who_reviews(latest) if waiting else None,
        kept=_kept_photos(form.kept.data, assignment),
        now=utcnow(),
    )


def _kept_serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="practical-kept-photos")


def _keep_photos(names, assignment):
    """A token for the form naming photos stored for this farmer's refused try."""
    if not names:
        return ""
    return _kept_serializer().dumps([current_user.id, assignment.id, names])


def _kept_photos(token, assignment):
    """The photo names in ``token``, if it was made for this farmer and work."""
    try:
        user_id, assignment_id, names = _kept_serializer().loads(
            token or "", max_age=KEPT_FOR.total_seconds()
        )
    except (BadData, ValueError, TypeError):
        return []
    if (user_id, assignment_id) != (current_user.id, assignment.id):
        return []
    return [name for name in names if isinstance(name, str)]


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
        "practical/queue.html",
        pending=review_queue(current_user),
        waiting=waiting_for(current_user)[0],
        now=utcnow(),
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
                seen=request.form.get("seen", ""),
            )
        except DomainError as error:
            show_refusal(form, error, above=True)
        else:
            flash(_("Review saved. The farmer can see it now."), "success")
            return redirect(url_for(".queue"))
    return render_template(
        "practical/review.html",
        submission=submission,
        form=form,
        previous=latest_submission(submission.user, submission.assignment),
    ), 400 if form.errors else 200
