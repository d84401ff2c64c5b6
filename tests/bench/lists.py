"""Big lists and exports: the 10k class page, the province's learner export.

The part makes its own province with `lms demo-data` (as the reports part does:
1,000 learners first, the baseline, then up to 100k; 20k with --quick), then a
class holding 10,000 of its learners (fewer with --quick: all there are, at
most 10,000) and, for the baseline, one of 100. Measured in-process through the
Flask test client, signed in through the real form:

- the class page: server time (median after a warm-up) and bytes, sorted by
  name (the page a trainer lands on), and by progress and last activity;
- the learner export as CSV and as Excel, as the official of the province: the
  time to the first byte (the request queues a job and answers with its page),
  and the total until the file is downloaded, the job run by the embedded
  worker of this process; the same at 1,000 learners is the baseline;
- the 10k class's roster CSV (a job too): total time;
- a farmer's own pages, signed in as the learner with the most lessons done who
  still has lessons to send: the lesson page, the course page, the verify page of a
  certificate, and a lesson sent by sync (each a lesson that learner has not
  done), server time; the same at 1,000 learners is the baseline.
"""

import contextlib
import io
import re
import statistics
import time

import sqlalchemy as sa

from tests.bench.context import meta_or_input, signed_in
from tests.bench.dataset import reset_database
from tests.bench.figures import Figure, at_most, kilobytes

PAGE_BUDGET_MS = 300
PAGE_BUDGET_KB = 60
BASELINE_LEARNERS = 1_000
LEARNERS = {"quick": 20_000, "full": 100_000}
CLASS_SIZE = 10_000
BASELINE_CLASS = 100
RUNS = {"quick": 5, "full": 9}
JOB_TIMEOUT = 600


