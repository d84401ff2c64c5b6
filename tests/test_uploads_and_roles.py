"""Uploads are only ever pictures; nobody raises their own role or area."""

import html
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Area, Submission, User
from lms.services import DomainError
from lms.services.accounts import set_role
from lms.services.authoring import save_assignment
from tests.conftest import PASSWORD, PHONES, jpeg, sign_in

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


def polyglot():
    """A real JPEG with a script page appended: browsers sniffing it see HTML."""
    return io.BytesIO(jpeg(64, 64).getvalue() + HTML)


@pytest.fixture
def assignment(classroom):
    assignment = save_assignment(
        classroom.courses[0], "Quay thử.", None, [("Đủ sáng", None)], True, 3
    )
    db.session.commit()
    return assignment


@pytest.mark.parametrize(
    ("payload", "name"),
    [(HTML, "vuon.jpg"), (SVG, "vuon.jpg"), (SVG, "vuon.svg"), (HTML, "a.html")],
)
def test_a_file_that_is_not_a_photo_is_refused(app, as_role, assignment, payload, name):
    response = as_role("learner").post(
        "/courses/mini/practical", data={"photos": (io.BytesIO(payload), name)}
    )
    assert response.status_code == 400
    assert "Tệp này không phải là ảnh." in response.get_data(as_text=True)
    folder = Path(app.config["LMS_UPLOAD_DIR"]) / "submissions"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_note_too_long_is_refused_whole_and_kept_with_the_photo(
    app, as_role, assignment
):
    """A note over 2,000 characters was cut without a word: now the farmer is
    told, the note comes back as typed, the photo is offered again, and
    nothing waits for review until they send it shorter."""
    learner = as_role("learner")
    note = "Em quay ở vườn nhà 🌾 " * 100 + "Thầy xem giúp em đoạn cuối nhé?"
    response = learner.post(
        "/courses/mini/practical",
        data={"photos": [(jpeg(), "vuon.jpg")], "note": note},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Ghi chú quá dài: tối đa 2000 ký tự." in page
    assert note.strip() in html.unescape(page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0
    kept = re.search(r'name="kept" type="hidden" value="([^"]+)"', page).group(1)
    sent = learner.post(
        "/courses/mini/practical", data={"kept": kept, "note": note[:1990]}
    )
    assert sent.status_code == 302
    submission = db.session.scalar(sa.select(Submission))
    assert len(submission.photos) == 1 and submission.note == note[:1990].strip()
    assert 'maxlength="2000"' in learner.get("/courses/mini/practical").text


def test_photos_are_re_encoded_renamed_and_served_as_pictures(app, as_role, assignment):
    learner = as_role("learner")
    response = learner.post(
        "/courses/mini/practical",
        data={"photos": [(polyglot(), "../../evil.html"), (jpeg(), "x.jpg")]},
    )
    assert response.status_code == 302
    submission = db.session.scalar(sa.select(Submission))
    folder = Path(app.config["LMS_UPLOAD_DIR"]) / "submissions"
    for name in submission.photos:
        assert "evil" not in name and name.endswith(".webp")
        data = (folder / name).read_bytes()
        assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        assert b"<script" not in data and b"<html" not in data
    with learner.get(f"/submissions/{submission.id}/photos/0") as photo:
        assert photo.mimetype == "image/webp"
        assert photo.headers["X-Content-Type-Options"] == "nosniff"
        csp = photo.headers["Content-Security-Policy"]
        assert "sandbox" in csp and "default-src 'none'" in csp
        disposition = photo.headers["Content-Disposition"]
        assert disposition == f'inline; filename="{submission.photos[0]}"'


def test_lesson_pictures_are_served_as_pictures(app, as_role, owned_course):
    response = as_role("trainer").post(
        "/teach/courses/mini/images",
        data={"alt": "vườn", "image": (polyglot(), "<b>.jpg")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    url = response.get_json()["url"]
    assert "<b>" not in url
    with as_role(None).get(url) as picture:
        assert picture.mimetype == "image/webp"
        assert picture.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in picture.headers["Content-Security-Policy"]
        assert picture.headers["Content-Disposition"].startswith("inline; filename=")
        assert b"<script" not in picture.get_data()


EXTRA = {
    "role": "admin",
    "area_id": "999",
    "area": "999",
    "session_version": "1",
    "active": "0",
    "id": "1",
    "user_id": "1",
    "phone": "0912000005",
    "owner_id": "1",
}


def accounts():
    db.session.expire_all()
    return {
        user.phone: (user.role, user.area_id, user.active, user.phone)
        for user in db.session.scalars(sa.select(User))
    }


def test_no_form_or_api_field_raises_a_role_or_area(as_role, assignment, people):
    before = accounts()
    for role in ("learner", "trainer", "official"):
        client = as_role(role)
        for url in (
            "/me/profile",
            "/language",
            "/data-saver",
            "/join",
            "/courses/mini/enroll",
            "/courses/mini/practical",
            "/courses/mini/lessons/first/complete",
            "/teach/courses/new",
            "/teach/classes/new",
            "/verify",
        ):
            client.post(url, data=EXTRA | {"lang": "en", "link": "https://a.vn"})
        client.post(
            "/me/password",
            data=EXTRA | {"current_password": PASSWORD, "password": PASSWORD + "!"},
        )
        client.post(
            "/api/v1/progress/sync",
            json=EXTRA | {"events": [EXTRA | {"type": "lesson_completed"}]},
        )
    anonymous = as_role(None)
    anonymous.post("/code", data=EXTRA | {"code": "12345678"})
    assert accounts() == before


def test_signing_up_with_a_role_field_makes_a_learner(as_role, people):
    """A complete sign-up (number, name, password, commune) that also sends
    role, active and id fields: the account is made, as a learner."""
    before = accounts()
    commune = db.session.scalar(sa.select(Area).where(Area.code == "P-B"))
    response = as_role(None).post(
        "/signup",
        data=EXTRA
        | {
            "phone": "0912000099",
            "name": "Lò Thị Mới",
            "password": PASSWORD,
            "area": commune.id,
        },
    )
    assert response.status_code == 302
    after = accounts()
    new = after.pop("+84912000099")
    assert after == before
    assert new == ("learner", commune.id, True, "+84912000099")


def test_only_an_admin_changes_roles_and_never_the_last_admin(app, people):
    trainer, admin = people["trainer"], people["admin"]
    for target in (trainer, people["learner"]):
        with pytest.raises(DomainError):
            set_role(target, "admin", trainer)
    with pytest.raises(DomainError):
        set_role(admin, "learner", admin)  # the only admin
    trainer.area = None  # a whole-site admin: only they unmake admins
    set_role(trainer, "admin", admin)
    set_role(admin, "learner", trainer)
    db.session.commit()
    assert (trainer.role, admin.role) == ("admin", "learner")
    cli = app.test_cli_runner()
    result = cli.invoke(
        args=["lms", "set-role", "--phone", PHONES["trainer"]] + ["--role", "learner"]
    )
    assert result.exit_code != 0 and "quản trị viên cuối cùng" in result.output
    assert db.session.get(User, trainer.id).role == "admin"
    result = cli.invoke(args=["lms", "disable-user", "--phone", PHONES["trainer"]])
    assert result.exit_code != 0
    assert db.session.get(User, trainer.id).active


def test_a_new_role_takes_effect_at_the_next_sign_in(app, people):
    client = app.test_client()
    sign_in(client, phone=PHONES["learner"])
    app.test_cli_runner().invoke(
        args=["lms", "set-role", "--phone", PHONES["learner"], "--role", "trainer"]
    )
    assert client.get("/me/learning").status_code == 302
    sign_in(client, phone=PHONES["learner"])
    assert client.get("/teach").status_code == 200
