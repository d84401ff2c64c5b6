"""Password hashes made with the parameters production uses (real argon2, not the
cheap hasher of the rest of the suite), and older hashes upgraded at sign-in."""

import sys

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, Type, extract_parameters

from lms.extensions import db
from lms.models import Area, User
from lms.services import passwords
from tests.conftest import DATABASES, PASSWORD, WriteLockProbe, sign_in
from tests.helpers import fresh_python

# What README "Passwords" promises: argon2id, m=19 MiB, t=2, p=1 (OWASP).
PRODUCTION = {"type": Type.ID, "memory_cost": 19456, "time_cost": 2, "parallelism": 1}
# What every hash was made with before: argon2-cffi's default, RFC 9106 low memory.
OLDER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)


@pytest.fixture
def config(config):
    config["LMS_CHEAP_PASSWORD_HASHING"] = False
    return config


def parameters(user):
    db.session.refresh(user)
    found = extract_parameters(user.password_hash.removeprefix(passwords.NFC_MARK))
    return {name: getattr(found, name) for name in PRODUCTION}


def stored_hash(phone="+84912345678"):
    return db.session.scalar(sa.select(User.password_hash).where(User.phone == phone))


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_sign_up_hashes_with_the_production_parameters(client):
    area = db.session.scalar(sa.select(Area.id).where(Area.code == "P-A"))
    response = client.post(
        "/signup",
        data={
            "phone": "0912345678",
            "name": "Lò Văn Páo",
            "area": area,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User))
    assert user.password_hash.startswith("nfc$argon2id$")
    assert parameters(user) == PRODUCTION
    assert not passwords.needs_rehash(user.password_hash)


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_an_older_hash_is_upgraded_at_the_next_sign_in(app, learner):
    learner.password_hash = passwords.NFC_MARK + OLDER.hash(PASSWORD)
    db.session.commit()
    before = stored_hash()

    assert sign_in(app.test_client(), password="not the password").status_code == 400
    assert stored_hash() == before  # a wrong password changes nothing

    assert sign_in(app.test_client()).status_code == 302
    assert stored_hash() != before
    assert parameters(learner) == PRODUCTION
    after = stored_hash()
    assert sign_in(app.test_client()).status_code == 302  # the new hash matches
    assert stored_hash() == after  # and is not made again


def test_the_upgrade_is_hashed_with_the_database_free_for_writers(
    app, learner, monkeypatch
):
    """Hashing again at sign-in must not hold SQLite's write lock meanwhile."""
    learner.password_hash = passwords.NFC_MARK + OLDER.hash(PASSWORD)
    db.session.commit()
    hasher, another_worker_writes = passwords.hasher, WriteLockProbe(app)

    class Watching:
        def __getattr__(self, name):
            return getattr(hasher, name)

        def hash(self, password):
            another_worker_writes()
            return hasher.hash(password)

    monkeypatch.setattr(passwords, "hasher", Watching())
    assert sign_in(app.test_client()).status_code == 302
    assert another_worker_writes.answers == [True]
    assert parameters(learner) == PRODUCTION


RESIDENT_AFTER_SIGN_INS = """
from lms.services.passwords import PARAMETERS
from argon2 import PasswordHasher

def resident_mb():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024

hasher = PasswordHasher(**PARAMETERS)
stored = hasher.hash("vải thiều chín đỏ")
before = resident_mb()
for _ in range(10):
    hasher.verify(stored, "vải thiều chín đỏ")
    padding = [bytes(200) for _ in range(2000)]  # a request's own allocations
print(resident_mb() - before)
"""


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc/self/status (Linux)"
)
def test_a_worker_gives_the_memory_of_a_sign_in_back():
    """Each sign-in's 19 MiB is returned when it is done, not kept by the worker
    for good (glibc would keep it after the first: +20 MB in every worker)."""
    grown = float(fresh_python(RESIDENT_AFTER_SIGN_INS).strip().splitlines()[-1])
    assert grown < 8, f"{grown:.1f} MB still resident after ten sign-ins"
