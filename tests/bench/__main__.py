"""Measure every budget in DESIGN.md beside its baseline, in one table.

    python -m tests.bench [--part NAME ...] [--db sqlite|postgres] [--quick]
                          [--json FILE] [--keep] [--markdown]

Each part is a module of this package with ``run(ctx) -> list[Figure]``. The
PostgreSQL database is LMS_BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/bench): its public schema is dropped and
made again, so point it at a throwaway database.
"""

import argparse
import importlib
import json
import logging
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.context import ROOT, Context
from tests.bench.figures import Figure, markdown, table
from tests.bench.page_weight import chromium_path

PARTS = [  # in running order: memory reads the workers the throughput load left
    "throughput",
    "memory",
    "cpu",  # after throughput: it sends the lessons that rotation reaches last
    "page_weight",
    "lighthouse",
    "certificates",
    "imports",
    "reports",
    "lists",
]
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/bench"
RESULTS = Path(__file__).parent / "results" / "latest.json"


def main(argv=None):
    args = parse_args(argv)
    # Warnings only from the apps made in this process (the app would otherwise
    # log every request and every font subset as a JSON line).
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # page weight's server
    workdir = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    ctx = Context(
        db=args.db,
        database_url=database_url(args.db, workdir),
        quick=args.quick,
        workdir=workdir,
        learners=args.learners,
        provinces=args.provinces,
        existing=args.existing,
    )
    figures, failed, started = [], [], time.monotonic()
    load_before = os.getloadavg()[0]
    try:
        for name in args.part or PARTS:
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            try:
                module = importlib.import_module(f"tests.bench.{name}")
                figures += module.run(ctx)
            except Exception as error:  # one broken part must not hide the others
                traceback.print_exc()
                failed.append(name)
                figures.append(
                    Figure(
                        name,
                        "part failed",
                        "",
                        None,
                        "",
                        verdict="miss",
                        note=f"{type(error).__name__}: {error}"[:120],
                    )
                )
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(figures))
    machine = machine_info(ctx)
    # Others' work on a shared machine shows here: ratios hold better than
    # absolute times, but a busy machine is harder on the longer requests.
    machine["load_average"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    print(f"\n{describe(machine)}; {time.monotonic() - started:.0f} s")
    write_results(args.json, args, machine, figures)
    return 1 if failed else 0


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description=__doc__.splitlines()[0],
        epilog="Exits 1 when a part failed to run (a missed budget is not a "
        "failure: it is in the table).",
    )
    parser.add_argument(
        "--part",
        action="append",
        choices=PARTS,
        metavar="PART",
        help=f"run only this part (repeatable): {', '.join(PARTS)}",
    )
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="sqlite (default): a new file in a temporary folder; postgres: "
        f"LMS_BENCH_DATABASE_URL (default {DEFAULT_POSTGRES}), whose public "
        "schema is DROPPED and made again",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a few minutes: 3 s loads x 2 rounds instead of 10 s x 3, 20 samples "
        "instead of 100, 500 learners instead of 5,000, one Lighthouse run of "
        "one profile instead of three runs of two",
    )
    parser.add_argument(
        "--learners",
        type=int,
        metavar="N",
        help="reports: measure at N learners (default 100,000; 20,000 with --quick)",
    )
    parser.add_argument(
        "--provinces",
        type=int,
        default=3,
        metavar="N",
        help="reports: spread the learners over N provinces (default 3)",
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="reports: measure the database as it is (filled beforehand by "
        "`lms demo-data`), without emptying it or the 1k baseline",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=RESULTS,
        metavar="FILE",
        help=f"where to write the figures (default {RESULTS.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the run's temporary folder (database, servers' logs)",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="also print the table in Markdown (as in the README)",
    )
    return parser.parse_args(argv)


def database_url(kind, workdir):
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    return os.environ.get("LMS_BENCH_DATABASE_URL", DEFAULT_POSTGRES)


def machine_info(ctx):
    info = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
        "git_commit": _output(["git", "rev-parse", "--short", "HEAD"]),
        "git_dirty": bool(_output(["git", "status", "--porcelain"])),
        "wrk": _output(["wrk", "--version"]).split(" [")[0] or None,
        "chromium": _output([chromium_path() or "chromium", "--version"]) or None,
        "db": ctx.db,
        "quick": ctx.quick,
    }
    if ctx.db == "postgres":
        import sqlalchemy as sa

        url = ctx.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            info["postgresql"] = connection.scalar(sa.text("SHOW server_version"))
        engine.dispose()
    return info


def _output(command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    except OSError:
        return ""
    return (
        (result.stdout or result.stderr).strip().splitlines()[0]
        if (result.stdout or result.stderr)
        else ""
    )


def describe(machine):
    database = (
        f"PostgreSQL {machine['postgresql']}"
        if machine["postgresql"]
        else (f"SQLite {machine['sqlite']}")
    )
    return (
        f"{machine['cores']} cores, Python {machine['python']}, {database}, "
        f"commit {machine['git_commit']}{' (dirty)' if machine['git_dirty'] else ''}"
        f"{', quick' if machine['quick'] else ''}; load average "
        f"{machine['load_average'][0]} at the start, {machine['load_average'][1]} "
        "at the end"
    )


def write_results(path, args, machine, figures):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "machine": machine,
                "parts": args.part or PARTS,
                "figures": [figure.as_dict() for figure in figures],
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    if args.markdown:
        print("\n" + markdown(figures))
    print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
