"""Requests per second under gunicorn (2 workers), each page against bare Flask.

Both servers run at once on 127.0.0.1; the load (wrk, or tests.bench.loadgen in
its own process) goes to one then the other, A B A B, and the median of the
rounds is reported. Rate limits are off in the served app (its factory mapping
sets RATELIMIT_ENABLED False): every request comes from one address.
"""

import json
import statistics
from pathlib import Path

import requests

from tests.bench.figures import Figure, at_least
from tests.bench.loadgen import run_load

PHONE_HEADERS = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "vi"}


def targets(site, cookie, csrf):
    """(name, path, headers, body, budgeted) for each page put under load."""
    signed_in = {**PHONE_HEADERS, "Cookie": cookie}
    event = {
        "id": "{id}",
        "type": "lesson.complete",
        "course": site.course,
        "lesson": site.lesson,
        "at": "2026-11-22T03:10:00Z",
    }
    sync = {**signed_in, "X-CSRFToken": csrf, "Content-Type": "application/json"}
    lesson = f"/courses/{site.course}/lessons/{site.lesson}"
    return [
        ("lesson page, signed in", lesson, signed_in, None, True),
        ("course page, signed in", f"/courses/{site.course}", signed_in, None, False),
        ("verify page", f"/verify/{site.certificate}", PHONE_HEADERS, None, False),
        ("progress sync, 1 event", "/api/v1/progress/sync", sync, event, False),
    ]


def run(ctx):
    site = ctx.site()
    app = ctx.serve("tests.bench.served:app")
    bare = ctx.serve("tests.bench.bare_app:app")
    try:
        cookie, csrf = ctx.sign_in(app.url)
        seconds, rounds = (3, 2) if ctx.quick else (10, 3)
        figures = []
        for name, path, headers, event, budgeted in targets(site, cookie, csrf):
            body = None if event is None else json.dumps({"events": [event]})
            bare_path, bare_headers = _bare_counterpart(app.url, path, headers, body)
            loads = {"app": [], "bare": []}
            for url, hdrs in (
                (app.url + path, headers),
                (bare.url + bare_path, bare_headers),
            ):
                run_load(url, 1, headers=hdrs, body=body)  # warm up
            for _ in range(rounds):
                loads["app"].append(run_load(app.url + path, seconds, 8, headers, body))
                loads["bare"].append(
                    run_load(bare.url + bare_path, seconds, 8, bare_headers, body)
                )
            if body is None:  # still served, and still signed in, after the load
                _bare_counterpart(app.url, path, headers, body)
            figures += _figures(name, loads, budgeted)
        ctx.notes["memory"] = {
            "app": [proportional_set_size(pid) for pid in app.worker_pids()],
            "bare": [proportional_set_size(pid) for pid in bare.worker_pids()],
        }
    finally:
        app.stop()
        bare.stop()
    return figures


def _bare_counterpart(base, path, headers, body):
    """The bare app's page of the same size as the app's (uncompressed), or its
    JSON endpoint for a POST; checks the app answers 200 with a valid result."""
    if body is not None:
        answer = requests.post(
            base + path, data=body.replace("{id}", "bench-check-0001"), headers=headers
        )
        status = answer.json()["results"][0]["status"]
        if answer.status_code != 200 or status != "applied":
            raise RuntimeError(f"sync answered {answer.status_code} {answer.text}")
        return "/events", {"Content-Type": "application/json", **PHONE_HEADERS}
    plain = {**headers, "Accept-Encoding": "identity"}
    answer = requests.get(base + path, headers=plain, allow_redirects=False)
    if answer.status_code != 200:
        raise RuntimeError(f"{path} answered {answer.status_code}")
    if "Cookie" in headers and "logout" not in answer.text:
        raise RuntimeError(f"{path} was not signed in")
    return f"/page?bytes={len(answer.content)}", PHONE_HEADERS


def _figures(name, loads, budgeted):
    def median(side, field):
        return statistics.median(getattr(load, field) for load in loads[side])

    tool = loads["app"][0].tool
    errors = sum(load.errors for side in loads.values() for load in side)
    note = f"load: {tool}" + (f"; {errors} errors" if errors else "")
    rps, bare_rps = median("app", "rps"), median("bare", "rps")
    verdict = at_least(0.5, rps / bare_rps) if budgeted else "info"
    if errors:
        verdict = "miss"
    figures = [
        Figure(
            "throughput",
            f"{name}: req/s",
            ">= 50% of bare" if budgeted else "",
            rps,
            "req/s",
            bare_rps,
            "bare Flask, same size",
            verdict,
            note,
        )
    ]
    for field, label in (("p50_ms", "p50"), ("p99_ms", "p99")):
        figures.append(
            Figure(
                "throughput",
                f"{name}: {label}",
                "",
                median("app", field),
                "ms",
                median("bare", field),
                "bare Flask",
            )
        )
    return figures


def proportional_set_size(pid):
    """PSS of a process in bytes, from /proc/PID/smaps_rollup."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no Pss for {pid}")