def run(ctx):
    from lms import create_app, demo, jobs
    from lms.cli import setup
    from lms.extensions import db

    url = ctx.database_url
    if ctx.db == "sqlite":
        url = f"sqlite:///{ctx.workdir / 'lists.sqlite3'}"
    reset_database(url)
    config = ctx.bench_config() | {
        "SQLALCHEMY_DATABASE_URI": url,
        "LMS_JOB_QUEUE_URL": f"sqlite:///{ctx.workdir / 'lists-jobs.sqlite3'}",
    }
    app = create_app(config)
    mode = "quick" if ctx.quick else "full"
    runs = RUNS[mode]

    def grow(learners, seed):
        with app.app_context(), contextlib.redirect_stdout(io.StringIO()):
            setup()
            _, password, staff = demo.generate(learners, seed, allow_existing=True)
            db.session.commit()
            demo.analyze()
            db.engine.dispose()
        return password, staff

    password, staff = grow(BASELINE_LEARNERS, seed=1)
    baseline_farmer = farmer_times(app, runs)
    official = next(s[1] for s in staff if s[0] == "official")
    trainer = next(s[1] for s in staff if s[0] == "trainer")
    baseline_export = {
        fmt: export_times(app, official, password, fmt) for fmt in ("csv", "xlsx")
    }
    grow(LEARNERS[mode] - BASELINE_LEARNERS, seed=2)
    with app.app_context():
        small, _ = make_class(trainer, BASELINE_CLASS)
        big, size = make_class(trainer, CLASS_SIZE)
        db.engine.dispose()
    teacher = signed_in(app, trainer, password)
    small_ms, small_bytes = page_figures(teacher, f"/teach/classes/{small}", runs)
    big_ms, big_bytes = page_figures(teacher, f"/teach/classes/{big}", runs)
    sorted_ms = {
        sort: page_figures(teacher, f"/teach/classes/{big}?sort={sort}", runs)[0]
        for sort in ("progress", "activity")
    }
    small_sorted_ms = {
        sort: page_figures(teacher, f"/teach/classes/{small}?sort={sort}", runs)[0]
        for sort in ("progress", "activity")
    }
    export = {
        fmt: export_times(app, official, password, fmt) for fmt in ("csv", "xlsx")
    }
    roster_total = roster_time(teacher, big)
    farmer = farmer_times(app, runs)
    jobs.queue(app).stop()

    scale = f"{LEARNERS[mode] // 1000}k learners"
    note = f"{ctx.db}, median of {runs}"
    figures = [
        Figure(
            "lists",
            f"class page, {size:,} learners: server time",
            f"<= {PAGE_BUDGET_MS} ms",
            big_ms,
            "ms",
            small_ms,
            f"a class of {BASELINE_CLASS}",
            at_most(PAGE_BUDGET_MS, big_ms),
            note=note,
        ),
        Figure(
            "lists",
            f"class page, {size:,} learners: size",
            f"<= {PAGE_BUDGET_KB} KB",
            kilobytes(big_bytes),
            "KB",
            kilobytes(small_bytes),
            f"a class of {BASELINE_CLASS}",
            at_most(PAGE_BUDGET_KB, kilobytes(big_bytes)),
            note="uncompressed HTML",
        ),
    ]
    for sort in sorted_ms:
        figures.append(
            Figure(
                "lists",
                f"class page, {size:,} learners, by {sort}: server time",
                "",
                sorted_ms[sort],
                "ms",
                small_sorted_ms[sort],
                f"a class of {BASELINE_CLASS}",
                note=note,
            )
        )
    for fmt, label in (("csv", "CSV"), ("xlsx", "Excel")):
        first, total = export[fmt]
        base_first, base_total = baseline_export[fmt]
        figures += [
            Figure(
                "lists",
                f"learner export, {label}, {scale}: first byte",
                "answers at once",
                first * 1000,
                "ms",
                base_first * 1000,
                f"{BASELINE_LEARNERS // 1000}k learners",
                at_most(PAGE_BUDGET_MS, first * 1000),
                note="the job's page",
            ),
            Figure(
                "lists",
                f"learner export, {label}, {scale}: total",
                "",
                total,
                "s",
                base_total,
                f"{BASELINE_LEARNERS // 1000}k learners",
                note="until downloaded; a background job",
            ),
        ]
    figures.append(
        Figure(
            "lists",
            f"class roster CSV, {size:,} learners: total",
            "",
            roster_total,
            "s",
            note="until downloaded; a background job",
        )
    )
    for page, ms in farmer.items():
        figures.append(
            Figure(
                "lists",
                f"a farmer's {page}, {scale}: server time",
                "",
                ms,
                "ms",
                baseline_farmer[page],
                f"{BASELINE_LEARNERS // 1000}k learners",
                note=note,
            )
        )
    return figures


def farmer_times(app, runs):
    """{page: median server time in ms} for a learner with much progress, who is
    given the bench's password and enrolled in every course."""
    import uuid

    from lms.extensions import db
    from lms.models import Certificate, Course, LessonProgress, User
    from lms.services.learning import enroll
    from lms.services.passwords import hash_password
    from tests.bench.context import PASSWORD

    with app.app_context():
        courses = db.session.scalars(
            sa.select(Course)
            .where(Course.status == "published", Course.archived_at.is_(None))
            .order_by(Course.id)
        ).all()
        lessons = sum(len(course.active_lessons) for course in courses)
        # The most lessons done, with enough left to send by sync.
        busy = (
            sa.select(LessonProgress.user_id)
            .group_by(LessonProgress.user_id)
            .having(sa.func.count() <= lessons - runs - 1)
            .order_by(sa.func.count().desc(), LessonProgress.user_id)
            .limit(1)
        )
        user = db.session.scalar(
            sa.select(User).where(User.id == busy.scalar_subquery())
        )
        user.password_hash = hash_password(PASSWORD)
        for course in courses:
            enroll(user, course)
        done = set(
            db.session.scalars(
                sa.select(LessonProgress.lesson_id).where(
                    LessonProgress.user_id == user.id
                )
            )
        )
        undone = [
            (course.slug, lesson.slug)
            for course in courses
            for lesson in course.active_lessons
            if lesson.id not in done
        ]
        busiest = max(courses, key=lambda c: sum(x.id in done for x in c.lessons))
        lesson = busiest.active_lessons[-1].slug
        code = db.session.scalar(sa.select(Certificate.code).order_by(Certificate.id))
        phone = "0" + user.phone.removeprefix("+84")
        course_slug = busiest.slug
        db.session.commit()
        db.engine.dispose()
    client = signed_in(app, phone, PASSWORD)
    page = client.get(f"/courses/{course_slug}").get_data(as_text=True)
    csrf = meta_or_input(page, "csrf-token")
    events = iter(undone)

    def sync():
        course, lesson = next(events)
        event = {"id": str(uuid.uuid4()), "type": "lesson.complete"}
        event |= {"course": course, "lesson": lesson, "at": "2026-11-22T03:10:00Z"}
        answer = client.post(
            "/api/v1/progress/sync",
            json={"events": [event]},
            headers={"X-CSRFToken": csrf},
        )
        if answer.get_json()["results"][0]["status"] != "applied":
            raise RuntimeError(f"sync answered {answer.get_data(as_text=True)}")

    anonymous = app.test_client()
    requests = {
        "lesson page": lambda: client.get(f"/courses/{course_slug}/lessons/{lesson}"),
        "course page": lambda: client.get(f"/courses/{course_slug}"),
        "verify page": lambda: anonymous.get(f"/verify/{code}"),
        "lesson sent by sync": sync,
    }
    times = {}
    for name, send in requests.items():
        send()  # warm up
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            send()
            samples.append((time.perf_counter() - start) * 1000)
        times[name] = statistics.median(samples)
    return times


