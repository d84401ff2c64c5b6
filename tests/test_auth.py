"""Sign up, sign in and sign out through the pages a farmer uses."""

import re
import unicodedata
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from lms.extensions import db
from lms.models import Area, AuditEvent, User
from lms.services import passwords
from lms.services.passwords import needs_rehash
from tests.conftest import PASSWORD, PHONES, WriteLockProbe, count, make_user, sign_in


def area_id(code="P-A"):
    return db.session.scalar(sa.select(Area.id).where(Area.code == code))


def signup(client, **fields):
    data = {
        "phone": "0912 345 678",
        "name": "Nguyễn Thị Hoa",
        "area": area_id(),
        "password": PASSWORD,
    }
    data.update(fields)
    return client.post("/signup", data=data)


def test_signup_creates_a_learner_and_signs_in(client):
    response = signup(client)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User))
    assert (user.phone, user.role, user.area.code) == ("+84912345678", "learner", "P-A")
    assert user.password_hash.startswith("nfc$argon2id$")
    assert "Nguyễn Thị Hoa" in client.get("/").get_data(as_text=True)
    assert client.get("/me/learning").status_code == 200


def test_signup_form_helps_phones_fill_it_in(client):
    html = client.get("/signup").get_data(as_text=True)
    phone = re.search(r"<input[^>]*name=\"phone\"[^>]*>", html).group(0)
    assert 'type="tel"' in phone and 'inputmode="tel"' in phone
    assert 'autocomplete="tel"' in phone
    assert 'autocomplete="name"' in html and 'autocomplete="new-password"' in html
    for field in ("phone", "name", "area", "password"):
        assert f'<label for="{field}">' in html
    # Communes are grouped under their parent, and only communes are offered.
    assert '<optgroup label="Tỉnh Mẫu">' in html and "Xã An" in html
    assert f'value="{area_id("P")}"' not in html
    # Nothing is chosen for the farmer: the first option asks.
    assert re.search(r'<select[^>]*name="area"[^>]*><option value="" selected>', html)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phone": "0241 234 567"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"name": "   "}, "name"),
        ({"name": "\u200b\u200b \u2060"}, "name"),  # only invisible characters
        ({"name": "x" * 121}, "name"),
        ({"password": "1234567"}, "password"),
        ({"password": "12345678"}, "password"),
        ({"password": "0912345678"}, "password"),
        ({"area": ""}, "area"),
        ({"area": "999999"}, "area"),
        ({"area": "not-a-number"}, "area"),
        ({"area": "PROVINCE"}, "area"),
    ],
)
def test_bad_signup_shows_the_problem_and_creates_nothing(client, fields, field):
    if fields.get("area") == "PROVINCE":
        fields["area"] = area_id("P")  # a province is not a commune
    response = signup(client, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    error = re.search(rf'id="{field}-error">([^<]*)<', html).group(1)
    assert error and "coerce" not in error and "Invalid" not in error
    assert count(User) == 0


def test_signup_with_a_registered_number_says_so(client, learner):
    response = signup(client, phone="84912345678", name="Người khác")
    assert response.status_code == 400
    assert 'id="phone-error"' in response.get_data(as_text=True)
    assert count(User) == 1


def test_signup_cannot_choose_a_role(client):
    signup(client, role="admin")
    assert db.session.scalar(sa.select(User.role)) == "learner"


def test_signup_is_audited(client):
    signup(client)
    event = db.session.scalar(sa.select(AuditEvent))
    assert event.action == "user.create" and event.detail == {"role": "learner"}


def test_sign_in_with_any_spelling_of_the_number(client, learner):
    response = sign_in(client, phone="+84 912 345 678")
    assert response.status_code == 302
    assert client.get("/me/learning").status_code == 200


def test_sign_in_does_not_reveal_whether_a_number_is_registered(client, learner):
    wrong_password = sign_in(client, password="not the password")
    unknown_number = sign_in(client, phone="0987654321")
    assert wrong_password.status_code == unknown_number.status_code == 400

    def error(response):
        return re.search(
            r'id="password-error">([^<]*)<', response.get_data(as_text=True)
        )

    assert error(wrong_password).group(1) == error(unknown_number).group(1)


def test_sign_in_goes_back_to_the_page_asked_for_but_only_on_this_site(client, learner):
    response = client.get("/me/learning")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    ok = client.post(
        "/login",
        data={"phone": "0912345678", "password": PASSWORD, "next": "/me/learning"},
    )
    assert ok.headers["Location"] == "/me/learning"
    client.post("/logout")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            "/login", data={"phone": "0912345678", "password": PASSWORD, "next": evil}
        )
        assert response.headers["Location"] == "/", evil
        client.post("/logout")


