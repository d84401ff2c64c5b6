"""Bytes a farmer's phone downloads for the main pages, against the budgets.

Part of ``python -m tests.bench`` (``--part page_weight``); also runs alone:
``python -m tests.bench.page_weight``.

It serves the bench database from this process and drives Debian's Chromium at
360x740 with slow-4G throttling. For each page it sums the bytes the server sent
(headers and compressed bodies; lesson pictures under /media/ excluded) on a first
visit (empty cache) and a repeat visit (same browser), beside a bare HTML page of
about 5 KB served the same way. Counting at the server also sees what the page's
service worker fetches, which the page's own network panel does not.
"""

import os
import shutil
import sys
import threading
import time
from urllib.parse import urlsplit

from tests.bench.context import PASSWORD
from tests.bench.figures import Figure, at_most, kilobytes

BUDGETS = {  # bytes, for the lesson page; DESIGN.md
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
OFFICIAL_PHONE = "0912000007"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
BASELINE_HTML = (  # an icon of its own, as the app's pages have: no /favicon.ico 404
    '<!doctype html><title>x</title><link rel="icon" href="data:,">'
    + "<p>"
    + "lorem ipsum " * 420
)


def pages(site):
    """(name, path, who signs in): add a page here to weigh it too."""
    course = f"/courses/{site.course}"
    return [
        ("catalogue", "/", "learner"),
        ("course", course, "learner"),
        ("lesson", f"{course}/lessons/{site.lesson}", "learner"),
        ("quiz", f"{course}/quiz", "learner"),
        ("my learning", "/me/learning", "learner"),
        ("verify", f"/verify/{site.certificate}", None),
        ("official's overview", "/reports", "official"),
    ]


def add_official(config):
    """An official for the whole province (the area tree's root), once."""
    import sqlalchemy as sa

    from lms import create_app
    from lms.extensions import db
    from lms.models import Area, User
    from lms.services.accounts import create_user

    app = create_app(config)
    with app.app_context():
        phone = "+84" + OFFICIAL_PHONE[1:]
        if db.session.scalar(sa.select(User.id).where(User.phone == phone)) is None:
            province = db.session.scalar(
                sa.select(Area).where(Area.parent_id.is_(None)).order_by(Area.id)
            )
            create_user(OFFICIAL_PHONE, "Lê Thu Hà", "official", province, PASSWORD)
            db.session.commit()
        db.engine.dispose()


def chromium_path():
    """Debian's Chromium, or LMS_TEST_CHROMIUM as for the browser tests."""
    return (
        os.environ.get("LMS_TEST_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


class WireCounter:
    """WSGI middleware counting what the server sends, headers and body."""

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

    def wait_quiet(self, quiet=1.0, longest=10.0):
        """Wait until nothing has been sent for ``quiet`` seconds."""
        deadline = time.monotonic() + longest
        last = (-1, time.monotonic())
        while time.monotonic() < deadline:
            with self.lock:
                count = len(self.sent)
            if count != last[0]:
                last = (count, time.monotonic())
            elif time.monotonic() - last[1] >= quiet:
                return
            time.sleep(0.05)

    def take(self, page_path=None):
        """Bytes sent since the last call, lesson pictures (/media/) excluded,
        and the bytes of ``page_path`` itself (the first time it was sent)."""
        with self.lock:
            sent, self.sent = self.sent, []
        total = sum(size for path, size in sent if not path.startswith("/media/"))
        page = next((size for path, size in sent if path == page_path), 0)
        return page, total


def serve(config):
    from werkzeug.serving import make_server

    from lms import create_app

    app = create_app(config)
    app.add_url_rule("/bench/baseline", "bench_baseline", lambda: BASELINE_HTML)
    app.wsgi_app = counter = WireCounter(app.wsgi_app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, counter, f"http://127.0.0.1:{server.server_port}"


def measure(page, url, counter):
    """Bytes on the wire for one visit on slow 4G: (the page's HTML, everything)."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", SLOW_4G)
    counter.take()
    response = page.goto(url, wait_until="networkidle")
    if response.status != 200 or urlsplit(page.url).path != urlsplit(url).path:
        raise RuntimeError(f"{url} answered {response.status} at {page.url}")
    counter.wait_quiet()  # what the service worker fetches after the page is in
    session.detach()
    return counter.take(urlsplit(url).path)


def sign_in(browser, base, phone, password):
    """A signed-in browser state, through the real form."""
    context = browser.new_context(**PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#phone", phone)
    page.fill("#password", password)
    page.locator("main form button").click()
    page.wait_for_load_state()
    state = context.storage_state()
    context.close()
    return state


def weigh(site, chromium):
    """Rows of {page, html, first, repeat} in bytes, the baseline last."""
    from playwright.sync_api import sync_playwright

    add_official(site.config)
    server, counter, base = serve(site.config)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=CHROMIUM_FLAGS
            )
            states = {
                "learner": sign_in(browser, base, site.phone, site.password),
                "official": sign_in(browser, base, OFFICIAL_PHONE, PASSWORD),
            }
            listed = [*pages(site), ("baseline", "/bench/baseline", None)]
            for name, path, who in listed:
                context = browser.new_context(
                    **PHONE, locale="vi-VN", storage_state=states.get(who)
                )
                page = context.new_page()
                html, first = measure(page, base + path, counter)
                _, repeat = measure(page, base + path, counter)
                context.close()
                rows.append(
                    {"page": name, "html": html, "first": first, "repeat": repeat}
                )
            browser.close()
    finally:
        server.shutdown()
    return rows


def figures(rows):
    *measured, baseline = rows
    result = []
    for row in measured:
        lesson = row["page"] == "lesson"
        if lesson:
            result.append(
                _figure("lesson HTML, compressed", row["html"], "lesson_html", None)
            )
        result.append(
            _figure(
                f"{row['page']}: first visit",
                row["first"],
                "first_visit",
                baseline["first"],
                lesson,
            )
        )
        result.append(
            _figure(
                f"{row['page']}: repeat visit",
                row["repeat"],
                "repeat_visit",
                baseline["repeat"],
                lesson,
            )
        )
    return result


def _figure(name, size, budget, baseline, budgeted=True):
    limit = BUDGETS[budget]
    return Figure(
        "page weight",
        name,
        f"<= {limit // 1024} KB" if budgeted else "",
        kilobytes(size),
        "KB",
        None if baseline is None else kilobytes(baseline),
        "bare 5 KB page",
        at_most(limit, size) if budgeted else "info",
    )


def run(ctx):
    chromium = chromium_path()
    if not chromium:
        raise RuntimeError("Chromium not found: apt-get install -y chromium")
    return figures(weigh(ctx.site(), chromium))


def main():
    from tests.bench.__main__ import main as bench

    sys.exit(bench(["--part", "page_weight", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
