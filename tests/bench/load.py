"""Load and faults: farmers, trainers and officials against real gunicorn.

Run on purpose (not collected by pytest):

    .venv/bin/python -m tests.bench.load [--db sqlite|postgres] [--duration 120]
        [--farmers 200] [--kill worker|server|none] [--quick] [--burst] [--slow]

It prepares a fresh database (SQLite in a temporary folder; for PostgreSQL the
database at --database-url, in which it DROPS EVERYTHING), runs `lms setup`,
creates the accounts in bulk, starts gunicorn with 4 workers on 127.0.0.1 with
rate limits in Redis (--redis-url, flushed first), and runs the people from
separate client processes. With --kill it kill -9s one worker, or the whole
server (then starts it again on the same port), halfway through. At the end it
prints what the people saw and checks the database: every write acknowledged
with a 2xx/3xx is there exactly once, and SQLite's integrity check says ok.
Exits 1 on any error the application returned, any connection error outside a
kill, or any lost or duplicated write. A 503 with Retry-After is no error: the
phone waits as asked and sends again, as the offline queue does.

--burst: the farmers sign in, then all send one batch of 100 offline events at
the same moment while `lms backup` runs. --slow: one trainer previews a long
lesson and imports a 2,000-farmer CSV back to back, while the others write.
"""

import argparse
import json
import multiprocessing
import shutil
import sys
import tempfile
import time
from pathlib import Path

import redis

from tests.bench import _load_checks, _people, _server

TRAINER_EVERY = 50  # farmers per trainer
OFFICIAL_EVERY = 100  # farmers per official
SPAWN_PER_SECOND = 10  # people starting per second, as Locust's spawn rate
KILL_SLACK = 2.0  # seconds after the restart that still count as the kill
BURST_AFTER_SIGN_IN = 15  # seconds between the last sign-in starting and the burst
BURST_SLACK = 90  # seconds the phones have to get every batch through


def options(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.bench.load")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/test_load",
        help="PostgreSQL for --db postgres: EVERYTHING IN IT IS DROPPED",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--duration", type=float, default=120, help="seconds")
    parser.add_argument("--farmers", type=int, default=200)
    parser.add_argument("--kill", choices=("none", "worker", "server"), default="none")
    parser.add_argument("--quick", action="store_true", help="30 s, 50 farmers")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(1.0, 4.0),
        metavar=("MIN", "MAX"),
        help="seconds a person waits between pages (uniform)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--burst",
        action="store_true",
        help="farmers sign in, then all sync 100 events at the same moment while "
        "a backup runs (50 farmers unless --farmers)",
    )
    parser.add_argument(
        "--slow",
        action="store_true",
        help="a trainer previews long lessons and imports big CSVs back to back",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.farmers = 30, 50
    if args.burst and "--farmers" not in (argv or sys.argv):
        args.farmers = 50
    return args


def main(argv=None):
    args = options(argv)
    work = Path(tempfile.mkdtemp(prefix="lms-load-"))
    if args.db == "sqlite":
        database_url = f"sqlite:///{work / 'load.sqlite3'}"
    else:
        database_url = args.database_url
        _server.drop_everything(database_url)
    redis.Redis.from_url(args.redis_url).flushdb()
    env = _server.server_environment(database_url, work / "uploads", args.redis_url)
    _server.run_setup(env)
    app = _load_checks.app_for(env)
    trainers = max(1, args.farmers // TRAINER_EVERY)
    officials = max(1, args.farmers // OFFICIAL_EVERY)
    # The slow trainer imports into a class of its own, not a watched one.
    plan = _server.populate(app, args.farmers, trainers + args.slow, officials)
    slow = plan["trainers"].pop() if args.slow else None

    server = _server.Gunicorn(env, work / "gunicorn.log")
    server.start()
    if args.burst:
        who = f"{args.farmers} farmers syncing 100 events each at once, and a backup"
    else:
        who = (
            f"{args.farmers} farmers, {trainers} trainers, {officials} officials"
            f"{', a slow trainer' if args.slow else ''} for {args.duration:.0f} s"
        )
    print(
        f"{args.db}: {who} against {server.url} (4 workers, kill: {args.kill}); "
        f"work folder {work}",
        flush=True,
    )
    try:
        began = time.time()
        burst_at = began + args.farmers / SPAWN_PER_SECOND + BURST_AFTER_SIGN_IN
        deadline = burst_at + BURST_SLACK if args.burst else began + args.duration
        processes = start_clients(
            args, plan, slow, server.url, began, deadline, work, burst_at
        )
        if args.burst:
            back_up_during_burst(database_url, burst_at, work)
        kills = fault(args.kill, server, began + args.duration / 2)
        for process in processes:
            process.join()
        ended = time.time()
    finally:
        server.stop()
    logs = [json.loads(path.read_text()) for path in sorted(work.glob("people-*.json"))]
    report = _load_checks.Report(logs, kills, ended - began, KILL_SLACK)
    report.print_table()
    found = _load_checks.check_database(app, logs)
    failed = report.print_verdict(found)
    if failed or args.keep:
        print(f"work folder kept: {work}")
    else:
        shutil.rmtree(work)
    return 1 if failed else 0


def start_clients(args, plan, slow, url, began, deadline, work, burst_at):
    """Start the client processes; people are dealt round-robin between them."""
    people = [("farmer", phone, None) for phone in plan["farmers"]]
    if not args.burst:
        people += [("trainer", p, class_id) for p, class_id in plan["trainers"]]
        people += [("official", phone, None) for phone in plan["officials"]]
    if args.slow:
        people.insert(0, ("slow", *slow))
    shares = [[] for _ in range(args.processes)]
    for k, (role, phone, class_id) in enumerate(people):
        address = f"127.0.{k // 250}.{k % 250 + 2}"
        start = began + k / SPAWN_PER_SECOND
        shares[k % args.processes].append((role, phone, address, start, class_id))
    context = multiprocessing.get_context("spawn")
    processes = []
    for n, share in enumerate(shares):
        process = context.Process(
            target=_people.run_people,
            args=(
                url,
                share,
                plan["courses"],
                deadline,
                tuple(args.think),
                str(work / f"people-{n}.json"),
                burst_at if args.burst else None,
            ),
        )
        process.start()
        processes.append(process)
    return processes


def back_up_during_burst(database_url, at, work):
    """`lms backup` while every phone writes: it must not make them fail."""
    from lms.backup import backup_database

    time.sleep(max(0, at + 0.5 - time.time()))
    started = time.time()
    kind = backup_database(database_url, work / "during-burst.backup")
    print(f"{kind} backup during the burst took {time.time() - started:.1f} s")


def fault(kind, server, at):
    """Kill what was asked at ``at``; return [(killed at, ready again at, what)]."""
    if kind == "none":
        return []
    time.sleep(max(0, at - time.time()))
    killed_at = time.time()
    if kind == "worker":
        victims = [server.kill_worker()]
    else:
        victims = server.kill_server()
    ready_at = time.time()
    print(
        f"kill -9 {kind} (pids {', '.join(map(str, victims))}) at "
        f"{killed_at - at:+.1f} s; serving again after {ready_at - killed_at:.1f} s",
        flush=True,
    )
    return [(killed_at, ready_at, kind)]


if __name__ == "__main__":
    sys.exit(main())
