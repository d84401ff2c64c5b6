"""Lighthouse on the signed-in lesson page and the verify page.

Lighthouse is pinned in tests/bench/lighthouse (``npm ci`` there, run here when
node_modules is missing or older than the lock) and drives Debian's Chromium
(CHROME_PATH). Chromium is started with a remote-debugging port; Playwright signs
in through it with the real form; Lighthouse then audits through the same port,
so it sees the session cookie (it resets caches and storage, not cookies).
Profiles: Lighthouse's default mobile one (simulated slow 4G, 4x CPU slowdown)
and, in a full run, DevTools' "Slow 3G" (400 ms RTT, 400 Kbps) with the same
CPU slowdown. The baseline is bare Flask's 5 KB page audited the same way. A full
run audits each page three times and reports the median; a run that fails is
noted, not fatal.
"""

import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import requests

from tests.bench.context import free_port
from tests.bench.figures import Figure, at_least, at_most
from tests.bench.page_weight import PHONE, chromium_path

PACKAGE = Path(__file__).parent / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
METRICS = (  # the audits the performance score is made of
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)
PROFILES = {
    "mobile slow 4G": [],
    "slow 3G": [
        "--throttling.rttMs=400",
        "--throttling.throughputKbps=400",
        "--throttling.cpuSlowdownMultiplier=4",
    ],
}


def lighthouse_command():
    """The pinned Lighthouse, installed with ``npm ci`` first when missing or
    older than the lock file."""
    binary = PACKAGE / "node_modules" / ".bin" / "lighthouse"
    installed = PACKAGE / "node_modules" / ".package-lock.json"
    lock = PACKAGE / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        if not shutil.which("npm"):
            raise RuntimeError("npm not found: install Node.js 18.16 or later")
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=PACKAGE, check=True
        )
    return str(binary)


def start_chromium(chromium, folder):
    port = free_port()
    process = subprocess.Popen(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--remote-debugging-port={port}",
            f"--user-data-dir={folder}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/json/version", timeout=1)
            return process, port
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("Chromium did not open its debugging port")


