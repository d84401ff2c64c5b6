"""PSS of one gunicorn worker after load, against a bare Flask worker.

Read from /proc/PID/smaps_rollup after the throughput part's load; when that
part was not run, a shorter load is put on both servers here first.
"""

from tests.bench.figures import Figure, at_most
from tests.bench.loadgen import run_load
from tests.bench.throughput import PHONE_HEADERS, proportional_set_size, targets

BUDGET = 100 * 1024 * 1024


def run(ctx):
    sizes = ctx.notes.get("memory") or _after_short_load(ctx)
    app, bare = max(sizes["app"]), max(sizes["bare"])
    return [
        Figure(
            "memory",
            "gunicorn worker PSS after load (largest of 2)",
            "<= 100 MB",
            app / 2**20,
            "MB",
            bare / 2**20,
            "bare Flask worker",
            at_most(BUDGET, app),
        )
    ]


def _after_short_load(ctx):
    import json

    site = ctx.site()
    app = ctx.serve("tests.bench.served:app")
    bare = ctx.serve("tests.bench.bare_app:app")
    try:
        cookie, csrf = ctx.sign_in(app.url)
        # The bench's learner sends its own lesson again and again: memory, not
        # the writes, is measured here.
        again = {"senders": [{}], "lessons": [[site.course, site.lesson]], "start": 0}
        for _, path, headers, event, *_ in targets(site, cookie, csrf):
            body = None if event is None else json.dumps({"events": [event]})
            rotation = None if body is None else again
            run_load(app.url + path, 2, headers=headers, body=body, rotation=rotation)
        run_load(bare.url + "/page?bytes=15000", 2, headers=PHONE_HEADERS)
        return {
            "app": [proportional_set_size(pid) for pid in app.worker_pids()],
            "bare": [proportional_set_size(pid) for pid in bare.worker_pids()],
        }
    finally:
        app.stop()
        bare.stop()
