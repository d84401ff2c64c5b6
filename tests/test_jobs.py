"""Exports as background jobs: progress, a link that expires, restarts, Redis."""

import csv
import io
import os
import re
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from lms import clock, jobs
from lms.clock import utcnow
from lms.extensions import db
from lms.jobs import runner
from lms.models import AuditEvent, Job
from tests.conftest import DATABASES, redis_url
from tests.downloads import job_path, wait_for_download, wait_for_job
from tests.reports.province import NAMES, user

ROOT = Path(__file__).resolve().parent.parent


def learners_csv(response):
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    return [row[0] for row in rows if row and row[0] in NAMES.values()]


@pytest.fixture
def on_redis(config):
    """Jobs queued in Redis, as with several machines (ask for it before app)."""
    config["LMS_JOB_QUEUE_URL"] = redis_url()
    return config["LMS_JOB_QUEUE_URL"]


@pytest.fixture
def clock_back():
    yield
    clock.reset()


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_export_runs_as_a_job_then_its_link_expires(app, reader, clock_back):
    official = reader("official_a")
    asked = official.post("/reports/learners.csv?period=90")
    path = job_path(asked)
    download = wait_for_download(official, path)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert sorted(learners_csv(download)) == sorted(
        NAMES[k] for k in ("a1", "a2", "a3")
    )
    page = official.get(path).text
    assert "Tải về learners-" in page and "chỉ dành cho bạn" in page
    assert "Refresh" not in official.get(path).headers  # finished: no more reloads
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "report.export")
    )
    job = db.session.get(Job, int(path.rsplit("/", 1)[1]))
    assert event.actor_id == user("official_a").id
    assert event.detail["job"] == job.id and event.detail["filters"]["period"] == 90

    clock.travel(timedelta(hours=25))
    official = reader("official_a")  # signed in again: staff sessions end sooner
    late = official.get(f"{path}/download")
    assert late.status_code == 410
    assert "Liên kết tải về này đã hết hạn" in late.text
    assert "đã hết hạn" in official.get(path).text
    stored = runner.export_dir(app) / job.stored_as
    assert stored.exists()
    db.session.commit()  # the test's own transaction: end it, as a request would
    runner.look_after(app)  # what the workers do every minute
    assert not stored.exists()


def test_another_person_cannot_take_my_download(app, reader):
    path = job_path(reader("official_a").post("/reports/export.xlsx"))
    assert wait_for_download(reader("official_a"), path).status_code == 200
    for someone in ("official_p", "admin"):
        refused = reader(someone).get(f"{path}/download")
        assert refused.status_code == 403
        assert "được tạo cho một tài khoản khác" in refused.text
        assert reader(someone).get(path).status_code == 403
    anonymous = reader(None).get(f"{path}/download")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_page_shows_progress_while_the_job_waits(on_redis, app, reader):
    # No worker yet: the job waits in the queue, and its page says so and reloads.
    jobs.queue(app).huey.flush()
    official = reader("official_a")
    path = job_path(official.post("/reports/learners.xlsx"))
    waiting = official.get(path)
    assert waiting.headers["Refresh"] == "2"
    assert "Đang chờ đến lượt" in waiting.text
    assert official.get(f"{path}/download").status_code == 302  # not yet


def test_a_bad_filter_is_refused_and_queues_nothing(app, reader):
    response = reader("official_a").post("/reports/learners.csv?period=12")
    assert response.status_code == 400
    assert "Vui lòng chọn lại từ danh sách" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 0


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_job_whose_worker_died_runs_again(app, reader):
    official = reader("official_a")
    path = job_path(official.post("/reports/learners.csv"))
    assert wait_for_download(official, path).status_code == 200
    job_id = int(path.rsplit("/", 1)[1])
    # What a worker killed mid-job leaves: the row says running, its heartbeat
    # stopped, the task has left the queue, no file.
    queue = jobs.queue(app)
    queue.stop()
    queue.huey.flush()
    job = db.session.get(Job, job_id)
    job.status, job.stored_as, job.attempts = "running", None, 1
    job.heartbeat_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    assert official.get(f"{path}/download").status_code == 302
    # The next worker to start (here: the embedded one, as the page is visited)
    # finds it and runs it again.
    download = wait_for_download(official, path)
    assert download.status_code == 200
    assert sorted(learners_csv(download)) == sorted(
        NAMES[k] for k in ("a1", "a2", "a3")
    )
    assert db.session.get(Job, job_id).attempts == 2


