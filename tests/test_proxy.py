"""Behind a reverse proxy: X-Forwarded-* believed from exactly LMS_PROXY_HOPS hops."""

import pytest

from lms import create_app
from lms.config import ConfigurationError
from lms.ratelimits import SIGN_IN_PER_ADDRESS
from tests.conftest import PASSWORD

# Failed sign-ins one address may make in a minute before it is refused.
PER_MINUTE = int(SIGN_IN_PER_ADDRESS.split()[0])


@pytest.fixture
def proxied(app, config):
    """A client of the app with real rate limits behind ``hops`` proxies."""

    def client(hops):
        behind = create_app(
            config
            | {
                "RATELIMIT_ENABLED": True,
                "LMS_PROXY_HOPS": hops,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            }
        )
        behind.test_client_class = app.test_client_class
        return behind.test_client()

    return client


def failed_sign_in(client, attempt, forwarded_for):
    """A wrong sign-in for a fresh phone number, so only the address is counted."""
    return client.post(
        "/login",
        data={"phone": f"09130000{attempt:02d}", "password": PASSWORD},
        headers={"X-Forwarded-For": forwarded_for},
    ).status_code


def test_without_a_proxy_a_forged_address_does_not_dodge_the_limit(proxied):
    client = proxied(0)
    attempts = range(PER_MINUTE + 1)
    statuses = [failed_sign_in(client, i, f"198.51.100.{i}") for i in attempts]
    assert statuses == [400] * PER_MINUTE + [429]


def test_behind_one_proxy_the_limit_counts_the_address_it_saw(proxied):
    client = proxied(1)
    # The client writes what it likes first; the proxy appends the real address.
    statuses = [
        failed_sign_in(client, i, f"198.51.100.{i}, 203.0.113.7")
        for i in range(PER_MINUTE + 1)
    ]
    assert statuses == [400] * PER_MINUTE + [429]
    assert failed_sign_in(client, PER_MINUTE + 1, "203.0.113.7") == 429
    assert failed_sign_in(client, PER_MINUTE + 2, "203.0.113.8") == 400  # a neighbour


@pytest.mark.parametrize(("hops", "hsts"), [(0, False), (1, True)])
def test_https_at_the_proxy_turns_on_hsts(proxied, hops, hsts):
    response = proxied(hops).get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert ("Strict-Transport-Security" in response.headers) is hsts


def test_a_proxy_count_that_is_not_a_number_is_refused_clearly(monkeypatch, config):
    monkeypatch.setenv("LMS_PROXY_HOPS", "one")
    with pytest.raises(ConfigurationError, match="LMS_PROXY_HOPS must be a whole"):
        create_app(config)
