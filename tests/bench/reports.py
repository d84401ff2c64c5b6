"""Officials' reports at scale: the overview page and its drill-downs.

The part makes its own site with `lms demo-data` over several provinces of the
official map (--provinces, 3 by default; in a SQLite file of its own, or in the
PostgreSQL bench database, emptied first): 1,000 learners, the baseline,
measured; then the rest added up to --learners (100k, about 3M lesson
completions; 20k in --quick), measured again. With --existing it measures the
database in LMS_BENCH_DATABASE_URL as it is, filled beforehand by
`lms demo-data --learners N --provinces N`. The national reader is an admin (every
province), the province's is an official of Bắc Ninh. Each page is requested in-process
through the Flask test client as the province's official, signed in through the
real form, so the figure is the whole page (queries, template) without the
network; the median of several runs after one to warm up.
"""

import contextlib
import io
import os
import statistics
import time

import sqlalchemy as sa

from lms.collation import name_sort_keys
from lms.services.passwords import hash_password
from tests.bench.context import PASSWORD, signed_in
from tests.bench.dataset import reset_database
from tests.bench.figures import Figure, at_most

BUDGET_MS = 300
BASELINE_LEARNERS = 1_000
LEARNERS = {"quick": 20_000, "full": 100_000}
RUNS = {"quick": 5, "full": 9}
PROVINCE = "24"  # Bắc Ninh, on the official map
CHU = "07525"  # Phường Chũ, Bắc Ninh
READERS = {"national": "+84370000001", "province": "+84370000002"}


def run(ctx):
    from lms import create_app, demo
    from lms.cli import _load_official_map, setup
    from lms.extensions import db
    from lms.models import Area, LessonProgress, User

    url = ctx.database_url
    if ctx.existing:
        url = os.environ.get("LMS_BENCH_DATABASE_URL", url)
    elif ctx.db == "sqlite":
        url = f"sqlite:///{ctx.workdir / 'reports.sqlite3'}"
    if not ctx.existing:
        reset_database(url)
    app = create_app(ctx.bench_config() | {"SQLALCHEMY_DATABASE_URI": url})
    mode = "quick" if ctx.quick else "full"
    runs = RUNS[mode]
    target = ctx.learners or LEARNERS[mode]

    def counted():
        with app.app_context():
            learners = db.session.scalar(
                sa.select(sa.func.count()).where(User.role == "learner")
            )
            rows = db.session.scalar(sa.select(sa.func.count(LessonProgress.id)))
            db.engine.dispose()
        return learners, rows

    def grow(learners, seed):
        with app.app_context(), contextlib.redirect_stdout(io.StringIO()):
            setup()
            wanted = demo.more_provinces(app.config["LMS_PROVINCES"], ctx.provinces)
            _load_official_map(wanted)
            demo.generate(learners, seed, allow_existing=True)
            db.session.commit()
            demo.analyze()
            db.engine.dispose()

    def readers():
        """A national reader (an admin: every province) and the province's official."""
        with app.app_context():
            province = db.session.scalar(sa.select(Area).where(Area.code == PROVINCE))
            commune = db.session.scalar(sa.select(Area.id).where(Area.code == CHU))
            for role, phone, area in (
                ("admin", READERS["national"], None),
                ("official", READERS["province"], province),
            ):
                if db.session.scalar(sa.select(User.id).where(User.phone == phone)):
                    continue
                db.session.add(
                    User(
                        phone=phone,
                        name=f"Bench {role}",
                        **name_sort_keys(f"Bench {role}"),
                        role=role,
                        area=area,
                        password_hash=hash_password(PASSWORD),
                    )
                )
            db.session.commit()
            db.engine.dispose()
        return commune

    pages = {
        "overview, national (admin), 30 days": ("national", "/reports"),
        "overview, province, 30 days": ("province", "/reports"),
        "drill-down to a commune": ("province", "/reports?area={commune}"),
        "drill-down to a course": ("province", "/reports?course=livestream-selling"),
        "overview, province, 365 days": ("province", "/reports?period=365"),
        "overview, national (admin), 365 days": ("national", "/reports?period=365"),
    }

    def measure():
        commune = readers()
        clients = {
            who: signed_in(app, phone, PASSWORD) for who, phone in READERS.items()
        }
        return {
            name: median_ms(clients[who], path.format(commune=commune), runs)
            for name, (who, path) in pages.items()
        }

    started = time.monotonic()
    baseline = {}
    if not ctx.existing:
        grow(BASELINE_LEARNERS, seed=1)
        baseline = measure()
        if target > BASELINE_LEARNERS:
            grow(target - BASELINE_LEARNERS, seed=2)
    generated = time.monotonic() - started
    learners, rows = counted()
    measured = measure()

    scale = f"{learners / 1000:,.0f}k learners, {rows / 1e6:.1f}M lesson completions"
    figures = []
    for name in pages:
        figures.append(
            Figure(
                "reports",
                f"{name} ({scale})",
                f"<= {BUDGET_MS} ms",
                measured[name],
                "ms",
                baseline.get(name),
                f"{BASELINE_LEARNERS // 1000}k learners" if baseline else "",
                at_most(BUDGET_MS, measured[name]),
                note=f"{ctx.db}, {ctx.provinces} provinces, median of {runs}",
            )
        )
    if not ctx.existing:
        figures.append(
            Figure(
                "reports",
                f"lms demo-data, {target // 1000}k learners",
                "minutes, not hours",
                round(generated),
                "s",
                verdict="info",
                note="with setup, the totals and the 1k measurements",
            )
        )
    return figures



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
