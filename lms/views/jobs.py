"""Background jobs as their owner sees them: progress, then the download."""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms import jobs
from lms.clock import utcnow
from lms.extensions import db
from lms.jobs.runner import export_dir
from lms.models import Job
from lms.permissions import can_take_job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
REFRESH_SECONDS = 2


@bp.before_request
@login_required
def signed_in_only():
    pass


def get_job(job_id):
    """The job, or a page saying why this person may not have it."""
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    if not can_take_job(current_user, job):
        message = _(
            "This download was made for another account. Sign in with that "
            "account, or make the export again yourself."
        )
        abort(_refused(_("Not your download"), message, 403))
    return job


@bp.get("/<int:job_id>")
def show(job_id):
    job = get_job(job_id)
    queue = jobs.queue(current_app)
    if not job.finished and queue.embedded:
        queue.start_embedded()  # this process runs the jobs: make sure it does
    response = current_app.make_response(
        render_template("jobs/job.html", job=job, expired=job.expired(utcnow()))
    )
    if not job.finished:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:job_id>/download")
def download(job_id):
    job = get_job(job_id)
    if job.status != "done":
        return redirect(url_for(".show", job_id=job.id))
    path = export_dir(current_app) / (job.stored_as or "-")
    if job.expired(utcnow()) or not Path(path).is_file():
        message = _(
            "This download link has expired: exports are kept for 24 hours. "
            "Make the export again."
        )
        abort(_refused(_("Download expired"), message, 410))
    response = send_file(
        path,
        mimetype=MIMETYPES[job.format],
        as_attachment=True,
        download_name=job.file_name,
        conditional=True,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _refused(title, message, code):
    return current_app.make_response(
        (render_template("jobs/refused.html", title=title, message=message), code)
    )
