"""CPU per request in one process: the app and bare Flask through their test clients.

Throughput under gunicorn moves with the machine's neighbours by more than one
lever buys; the CPU time one request costs in the process moves much less, so
this part is the measure for a lever, before and after. The signed-in lesson and
course pages, the verify page as a visitor opens it, and a new lesson sent by
sync, each against what bare Flask spends on the same template or JSON POST
(``tests/bench/bare_app.py``, from the same fixed data as the throughput part):
rounds of the app and of bare Flask alternate, and each figure is the lowest
round's CPU time per request. Then what the rate limits add to a sync (the
throughput part runs with them off), each phone from an address of its own,
their store Redis at ``LMS_BENCH_REDIS_URL`` (default db 14 on this machine)
or, without Redis, the one-process store; and what compression adds: the lesson
page asked for with and without ``Accept-Encoding: br``. Both alternate the
same way.

The ratio is the app's time over bare Flask's: the throughput budgets of 0.50
and 0.20 of bare Flask's rate are about 2 and 5 here. It counts this process's
CPU only: on PostgreSQL the database server's own work is not in it, nor
waiting for the server's answers.
"""

import importlib
import json
import os
import sys
import time
import uuid

from tests.bench.context import PHONE_USER_AGENT, meta_or_input, signed_in
from tests.bench.figures import Figure
from tests.bench.throughput import PHONE_HEADERS, fixed_pages

ROUNDS = {"quick": (100, 5), "full": (300, 9)}  # requests per round, rounds
# Sync sends the last lessons of each course list, from the last phones: the
# throughput part's rotation sends every phone's first lessons first.
SYNC_LESSONS = 10