def test_a_job_refused_at_run_time_says_why(on_redis, app, reader):
    queue = jobs.queue(app)
    queue.huey.flush()
    official = reader("official_a")
    path = job_path(official.post("/reports/export.csv"))
    user("official_a").role = "learner"  # demoted before a worker took the job
    db.session.commit()
    queue.start_embedded()  # a worker, in this process
    try:
        page = wait_for_job(official, path)
    finally:
        queue.stop()
    assert "Bạn không còn được xem các báo cáo này" in page.text
    assert official.get(f"{path}/download").status_code == 302  # back to the page
    job = db.session.get(Job, int(path.rsplit("/", 1)[1]))
    assert job.status == "failed" and job.stored_as is None


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_on_redis_a_separate_worker_runs_the_jobs(on_redis, app, reader):
    """The several-machines setup: web processes queue, `lms worker` runs."""
    url = on_redis
    jobs.queue(app).huey.flush()
    official = reader("official_a")
    path = job_path(official.post("/reports/learners.xlsx?period=90"))
    assert official.get(f"{path}/download").status_code == 302  # no worker yet
    environment = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "LMS_JOB_QUEUE_URL": url,
        "LMS_UPLOAD_DIR": app.config["LMS_UPLOAD_DIR"],
        "SECRET_KEY": "test",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "lms", "worker"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        download = wait_for_download(official, path)
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)[0].decode()
    assert download.status_code == 200, output
    assert download.mimetype.endswith("spreadsheetml.sheet")
    assert re.search(
        r"learners-\d{4}-\d\d-\d\d\.xlsx", download.headers["Content-Disposition"]
    )
    assert "Running jobs from" in output


def test_a_job_that_keeps_killing_its_worker_is_given_up(app, reader):
    official = reader("official_a")
    path = job_path(official.post("/reports/learners.csv"))
    wait_for_download(official, path)
    job = db.session.get(Job, int(path.rsplit("/", 1)[1]))
    job.status, job.stored_as, job.attempts = "running", None, runner.MAX_ATTEMPTS
    job.heartbeat_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    assert runner.look_after(app) == []  # not queued a fourth time
    page = official.get(path)
    assert "Refresh" not in page.headers
    assert "Không tạo được tệp xuất. Vui lòng thử lại." in page.text


def test_the_weekly_trend_is_dated_in_excel_and_the_same_in_csv(app, reader):
    """Week starts are dates in Excel (sortable, chartable), and both files
    give the same weeks and the same figures."""
    official = reader("official_a")
    book = wait_for_download(official, job_path(official.post("/reports/export.xlsx")))
    flat = wait_for_download(official, job_path(official.post("/reports/export.csv")))
    sheet = openpyxl.load_workbook(io.BytesIO(book.data))["Xu hướng theo tuần"]
    rows = list(sheet.iter_rows(min_row=2))
    assert rows and all(row[0].is_date for row in rows)
    assert all(row[0].value.weekday() == 0 for row in rows)  # weeks start on Monday
    excel = [
        [row[0].value.date().isoformat()] + [c.value for c in row[1:]] for row in rows
    ]
    lines = list(csv.reader(io.StringIO(flat.data.decode("utf-8-sig"))))
    start = lines.index(["Xu hướng theo tuần"]) + 2
    in_csv = [[line[0]] + [int(v) for v in line[1:]] for line in lines[start:] if line]
    assert excel == in_csv