def test_checking_a_password_leaves_the_database_free_for_writers(
    app, learner, monkeypatch
):
    """Argon2 takes a tenth of a second or more: under a crowd of farmers signing
    in, holding SQLite's write lock meanwhile made other writers give up with
    "database is locked"."""
    from lms.services import accounts

    verify, another_worker_writes = accounts.verify_password, WriteLockProbe(app)

    def verify_while_another_worker_writes(password_hash, password):
        another_worker_writes()
        return verify(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", verify_while_another_worker_writes)
    assert sign_in(app.test_client()).status_code == 302
    assert sign_in(app.test_client(), password="not the password").status_code == 400
    assert another_worker_writes.answers == [True, True]


def test_signing_up_hashes_the_password_with_the_database_free_for_writers(
    app, client, monkeypatch
):
    """A rush of sign-ups after a livestream must not queue every write behind
    each new password's hash."""

    hasher, another_worker_writes = passwords.hasher, WriteLockProbe(app)

    class Watching:
        def hash(self, password):
            another_worker_writes()
            return hasher.hash(password)

    monkeypatch.setattr(passwords, "hasher", Watching())
    assert signup(client).status_code == 302
    assert another_worker_writes.answers == [True]  # hashed once, with no lock held
    assert count(User) == 1


def test_sign_in_hashes_again_a_password_hashed_with_older_parameters(client, learner):
    older = PasswordHasher(time_cost=2, memory_cost=8, parallelism=1)
    learner.password_hash = older.hash(PASSWORD)
    db.session.commit()
    assert needs_rehash(learner.password_hash)
    assert sign_in(client).status_code == 302
    assert not needs_rehash(learner.password_hash)
    assert sign_in(client.application.test_client()).status_code == 302


def test_sign_out_ends_the_session_on_every_device(app, learner):
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone)
    sign_in(laptop)
    assert laptop.get("/me/learning").status_code == 200
    phone.post("/logout")
    assert phone.get("/me/learning").status_code == 302
    assert laptop.get("/me/learning").status_code == 302


def test_disabled_account_cannot_sign_in(client, learner):
    learner.active = False
    db.session.commit()
    assert sign_in(client).status_code == 400


