"""A real server and Debian's Chromium at a phone's size (never a downloaded one)."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import unavailable

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


def chromium_path():
    path = os.environ.get("LMS_TEST_CHROMIUM") or shutil.which("chromium")
    if not path:
        unavailable("Chromium not installed (apt-get install -y chromium)")
    return path


@pytest.fixture
def config(config):
    config["WTF_CSRF_ENABLED"] = True  # the browser goes through real forms
    return config


@pytest.fixture
def live_server(app, mini_course):
    """Serve the app with the mini course, from another thread.

    This thread's session commits first: a transaction that wrote holds SQLite's
    write lock until it ends, and the server must be free to write.
    """
    from lms.extensions import db

    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["LMS_PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app.config["LMS_PUBLIC_URL"]
    server.shutdown()
    thread.join()


@pytest.fixture
def phone():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS
        )
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN"
        )
        page = context.new_page()
        yield page
        context.close()
        browser.close()