def run(ctx):
    from lms import create_app

    site = ctx.site()
    per_round, rounds = ROUNDS["quick" if ctx.quick else "full"]
    bare = _bare_app(ctx, site).test_client()
    app = create_app(ctx.bench_config())
    learner = signed_in(app, site.phone, site.password, PHONE_USER_AGENT)
    visitor = app.test_client()
    lesson = f"/courses/{site.course}/lessons/{site.lesson}"
    pages = [
        ("lesson page, signed in", learner, lesson, bare, "/lesson"),
        ("course page, signed in", learner, f"/courses/{site.course}", bare, "/course"),
        ("verify page", visitor, f"/verify/{site.certificate}", bare, "/verify"),
    ]
    figures = []
    for name, client, path, bare_client, bare_path in pages:
        app_page = _get(client, path, PHONE_HEADERS)
        bare_page = _get(bare_client, bare_path, PHONE_HEADERS)
        app_us, bare_us = _alternate(app_page, bare_page, per_round, rounds)
        figures.append(_figure(name, app_us, bare_us, "bare Flask, same template"))

    phones = iter(reversed(site.sync_phones))  # each event's phone used once
    events = _sync_events(app, site, phones, per_round * rounds)
    bare_events = _bare_events(bare)
    app_us, bare_us = _alternate(events, bare_events, per_round, rounds)
    figures.append(
        _figure("progress sync, a new lesson", app_us, bare_us, "bare JSON POST")
    )
    figures.append(_limits_figure(ctx, site, phones, app, per_round // 2, rounds))

    plain = {k: v for k, v in PHONE_HEADERS.items() if k != "Accept-Encoding"}
    compressed = _get(learner, lesson, PHONE_HEADERS)
    uncompressed = _get(learner, lesson, plain)
    with_br, without = _alternate(compressed, uncompressed, per_round, rounds)
    level = app.config.get("COMPRESS_BR_LEVEL", 4)
    figures.append(
        Figure(
            "cpu",
            f"lesson page: Brotli at quality {level}, its share",
            "",
            round(with_br - without),
            "µs",
            round(with_br),
            "the whole page, compressed",
            note=f"{_size(uncompressed)} bytes compressed to {_size(compressed)}",
        )
    )
    return figures


def _bare_app(ctx, site):
    """Bare Flask over fresh fixed data (it reads them, and its routes, on import)."""
    pages = ctx.workdir / "bare-pages.json"
    pages.write_text(json.dumps(fixed_pages(ctx, site), ensure_ascii=False))
    os.environ["LMS_BARE_PAGES"] = str(pages)
    try:
        sys.modules.pop("tests.bench.bare_app", None)
        return importlib.import_module("tests.bench.bare_app").app
    finally:
        del os.environ["LMS_BARE_PAGES"]


def _get(client, path, headers):
    """A request to time, checked before use: 200, and (after the first, which
    may write a session just signed in) no session written."""

    def request():
        return client.get(path, headers=headers)

    request()
    answer = request()
    if answer.status_code != 200 or "Set-Cookie" in answer.headers:
        raise RuntimeError(f"{path} answered {answer.status_code} {answer.headers}")
    return request


def _size(request):
    return f"{len(request().data):,}"


def _limits_figure(ctx, site, phones, app, per_round, rounds):
    """The sync with its rate limits checked (per address and per user) against
    the same without: the bench turns them off, a served site does not. Each
    phone has an address of its own, so no limit is reached."""
    from lms import create_app

    storage = os.environ.get("LMS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        import redis

        redis.Redis.from_url(storage, socket_timeout=2).ping()
    except Exception:  # no Redis here: the one-process store
        storage = "memory://"
    limited = create_app(
        {
            **ctx.bench_config(),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": storage,
        }
    )
    count = per_round * rounds
    with_limits = _sync_events(limited, site, phones, count, addresses=True)
    without = _sync_events(app, site, phones, count, addresses=True)
    checked, unchecked = _alternate(with_limits, without, per_round, rounds)
    return Figure(
        "cpu",
        "progress sync, a new lesson, rate limits on: CPU per request",
        "",
        round(checked),
        "µs",
        round(unchecked),
        "the same, rate limits off",
        note=f"store {storage.split('://')[0]}; this process's CPU only",
    )


def _sync_events(app, site, phones, count, addresses=False):
    """Each call sends one lesson its phone has not sent before, and checks it
    was applied. ``phones`` is an iterator shared by every caller, so no two
    send from the same phone; with ``addresses``, each phone sends from an
    address of its own."""
    lessons = site.sync_lessons[-SYNC_LESSONS:]
    needed = -(-(count + 60) // len(lessons))  # with the warm-up
    senders = []
    for n in range(needed):
        phone = next(phones, None)
        if phone is None:
            raise RuntimeError(f"cpu: not enough sync phones for {count} events")
        address = f"10.9.{n // 250}.{n % 250 + 1}" if addresses else None
        client = signed_in(app, phone, site.password, PHONE_USER_AGENT, address)
        page = client.get(f"/courses/{site.course}/lessons/{site.lesson}")
        senders.append(
            (client, meta_or_input(page.get_data(as_text=True), "csrf-token"))
        )
    queue = [(s, lesson) for lesson in lessons for s in senders]

    def request():
        (client, token), (course, lesson) = queue.pop()
        event = {
            "id": uuid.uuid4().hex,
            "type": "lesson.complete",
            "course": course,
            "lesson": lesson,
            "at": "2026-11-22T03:10:00Z",
        }
        answer = client.post(
            "/api/v1/progress/sync",
            json={"events": [event]},
            headers={**PHONE_HEADERS, "X-CSRFToken": token},
        )
        status = answer.get_json()["results"][0]["status"]
        if answer.status_code != 200 or status != "applied":
            raise RuntimeError(f"sync answered {answer.status_code}: {status}")
        return answer

    return request


def _bare_events(bare):
    body = {"events": [{"id": "bench", "type": "lesson.complete"}]}

    def request():
        return bare.post("/events", json=body, headers=PHONE_HEADERS)

    if request().status_code != 200:
        raise RuntimeError("bare /events did not answer 200")
    return request


def _alternate(first, second, per_round, rounds):
    """The lowest CPU time per request, in µs, of each of two requests, their
    rounds alternating so that both see the same machine."""
    for request in (first, second):
        for _ in range(30):
            request()
    best = [float("inf"), float("inf")]
    for _ in range(rounds):
        for side, request in enumerate((first, second)):
            start = time.process_time()
            for _ in range(per_round):
                request()
            spent = (time.process_time() - start) / per_round * 1e6
            best[side] = min(best[side], spent)
    return best


def _figure(name, app_us, bare_us, baseline_of):
    return Figure(
        "cpu",
        f"{name}: CPU per request",
        "",
        round(app_us),
        "µs",
        round(bare_us),
        baseline_of,
        note="in one process, lowest round",
    )
