"""Bytes a farmer's phone downloads for the main pages, against the budgets.

Run on purpose (not collected by pytest):

    .venv/bin/python -m tests.bench.page_weight [--json FILE]

It sets up a fresh SQLite database with the bundled courses, serves the app on
127.0.0.1, and drives Debian's Chromium at a phone's size with slow-4G
throttling. For each page it sums the bytes on the wire (compressed, as
reported by Chromium; lesson pictures excluded) on a first visit (empty cache)
and a repeat visit (same browser), beside a baseline measured the same way: a
bare HTML page of about 5 KB served by the same server.
"""

import argparse
import json
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

BUDGETS = {  # bytes; DESIGN.md
    "lesson_html": 14 * 1024,
    "first_visit": 30 * 1024,
    "repeat_visit": 8 * 1024,
}
SLOW_4G = {  # Lighthouse's mobile profile
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "vải thiều chín đỏ"
BASELINE_HTML = "<!doctype html><title>x</title>" + "<p>" + "lorem ipsum " * 420


def build_site(folder):
    from sqlalchemy import select

    from lms import create_app
    from lms.cli import setup
    from lms.extensions import db
    from lms.models import Area
    from lms.services.accounts import create_user

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "LMS_UPLOAD_DIR": str(folder / "uploads"),
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    app.add_url_rule("/bench/baseline", "bench_baseline", lambda: BASELINE_HTML)
    with app.app_context():
        setup()
        area = db.session.scalar(select(Area).where(Area.code == "BN-LN-NAMDUONG"))
        create_user("0912345678", "Nguyễn Thị Hoa", "learner", area, PASSWORD)
        db.session.commit()
    return app


class WireCounter:
    """WSGI middleware counting what the server sends, headers and body.

    Counting at the server sees everything, including what the page's service
    worker fetches, which the page's own network panel does not.
    """

    def __init__(self, app):
        self.app = app
        self.sent = []  # (path, bytes)
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        head = {}

        def counting_start(status, headers, exc_info=None):
            head["bytes"] = len(status) + sum(len(k) + len(v) + 4 for k, v in headers)
            return start_response(status, headers, exc_info)

        body = self.app(environ, counting_start)
        size = 0
        try:
            for chunk in body:
                size += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
            with self.lock:
                self.sent.append((environ["PATH_INFO"], head.get("bytes", 0) + size))

    def take(self, page_path=None):
        """Bytes sent since the last call, lesson pictures (/media/) excluded,
        and the bytes of ``page_path`` itself (the first time it was sent)."""
        with self.lock:
            sent, self.sent = self.sent, []
        total = sum(size for path, size in sent if not path.startswith("/media/"))
        page = next((size for path, size in sent if path == page_path), 0)
        return page, total


def serve(app):
    from werkzeug.serving import make_server

    app.wsgi_app = counter = WireCounter(app.wsgi_app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, counter, f"http://127.0.0.1:{server.server_port}"


def measure(page, url, counter):
    """Bytes on the wire for one visit on slow 4G: (the page's HTML, everything).

    The HTML figure is what the server sent for the page itself, compressed.
    """
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", SLOW_4G)
    counter.take()
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)  # let a service worker finish what it started
    session.detach()
    return counter.take(urlsplit(url).path)


def run(chromium):
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp())
    try:
        server, counter, base = serve(build_site(folder))
        pages = {
            "catalogue": "/",
            "course": "/courses/livestream-selling",
            "lesson": "/courses/livestream-selling/lessons/plan-your-session",
            "quiz": "/courses/livestream-selling/quiz",
            "my learning": "/me/learning",
            "baseline (bare 5 KB page)": "/bench/baseline",
        }
        rows = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=CHROMIUM_FLAGS
            )
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, is_mobile=True, locale="vi-VN"
            )
            page = context.new_page()
            page.goto(base + "/login")
            page.fill("#phone", "0912345678")
            page.fill("#password", PASSWORD)
            page.locator("main form button").click()
            page.wait_for_load_state()
            for name, path in pages.items():
                first_context = browser.new_context(
                    viewport={"width": 360, "height": 740},
                    is_mobile=True,
                    locale="vi-VN",
                    storage_state=context.storage_state(),
                )
                first_page = first_context.new_page()
                html, first = measure(first_page, base + path, counter)
                _, repeat = measure(first_page, base + path, counter)
                first_context.close()
                rows.append(
                    {"page": name, "html": html, "first": first, "repeat": repeat}
                )
            browser.close()
        server.shutdown()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def report(rows):
    baseline = next(r for r in rows if r["page"].startswith("baseline"))
    print(
        f"{'page':28} {'HTML':>8} {'first':>8} {'repeat':>8} "
        f"{'first/baseline':>15}  budget (first {BUDGETS['first_visit']}, "
        f"repeat {BUDGETS['repeat_visit']}, lesson HTML {BUDGETS['lesson_html']})"
    )
    for row in rows:
        ok = (
            row["first"] <= BUDGETS["first_visit"]
            and row["repeat"] <= BUDGETS["repeat_visit"]
        )
        if row["page"] == "lesson":
            ok = ok and row["html"] <= BUDGETS["lesson_html"]
        ratio = row["first"] / baseline["first"] if baseline["first"] else 0
        verdict = "" if row is baseline else ("pass" if ok else "MISS")
        print(
            f"{row['page']:28} {row['html']:8d} {row['first']:8d} {row['repeat']:8d} "
            f"{ratio:15.2f}  {verdict}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not args.chromium:
        sys.exit("Chromium not found: apt-get install -y chromium")
    rows = run(args.chromium)
    report(rows)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"budgets": BUDGETS, "pages": rows}, indent=2)
        )


if __name__ == "__main__":
    main()