def sign_in_over_cdp(port, base, site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        page = browser.contexts[0].new_page()
        page.set_viewport_size(PHONE["viewport"])
        page.goto(base + "/login")
        page.fill("#phone", site.phone)
        page.fill("#password", site.password)
        page.locator("main form button").click()
        page.wait_for_load_state()
        page.close()


class RunFailed(Exception):
    """One Lighthouse run gave no result (it happens now and then on a busy
    machine: a protocol timeout, no paint seen); the next run usually does."""


def median_audit(command, port, url, flags, output, runs):
    """Audit ``url`` ``runs`` times; return the median scores and the failures.

    Numbers are the median of the runs that worked; the notes (weakest metrics,
    LCP element) come from the run whose performance score is the median.
    """
    results, failures = [], []
    for _ in range(runs):
        try:
            results.append(audit(command, port, url, flags, output))
        except RunFailed as error:
            failures.append(str(error))
    if not results:
        return None, failures
    results.sort(key=lambda scores: scores["performance"])
    scores = dict(results[len(results) // 2])
    for key in (*CATEGORIES, "FCP", "LCP"):
        scores[key] = statistics.median(result[key] for result in results)
    return scores, failures


def audit(command, port, url, flags, output):
    try:
        subprocess.run(
            [
                command,
                url,
                f"--port={port}",
                "--output=json",
                f"--output-path={output}",
                f"--only-categories={','.join(CATEGORIES)}",
                "--quiet",
                *flags,
            ],
            check=True,
            timeout=300,
            stderr=subprocess.PIPE,
            text=True,
            env={"CHROME_PATH": chromium_path(), "PATH": "/usr/bin:/bin"},
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        said = error.stderr or ""
        if isinstance(said, bytes):  # TimeoutExpired keeps bytes even with text
            said = said.decode(errors="replace")
        lines = said.strip().splitlines() or [type(error).__name__]
        raise RunFailed(lines[-1][:100]) from error
    report = json.loads(Path(output).read_text())
    if "/login" in report["finalDisplayedUrl"]:  # a measuring bug: stop
        raise RuntimeError(f"Lighthouse was not signed in at {url}")
    if report.get("runtimeError") or any(
        report["categories"][c]["score"] is None for c in CATEGORIES
    ):
        raise RunFailed(report.get("runtimeError", {}).get("code", "no score"))
    scores = {c: report["categories"][c]["score"] * 100 for c in CATEGORIES}
    audits = report["audits"]
    scores["FCP"] = audits["first-contentful-paint"]["numericValue"] / 1000
    scores["LCP"] = audits["largest-contentful-paint"]["numericValue"] / 1000
    scores["LCP element"] = _lcp_element(audits)
    scores["weakest"] = ", ".join(
        f"{audits[m]['title']} {audits[m]['displayValue']}"
        for m in METRICS
        if (audits[m].get("score") or 0) < 0.9
    )
    return scores


def _lcp_element(audits):
    """What Lighthouse took as the largest paint, e.g. "<h1>", for the table."""
    try:
        tables = audits["largest-contentful-paint-element"]["details"]["items"]
        node = tables[0]["items"][0]["node"]
    except (KeyError, IndexError):
        return ""
    return node.get("snippet", "")[:40]


def run(ctx):
    chromium = chromium_path()
    if not chromium:
        raise RuntimeError("Chromium not found: apt-get install -y chromium")
    command = lighthouse_command()
    site = ctx.site()
    profiles = list(PROFILES)[:1] if ctx.quick else list(PROFILES)
    runs = 1 if ctx.quick else 3
    # Chromium opens connections ahead of need and may leave them idle; a sync
    # worker blocks on one until its 30 s timeout and is killed, which Lighthouse
    # reports as a failed load. In production nginx takes those connections;
    # here threads do.
    app = ctx.serve("tests.bench.served:app", threads=4)
    bare = ctx.serve("tests.bench.bare_app:app", threads=4)
    process, port = start_chromium(chromium, ctx.workdir / "chromium-profile")
    pages = {
        "lesson page, signed in": f"{app.url}/courses/{site.course}/lessons/"
        f"{site.lesson}",
        "verify page": f"{app.url}/verify/{site.certificate}",
        "bare": f"{bare.url}/page?bytes=5000",
    }
    figures = []
    try:
        sign_in_over_cdp(port, app.url, site)
        for profile in profiles:
            results = {
                name: median_audit(
                    command,
                    port,
                    url,
                    PROFILES[profile],
                    ctx.workdir / "lh.json",
                    runs,
                )
                for name, url in pages.items()
            }
            baseline, _ = results.pop("bare")
            for name, (scores, failures) in results.items():
                figures += _figures(
                    f"{name}, {profile}", scores, baseline or {}, profile, failures
                )
    finally:
        process.terminate()
        process.wait()
        app.stop()
        bare.stop()
    return figures


def _figures(name, scores, baseline, profile, failures):
    budgeted = profile == "mobile slow 4G"
    failed = f"{len(failures)} failed runs: {', '.join(failures)}" if failures else ""
    if scores is None:
        return [
            Figure("lighthouse", name, "", None, "", verdict="miss", note=failed[:120])
        ]
    figures = [
        Figure(
            "lighthouse",
            f"{name}: {category}",
            "100" if budgeted else "",
            scores[category],
            "",
            baseline.get(category),
            "bare 5 KB page",
            at_least(100, scores[category]) if budgeted else "info",
            "; ".join(filter(None, [scores["weakest"], failed]))
            if category == "performance"
            else "",
        )
        for category in CATEGORIES
    ]
    figures += [
        Figure(
            "lighthouse",
            f"{name}: {metric}",
            "<= 1.0 s" if budgeted and metric == "FCP" else "",
            scores[metric],
            "s",
            baseline.get(metric),
            "bare 5 KB page",
            at_most(1.0, scores[metric]) if budgeted and metric == "FCP" else "info",
            f"element {scores['LCP element']}" if metric == "LCP" else "",
        )
        for metric in ("FCP", "LCP")
    ]
    return figures
