"""Single-use secrets are spent exactly once, even when used at the same moment."""

import threading

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from lms.extensions import db
from lms.models import AuditEvent
from lms.services.codes import issue_code
from tests.conftest import DATABASES

PARALLEL = 8


def redeem_together(app, data):
    """POST /code with ``data`` from PARALLEL phones at once; their status codes."""
    barrier, statuses = threading.Barrier(PARALLEL), []

    def phone(number):
        client = FlaskClient(app, app.response_class)
        client.environ_base["REMOTE_ADDR"] = f"127.0.1.{number}"
        barrier.wait()
        with app.app_context():
            statuses.append(client.post("/code", data=data).status_code)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.parametrize("purpose", ["reset", "activation"])
@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_code_used_by_several_phones_at_once_works_once(app, learner, purpose):
    issue_code(learner, purpose, None, code="24681357")
    db.session.commit()
    data = {
        "phone": "0912345678",
        "code": "24681357",
        "password": "mới đổi mật khẩu",
        "confirm": "mới đổi mật khẩu",
    }
    statuses = redeem_together(app, data)
    assert sorted(statuses) == [302] + [400] * (PARALLEL - 1)
    used = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == f"code.{purpose}_used")
    )
    assert used == 1
