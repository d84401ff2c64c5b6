"""The farmer sees what they sent, changes it while it waits, never loses a photo."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Submission
from lms.services.authoring import save_assignment
from tests.conftest import count, jpeg, make_user, sign_in

PAGE = "/courses/mini/practical"


@pytest.fixture
def assignment(mini_course):
    assignment = save_assignment(
        mini_course, "Chụp ảnh gian hàng.", None, [("Đủ sáng", None)], True, 2
    )
    db.session.commit()
    return assignment


@pytest.fixture
def farmer(app, assignment):
    make_user()
    client = app.test_client()
    sign_in(client)
    return client


def kept_token(html):
    return re.search(r'name="kept" type="hidden" value="([^"]*)"', html).group(1)


def stored_photos(app):
    folder = Path(app.config["LMS_UPLOAD_DIR"]) / "submissions"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_refused_try_keeps_the_photo_for_the_next_one(app, farmer):
    refused = farmer.post(
        PAGE, data={"link": "không phải link", "photos": [(jpeg(), "vuon.jpg")]}
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "không cần chọn lại" in page and 'role="alert"' in page
    assert count(Submission) == 0
    [photo] = stored_photos(app)

    sent = farmer.post(PAGE, data={"link": "", "kept": kept_token(page)})
    assert sent.status_code == 302
    assert db.session.scalar(sa.select(Submission.photos)) == [photo]


def test_a_kept_photo_token_works_only_for_its_farmer(app, farmer):
    page = farmer.post(
        PAGE, data={"link": "x", "photos": [(jpeg(), "a.jpg")]}
    ).get_data(as_text=True)
    stranger = app.test_client()
    make_user(phone="0987654321", name="Người lạ")
    sign_in(stranger, phone="0987654321")
    response = stranger.post(PAGE, data={"kept": kept_token(page)})
    assert response.status_code == 400
    assert count(Submission) == 0
    forged = farmer.post(PAGE, data={"kept": kept_token(page)[:-3] + "abc"})
    assert forged.status_code == 400 and count(Submission) == 0


def test_the_farmer_sees_and_replaces_work_that_waits(app, farmer):
    farmer.post(
        PAGE, data={"link": "facebook.com/vuon/1", "photos": [(jpeg(), "a.jpg")]}
    )
    work = db.session.scalar(sa.select(Submission))
    sent_at, [old_photo] = work.created_at, work.photos
    page = farmer.get(PAGE).get_data(as_text=True)
    assert "https://facebook.com/vuon/1" in page
    assert f"/submissions/{work.id}/photos/0" in page
    with farmer.get(f"/submissions/{work.id}/photos/0") as photo:
        assert photo.status_code == 200
    assert "Sửa bài đã gửi" in page

    changed = farmer.post(
        PAGE,
        data={
            "link": "tiktok.com/@vuon",
            "photos": [(jpeg(color="blue"), "b.jpg"), (jpeg(), "c.jpg")],
        },
    )
    assert changed.status_code == 302
    db.session.refresh(work)
    assert count(Submission) == 1
    assert work.link == "https://tiktok.com/@vuon" and len(work.photos) == 2
    assert work.created_at == sent_at and work.revised_at is not None
    assert old_photo not in stored_photos(app)  # the replaced photo is gone

    farmer.post(PAGE, data={"link": "tiktok.com/@vuon2"})  # no photos: keep them
    db.session.refresh(work)
    assert len(work.photos) == 2 and work.link == "https://tiktok.com/@vuon2"


def test_saving_the_form_unchanged_changes_nothing(app, farmer):
    farmer.post(PAGE, data={"link": "facebook.com/vuon/1", "note": "Buổi sáng"})
    work = db.session.scalar(sa.select(Submission))
    page = farmer.get(PAGE).get_data(as_text=True)
    assert 'value="https://facebook.com/vuon/1"' in page  # the form shows what waits
    assert (
        farmer.post(
            PAGE, data={"link": "https://facebook.com/vuon/1", "note": "Buổi sáng"}
        ).status_code
        == 302
    )
    db.session.refresh(work)
    assert work.revised_at is None and count(Submission) == 1


def test_a_review_of_an_older_version_is_refused(app, farmer, people):
    farmer.post(PAGE, data={"link": "facebook.com/vuon/1"})
    work = db.session.scalar(sa.select(Submission))
    admin = app.test_client()
    sign_in(admin, phone="0912000005")
    form = admin.get(f"/teach/reviews/{work.id}").get_data(as_text=True)
    seen = re.search(r'name="seen" value="([^"]*)"', form).group(1)
    farmer.post(PAGE, data={"link": "facebook.com/vuon/2"})
    response = admin.post(
        f"/teach/reviews/{work.id}",
        data={"decision": "approve", "rubric-du-sang": "pass", "seen": seen},
    )
    assert response.status_code == 400
    assert "vừa sửa bài" in response.get_data(as_text=True)
    db.session.refresh(work)
    assert work.status == "pending"


def test_approved_work_cannot_be_changed_and_returned_work_is_flagged(
    app, farmer, people
):
    farmer.post(PAGE, data={"link": "facebook.com/vuon/1"})
    work = db.session.scalar(sa.select(Submission))
    admin = app.test_client()
    sign_in(admin, phone="0912000005")
    admin.post(
        f"/teach/reviews/{work.id}",
        data={"decision": "return", "rubric-du-sang": "needs_work", "feedback": "Tối"},
    )
    mine = farmer.get("/me/learning").get_data(as_text=True)
    assert "Giảng viên đã trả lại bài thực hành" in mine and PAGE in mine

    farmer.post(PAGE, data={"link": "facebook.com/vuon/2"})
    again = db.session.scalar(sa.select(Submission).order_by(Submission.id.desc()))
    admin.post(
        f"/teach/reviews/{again.id}",
        data={"decision": "approve", "rubric-du-sang": "pass"},
    )
    assert "Giảng viên đã trả lại" not in farmer.get("/me/learning").get_data(
        as_text=True
    )
    assert farmer.post(PAGE, data={"link": "facebook.com/x"}).status_code == 400
    db.session.refresh(again)
    assert again.link == "https://facebook.com/vuon/2"


def test_photos_no_work_names_are_pruned_after_three_days(app, farmer):
    import os
    import time

    from tests.helpers import run

    farmer.post(PAGE, data={"link": "", "photos": [(jpeg(), "gui.jpg")]})
    [sent] = db.session.scalar(sa.select(Submission.photos))
    abandoned = farmer.post(PAGE, data={"link": "x", "photos": [(jpeg(), "bo.jpg")]})
    assert abandoned.status_code == 400  # a refused try, never tried again
    [left] = [name for name in stored_photos(app) if name != sent]
    folder = Path(app.config["LMS_UPLOAD_DIR"]) / "submissions"
    four_days_ago = time.time() - 4 * 24 * 3600
    for name in (sent, left):
        os.utime(folder / name, (four_days_ago, four_days_ago))
    (folder / "README.txt").write_text("not a photo")  # not ours: never touched
    os.utime(folder / "README.txt", (four_days_ago, four_days_ago))
    # A try refused a moment ago: its photo waits for the next try.
    farmer.post(PAGE, data={"link": "y", "photos": [(jpeg(), "moi.jpg")]})
    [fresh] = set(stored_photos(app)) - {sent, left, "README.txt"}

    listed = run(app, "prune-photos", "--dry-run")
    assert listed.exit_code == 0, listed.output
    assert left in listed.output and "1 unclaimed photos" in listed.output
    assert sent not in listed.output and fresh not in listed.output
    assert left in stored_photos(app)  # a dry run removes nothing

    pruned = run(app, "prune-photos")
    assert pruned.exit_code == 0 and "1 unclaimed photos" in pruned.output
    assert sorted(stored_photos(app)) == sorted([sent, fresh, "README.txt"])
    # The work still shows its photo.
    page = farmer.get(PAGE).get_data(as_text=True)
    with farmer.get(re.search(r'src="([^"]*/photos/0)"', page).group(1)) as photo:
        assert photo.status_code == 200 and photo.get_data()