def test_forms_need_a_csrf_token(app, config):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    make_user()
    response = client.post("/login", data={"phone": "0912345678", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/me/learning").status_code == 302


def test_sign_in_is_rate_limited(app, config):
    from lms import create_app

    limited = create_app(
        config
        | {
            "RATELIMIT_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    limited.test_client_class = app.test_client_class
    client = limited.test_client()
    statuses = [
        sign_in(client, password="wrong password").status_code for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


def test_rate_limit_is_shared_by_workers_through_redis(app, config):
    """Two app instances (two gunicorn workers) count against one limit."""
    import redis

    from lms import create_app
    from tests.conftest import redis_url

    url = redis_url()
    redis.Redis.from_url(url).flushdb()
    workers = []
    for _ in range(2):
        worker = create_app(
            config
            | {
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": url,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            }
        )
        worker.test_client_class = app.test_client_class
        workers.append(worker.test_client())
    statuses = [
        sign_in(workers[i % 2], password="wrong password").status_code
        for i in range(11)
    ]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    store = redis.Redis.from_url(url)
    assert any(b"auth.login" in key for key in store.keys("LIMITS*"))  # in Redis
    store.flushdb()


NFD = unicodedata.normalize("NFD", PASSWORD)  # "ả" as "a" and a combining hook


def test_a_password_is_the_same_however_its_accents_are_spelled(client):
    assert NFD != PASSWORD
    assert signup(client, password=NFD).status_code == 302  # a laptop's spelling
    assert sign_in(client.application.test_client()).status_code == 302  # a phone's
    assert sign_in(client.application.test_client(), password=NFD).status_code == 302


def test_changing_the_password_takes_any_spelling(signed_in):
    new = "mùa vải năm nay được giá"
    response = signed_in.post(
        "/me/password",
        data={
            "current_password": NFD,
            "password": unicodedata.normalize("NFD", new),
        },
    )
    assert response.status_code == 302
    assert sign_in(signed_in.application.test_client(), password=new).status_code == 302


def test_a_password_hashed_before_normalising_keeps_working(client, learner):
    learner.password_hash = passwords.hasher.hash(NFD)  # stored as typed, unmarked
    db.session.commit()
    assert sign_in(client, password=PASSWORD).status_code == 302
    assert learner.password_hash.startswith("nfc$")  # hashed again, composed
    for spelling in (PASSWORD, NFD):
        browser = client.application.test_client()
        assert sign_in(browser, password=spelling).status_code == 302
    assert sign_in(client.application.test_client(), password="sai").status_code == 400


def test_signup_reports_every_problem_at_once(client, learner):
    response = signup(
        client, phone="0912 345 678", name="  ", area="", password="12345678"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for field, words in [
        ("phone", "đã được đăng ký"),  # taken, said along with the rest
        ("name", ""),
        ("area", ""),
        ("password", ""),
    ]:
        error = re.search(rf'id="{field}-error">([^<]*)<', html)
        assert error and words in error.group(1), field
    assert count(User) == 1
    malformed = signup(client, phone="0241 234 567", password="0241234567x")
    html = malformed.get_data(as_text=True)
    assert 'id="phone-error"' in html and 'id="password-error"' not in html
    both = signup(client, phone="12", name="x" * 121, password="")
    html = both.get_data(as_text=True)
    assert all(f'id="{f}-error"' in html for f in ("phone", "name", "password"))


def test_a_number_already_signed_up_is_shown_the_way_in(client, classroom):
    """A farmer who signed up at last season's training day signs up again from
    a class link: beside the refusal, a button to sign in that still leads to the
    class, and the way back in if the password is forgotten."""
    join = f"/join/{classroom.join_code}"
    page = client.post(
        f"/signup?next={join}",
        data={
            "phone": PHONES["learner"],
            "name": "Lan",
            "area": area_id(),
            "next": join,
        },
    ).get_data(as_text=True)
    after_phone = page.split('id="phone-error"')[1].split('<div class="field')[0]
    assert f'href="/login?next={join}">Đăng nhập bằng số này</a>' in after_phone
    assert 'href="/code"' in after_phone
    other = client.post("/signup", data={"phone": "12", "name": "Lan"})
    assert "Đăng nhập bằng số này" not in other.get_data(as_text=True)


def test_signup_keeps_where_the_farmer_was_going(client, classroom):
    join = f"/join/{classroom.join_code}"
    first = client.get(f"/signup?next={join}")
    assert f'name="next" type="hidden" value="{join}"' in first.get_data(as_text=True)
    assert f"/login?next=/join/{classroom.join_code}" in first.get_data(as_text=True)
    wrong = client.post(
        "/signup",
        data={"phone": "0912 777 888", "name": "", "area": area_id(), "next": join},
    )
    assert wrong.status_code == 400
    assert f'value="{join}"' in wrong.get_data(as_text=True)
    done = client.post(
        "/signup",
        data={
            "phone": "0912 777 888",
            "name": "Lò Thị Mai",
            "area": area_id(),
            "password": PASSWORD,
            "next": join,
        },
    )
    assert done.status_code == 302 and done.headers["Location"] == join
    assert client.get(join).status_code == 200
    # Signed in already, the sign-up link leads straight on; elsewhere never.
    assert client.get(f"/signup?next={join}").headers["Location"] == join
    assert client.get("/signup?next=//evil.example").headers["Location"] == "/"


@pytest.mark.parametrize(
    "role, lands_on",
    [
        ("learner", "/"),
        ("trainer", "/teach"),
        ("official", "/reports"),
        ("admin", "/admin"),
    ],
)
def test_each_role_lands_on_its_daily_work_after_signing_in(
    app, people, role, lands_on
):
    client = app.test_client()
    response = sign_in(client, phone=PHONES[role])
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == lands_on
    # Opening the sign-in page again, already signed in, goes to the same place.
    again = client.get("/login")
    assert urlsplit(again.headers["Location"]).path == lands_on
    assert client.get(lands_on).status_code == 200


def test_signing_up_from_a_course_page_comes_back_to_it(client, mini_course):
    """A farmer sent a course's link taps "Create a free account": once signed
    up they are on that course, welcomed without being told to choose one."""
    page = client.get("/courses/mini").get_data(as_text=True)
    link = re.search(r'href="([^"]*/signup[^"]*)"', page).group(1)
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    next_value = re.search(r'name="next" type="hidden" value="([^"]*)"', form).group(1)
    done = signup(client, next=next_value)
    assert done.status_code == 302 and done.headers["Location"] == "/courses/mini"
    landed = client.get("/courses/mini").get_data(as_text=True)
    assert "Chào mừng Nguyễn Thị Hoa!" in landed
    assert "Hãy chọn một khoá học" not in landed
