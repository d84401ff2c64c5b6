"""Rate limits per account and per address, shared by every worker through Redis."""

import pytest
import redis

from lms import create_app
from lms.extensions import db
from lms.services.codes import issue_code
from tests.conftest import PASSWORD, make_user, redis_url, sign_in


@pytest.fixture
def shared_store():
    url = redis_url()
    store = redis.Redis.from_url(url)
    store.flushdb()
    yield url
    store.flushdb()


def workers(app, config, count=2, storage="memory://"):
    """``count`` apps on one database and one limit store: gunicorn workers."""
    clients = []
    for _ in range(count):
        worker = create_app(
            config
            | {
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": storage,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            }
        )
        worker.test_client_class = app.test_client_class
        clients.append(worker.test_client())
    return clients


def from_address(number):
    return {"environ_base": {"REMOTE_ADDR": f"10.0.{number // 250}.{number % 250}"}}


def try_sign_in(client, number, phone="0912345678", password="wrong password"):
    return client.post(
        "/login", data={"phone": phone, "password": password}, **from_address(number)
    ).status_code


def test_guesses_at_one_account_are_counted_across_addresses_and_workers(
    app, config, learner, shared_store
):
    first, second = workers(app, config, storage=shared_store)
    statuses = [try_sign_in((first, second)[i % 2], i) for i in range(10)]
    assert statuses == [400] * 10
    # Another address, another worker, another spelling of the same number.
    assert try_sign_in(second, 99, phone="+84 912 345 678") == 429
    response = first.post(
        "/login", data={"phone": "84912345678", "password": "x"}, **from_address(98)
    )
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Vui lòng đợi 15 phút rồi thử lại." in html
    # Other accounts are not affected.
    make_user(phone="0912000007")
    assert try_sign_in(first, 1, phone="0912000007", password=PASSWORD) == 302
    assert any(
        b"account:+84912345678" in key
        for key in redis.Redis.from_url(shared_store).keys("LIMITS*")
    )


def test_signing_in_does_not_use_up_the_accounts_guesses(app, config, learner):
    (client,) = workers(app, config, count=1)
    for i in range(15):
        assert try_sign_in(client, i, password=PASSWORD) == 302
        client.post("/logout", **from_address(i))
    assert try_sign_in(client, 20) == 400


def test_one_address_is_limited_whatever_numbers_it_tries(app, config):
    (client,) = workers(app, config, count=1)
    statuses = [try_sign_in(client, 1, phone=f"09120000{i:02d}") for i in range(31)]
    assert statuses[:30] == [400] * 30 and statuses[30] == 429


def test_code_guesses_are_counted_per_account(app, config, learner, shared_store):
    issue_code(learner, "reset", None, code="12345678")
    db.session.commit()
    first, second = workers(app, config, storage=shared_store)

    def try_code(client, number, code):
        return client.post(
            "/code",
            data={"phone": "0912345678", "code": code, "password": "mới toanh ạ"},
            **from_address(number),
        ).status_code

    assert [try_code((first, second)[i % 2], i, f"0000000{i}") for i in range(5)] == [
        400
    ] * 5
    assert try_code(second, 50, "12345678") == 429  # even the right code, for now


def test_sync_is_limited_per_signed_in_user(app, config, people):
    first, other = workers(app, config)
    sign_in(first, phone="0912000001")
    sign_in(other, phone="0912000006")

    def sync(client, number):
        return client.post(
            "/api/v1/progress/sync", json={"events": []}, **from_address(number)
        )

    statuses = [sync(first, i).status_code for i in range(60)]
    assert set(statuses) == {400}  # an empty batch is refused, but counted
    refused = sync(first, 61)
    assert refused.status_code == 429 and "error" in refused.get_json()
    assert sync(other, 1).status_code == 400


def test_certificate_lookups_are_limited_per_address(app, config):
    (client,) = workers(app, config, count=1)
    statuses = [
        client.get(f"/verify/NOPE-{i}", **from_address(1)).status_code
        for i in range(61)
    ]
    assert statuses[:60] == [404] * 60 and statuses[60] == 429
    assert client.get("/verify/NOPE", **from_address(2)).status_code == 404
    badge = client.get("/badges/assertions/NOPE", **from_address(1))
    assert badge.status_code == 429


def test_class_code_guesses_are_limited_per_address(app, config, classroom):
    first, second = workers(app, config)
    statuses = [
        (first, second)[i % 2].get(f"/join/ZZZ{i:03d}", **from_address(1)).status_code
        for i in range(30)
    ]
    assert statuses == [404] * 30
    right = f"/join/{classroom.join_code}"
    assert first.get("/join/ZZZ999", **from_address(1)).status_code == 429
    assert second.get(right, **from_address(1)).status_code == 429  # for now
    assert first.get(right, **from_address(2)).status_code == 200


def test_joining_by_the_right_code_is_never_counted(app, config, classroom):
    (client,) = workers(app, config, count=1)
    right = f"/join/{classroom.join_code}"
    assert {client.get(right, **from_address(1)).status_code for _ in range(40)} == {
        200
    }


def test_retry_after_is_sent_only_with_a_refusal(app, config, learner, mini_course):
    from tests.helpers import lesson_event

    (client,) = workers(app, config, count=1)
    sign_in(client)
    synced = client.post("/api/v1/progress/sync", json={"events": [lesson_event()]})
    assert synced.status_code == 200 and "X-RateLimit-Limit" in synced.headers
    assert "Retry-After" not in synced.headers
    statuses = []
    for i in range(61):
        response = client.get(f"/verify/NOPE-{i}", **from_address(7))
        statuses.append(response.status_code)
        assert ("Retry-After" in response.headers) is (response.status_code == 429)
    assert statuses[-1] == 429