def make_class(trainer_phone, size):
    """A class of ``size`` of the province's learners, run by the trainer."""
    from lms.extensions import db
    from lms.models import ClassMember, Classroom, Course, User

    trainer = db.session.scalar(sa.select(User).where(User.phone == trainer_phone))
    courses = db.session.scalars(
        sa.select(Course).where(Course.archived_at.is_(None)).order_by(Course.position)
    ).all()
    classroom = Classroom(
        name=f"Lớp {size} học viên",
        trainer_id=trainer.id,
        join_code=f"B{size:05d}"[:6],
        courses=courses,
    )
    db.session.add(classroom)
    db.session.flush()
    learners = db.session.scalars(
        sa.select(User.id).where(User.role == "learner").order_by(User.id).limit(size)
    ).all()
    db.session.execute(
        sa.insert(ClassMember),
        [{"classroom_id": classroom.id, "user_id": i} for i in learners],
    )
    db.session.commit()
    return classroom.id, len(learners)


def page_figures(client, path, runs):
    """(median ms, bytes) of GET ``path`` after a warm-up."""
    times, size = [], 0
    for attempt in range(runs + 1):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or "<table" not in response.text:
            raise RuntimeError(f"{path}: {response.status_code}")
        size = len(response.data)
        if attempt:
            times.append(elapsed * 1000)
    return statistics.median(times), size


def export_times(app, phone, password, fmt):
    """(seconds to the first byte, seconds until downloaded) of the learner export."""
    client = signed_in(app, phone, password)
    form = client.get("/reports/learners").get_data(as_text=True)
    token = meta_or_input(form, "csrf_token")
    return _job(client, f"/reports/learners.{fmt}", token)


def roster_time(client, class_id):
    page = client.get(f"/teach/classes/{class_id}").get_data(as_text=True)
    token = meta_or_input(page, "csrf_token")
    return _job(client, f"/teach/classes/{class_id}/roster.csv", token)[1]


def _job(client, url, token):
    started = time.perf_counter()
    asked = client.post(url, data={"csrf_token": token})
    first = time.perf_counter() - started
    if asked.status_code != 303:
        raise RuntimeError(f"{url}: {asked.status_code}")
    path = asked.headers["Location"]
    deadline = time.monotonic() + JOB_TIMEOUT
    while "Refresh" in client.get(path).headers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url}: the job did not finish")
        time.sleep(0.05)
    download = client.get(f"{path}/download")
    body = download.get_data()
    download.close()
    total = time.perf_counter() - started
    if download.status_code != 200 or not body:
        raise RuntimeError(f"{url}: download {download.status_code}")
    if not re.search(r"attachment", download.headers.get("Content-Disposition", "")):
        raise RuntimeError(f"{url}: not a file")
    return first, total
