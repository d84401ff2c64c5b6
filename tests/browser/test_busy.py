"""A phone syncing progress made offline while the server is too busy to write:
it waits as long as the server's Retry-After asks, tries again by itself, and
the progress arrives once."""

import sqlite3

import pytest

from tests.browser.test_offline import completions, sign_in, waiting
from tests.helpers import vi


@pytest.fixture
def config(config):
    config["LMS_SQLITE_BUSY_MS"] = 100  # a write gives up on the lock quickly
    return config


def test_the_offline_queue_comes_back_when_the_server_says(
    app, learner, live_server, phone
):
    from playwright.sync_api import expect

    page = phone
    sign_in(page, live_server)
    page.goto(live_server + "/courses/mini")
    page.locator("[data-offline-save]").click()  # saving for offline enrols
    page.goto(live_server + "/courses/mini/lessons/first")
    page.context.set_offline(True)
    page.get_by_role("button", name=vi("Mark as complete")).click()
    status = page.locator("[data-sync-status]")
    expect(status).to_have_text(waiting(1))

    # Another worker holds SQLite's write lock for longer than a write waits.
    other = sqlite3.connect(
        app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"),
        isolation_level=None,
    )
    other.execute("BEGIN IMMEDIATE")
    try:
        with page.expect_response("**/api/v1/progress/sync") as busy:
            page.context.set_offline(False)
        assert busy.value.status == 503
        assert int(busy.value.headers["retry-after"]) > 0
        expect(status).to_have_text(waiting(1))
    finally:
        other.execute("ROLLBACK")
        other.close()
    # No tap, no reload: the phone comes back by itself.
    expect(status).to_have_text(
        vi("Your progress made offline has been sent."), timeout=20_000
    )
    assert completions("first") == 1
