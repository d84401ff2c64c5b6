"""A database server that drops the app's connections (a restart, a failover, a
firewall that forgets idle connections): the next farmer sees no error page, and
one caught in the middle is asked to try again in their language."""

import psycopg
import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import User
from tests.conftest import PASSWORD
from tests.helpers import postgres_url

pytestmark = pytest.mark.parametrize("app", ["postgres"], indirect=True)


def drop_the_apps_connections():
    url = postgres_url().replace("+psycopg", "", 1)
    with psycopg.connect(url, autocommit=True) as admin:
        dropped = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    assert dropped, "the app had no connection open"


def test_connections_dropped_while_the_site_sat_idle_are_replaced_before_use(
    app, client
):
    assert client.get("/").status_code == 200
    db.session.remove()
    drop_the_apps_connections()
    # Each pooled connection is checked before use (pool_pre_ping).
    assert client.get("/").status_code == 200
    assert client.get("/signup").status_code == 200


def test_a_connection_dropped_during_a_request_asks_to_try_again(app, client, people):
    dropping = {"now": False}

    @app.before_request
    def the_server_restarts_after_the_request_began():
        if dropping["now"]:
            dropping["now"] = False
            db.session.execute(sa.text("SELECT 1"))  # the request has its connection
            drop_the_apps_connections()

    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    dropping["now"] = True
    response = client.post(
        "/signup",
        data={
            "phone": "0987000111",
            "name": "Lò Văn Sáng",
            "area": people["learner"].area_id,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    html = response.get_data(as_text=True)
    assert "gián đoạn" in html and "Chưa có gì được lưu" in html
    assert "Traceback" not in html
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before
    # The very next request is served: the pool replaced the dead connections.
    assert client.get("/").status_code == 200
