"""Officials' reports at scale: the overview page and its drill-downs.

The part makes its own province with `lms demo-data` (in a SQLite file of its
own, or in the PostgreSQL bench database, emptied first): 1,000 learners, the
baseline, measured; then the rest added up to 100k learners and about 3M lesson
completions (20k in --quick), measured again. Each page is requested in-process
through the Flask test client as the province's official, signed in through the
real form, so the figure is the whole page (queries, template) without the
network; the median of several runs after one to warm up.
"""

import contextlib
import io
import statistics
import time

import sqlalchemy as sa

from tests.bench.context import meta_or_input
from tests.bench.dataset import reset_database
from tests.bench.figures import Figure, at_most

BUDGET_MS = 300
BASELINE_LEARNERS = 1_000
LEARNERS = {"quick": 20_000, "full": 100_000}
RUNS = {"quick": 5, "full": 9}


CHU = "07525"  # Phường Chũ, Bắc Ninh, on the official map


def run(ctx):
    from lms import create_app, demo
    from lms.cli import setup
    from lms.extensions import db
    from lms.models import Area, LessonProgress

    url = ctx.database_url
    if ctx.db == "sqlite":
        url = f"sqlite:///{ctx.workdir / 'reports.sqlite3'}"
    reset_database(url)
    app = create_app(ctx.bench_config() | {"SQLALCHEMY_DATABASE_URI": url})
    mode = "quick" if ctx.quick else "full"
    runs = RUNS[mode]

    def grow(learners, seed):
        with app.app_context(), contextlib.redirect_stdout(io.StringIO()):
            setup()
            _, password, staff = demo.generate(learners, seed, allow_existing=True)
            db.session.commit()
            demo.analyze()
            rows = db.session.scalar(sa.select(sa.func.count(LessonProgress.id)))
            commune = db.session.scalar(
                sa.select(Area.id).where(Area.code == CHU)
            )
            db.engine.dispose()
        return password, staff, rows, commune

    started = time.monotonic()
    password, staff, _, commune = grow(BASELINE_LEARNERS, seed=1)
    official = staff[0][1]  # the first area's: the province
    pages = {
        "overview, province, 30 days": "/reports",
        "drill-down to a commune": f"/reports?area={commune}",
        "drill-down to a course": "/reports?course=livestream-selling",
        "overview, province, 365 days": "/reports?period=365",
    }
    client = signed_in(app, official, password)
    baseline = {name: median_ms(client, path, runs) for name, path in pages.items()}

    _, _, rows, _ = grow(LEARNERS[mode] - BASELINE_LEARNERS, seed=2)
    generated = time.monotonic() - started
    client = signed_in(app, official, password)
    measured = {name: median_ms(client, path, runs) for name, path in pages.items()}

    scale = f"{LEARNERS[mode] // 1000}k learners, {rows / 1e6:.1f}M progress rows"
    figures = []
    for name in pages:
        budgeted = "365" not in name  # a year is not the page officials land on
        figures.append(
            Figure(
                "reports",
                f"{name} ({scale})",
                f"<= {BUDGET_MS} ms" if budgeted else "",
                measured[name],
                "ms",
                baseline[name],
                f"{BASELINE_LEARNERS // 1000}k learners",
                at_most(BUDGET_MS, measured[name]) if budgeted else "info",
                note=f"{ctx.db}, median of {runs}",
            )
        )
    figures.append(
        Figure(
            "reports",
            f"lms demo-data, {LEARNERS[mode] // 1000}k learners",
            "minutes, not hours",
            round(generated),
            "s",
            verdict=at_most(600, generated),
            note="with setup and the 1k measurements",
        )
    )
    return figures


def signed_in(app, phone, password):
    """A test client signed in through the sign-in form, as a person would."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    answer = client.post(
        "/login",
        data={
            "csrf_token": meta_or_input(page, "csrf_token"),
            "phone": phone,
            "password": password,
        },
    )
    if answer.status_code != 302 or "/reports" not in answer.location:
        raise RuntimeError(f"the official could not sign in: {answer.status_code}")
    return client


def median_ms(client, path, runs):
    """Median time of GET ``path`` after one warm-up; every answer must be the page."""
    times = []
    for attempt in range(runs + 1):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or b"<svg" not in response.data:
            raise RuntimeError(f"{path}: {response.status_code}, not the report")
        if attempt:
            times.append(elapsed * 1000)
    return statistics.median(times)
