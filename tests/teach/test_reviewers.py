"""Every piece of practical work has a reviewer: class, area, nearest area, admins."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms import clock
from lms.extensions import db
from lms.models import Area, Certificate, Submission, User
from lms.permissions import can_review_submission, reviewable_submissions
from lms.services.authoring import save_assignment
from lms.services.classes import create_class, join_class
from lms.services.practical import submit
from tests.conftest import DATABASES, PASSWORD, make_user, sign_in
from tests.quiz_pages import fill

RIGHT = {"sprayed": "a", "before-live": ["a", "b"]}


def area(code):
    return db.session.scalar(sa.select(Area).where(Area.code == code))


@pytest.fixture
def assignment(mini_course):
    assignment = save_assignment(
        mini_course, "Quay 1 phút.", None, [("Đủ sáng", None)], True, 3
    )
    db.session.commit()
    return assignment


@pytest.fixture
def later():
    yield lambda **delta: clock.travel(timedelta(**delta))
    clock.reset()


def hand_in(learner, assignment, link="https://example.com/v"):
    submission = submit(learner, assignment, link, [], "", "unused")
    db.session.commit()
    return submission


def as_user(app, phone):
    client = app.test_client()
    assert sign_in(client, phone=phone).status_code == 302
    return client


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_the_rule_as_predicate_and_as_filter_agree(app, assignment):
    """Class, area subtree, another commune, no area: every role, both ways."""
    people = {
        "class_trainer": make_user("0912000101", "Lớp", "trainer", area=None),
        "commune_trainer": make_user("0912000102", "Xã An", "trainer", area="P-A"),
        "province_trainer": make_user("0912000103", "Tỉnh", "trainer", area="P"),
        "other_commune": make_user("0912000104", "Xã Bình", "trainer", area="P-B"),
        "no_area": make_user("0912000105", "Không", "trainer", area=None),
        "admin": make_user("0912000106", "Quản trị", "admin", area=None),
        "official": make_user("0912000107", "Cán bộ", "official", area="P"),
        "learner": make_user("0912000108", "Học viên", "learner", area="P-A"),
    }
    classroom = create_class(
        people["class_trainer"], "Lớp", None, "", area("P-B"), [assignment.course]
    )
    in_class = make_user("0912000201", "Trong lớp", area="P-B")
    join_class(in_class, classroom)
    work = {
        "in_class": hand_in(in_class, assignment),
        "in_a": hand_in(make_user("0912000202", "Ở An"), assignment),
        "in_b": hand_in(make_user("0912000203", "Ở Bình", area="P-B"), assignment),
        "nowhere": hand_in(make_user("0912000204", "Không xã", area=None), assignment),
    }
    expected = {
        "class_trainer": {"in_class"},
        "commune_trainer": {"in_a"},
        "province_trainer": {"in_class", "in_a", "in_b"},
        "other_commune": {"in_class", "in_b"},
        "no_area": set(),
        "admin": set(work),
        "official": set(),
        "learner": set(),
    }
    for role, person in people.items():
        by_predicate = {k for k, s in work.items() if can_review_submission(person, s)}
        listed = set(
            db.session.scalars(
                sa.select(Submission.id).where(reviewable_submissions(person))
            )
        )
        by_filter = {k for k, s in work.items() if s.id in listed}
        assert by_predicate == by_filter == expected[role], role


def test_a_farmer_who_signed_up_alone_gets_a_certificate_through_an_area_trainer(
    app, client, assignment
):
    runner = app.test_cli_runner()
    make_user("0912000301", "Cô Lan", "trainer", area="P-A")
    result = runner.invoke(
        args=["lms", "set-area", "--phone", "0912000301", "--area", "P"]
    )
    assert result.exit_code == 0, result.output
    farmer = client
    signed_up = farmer.post(
        "/signup",
        data={
            "phone": "0987 111 222",
            "name": "Lò Văn Páo",
            "area": area("P-B").id,
            "password": PASSWORD,
        },
    )
    assert signed_up.status_code == 302
    for lesson in ("first", "second", "third"):
        farmer.post(f"/courses/mini/lessons/{lesson}/complete")
    farmer.post("/courses/mini/quiz", data=fill(farmer, "mini", RIGHT))
    sent = farmer.post("/courses/mini/practical", data={"link": "facebook.com/paolive"})
    assert sent.status_code == 302
    page = farmer.get("/courses/mini/practical").get_data(as_text=True)
    assert "Tỉnh Mẫu" in page  # a trainer of the province will review it

    trainer = as_user(app, "0912000301")
    home = trainer.get("/teach").get_data(as_text=True)
    assert "/teach/reviews" in home and "1 bài thực hành đang chờ bạn chấm" in home
    queue = trainer.get("/teach/reviews").get_data(as_text=True)
    submission = db.session.scalar(sa.select(Submission))
    assert f"/teach/reviews/{submission.id}" in queue and "Lò Văn Páo" in queue
    assert trainer.get(f"/teach/reviews/{submission.id}").status_code == 200
    approved = trainer.post(
        f"/teach/reviews/{submission.id}",
        data={"decision": "approve", "rubric-du-sang": "pass", "feedback": ""},
    )
    assert approved.status_code == 302
    farmer_id = db.session.scalar(sa.select(User.id).where(User.name == "Lò Văn Páo"))
    assert db.session.scalar(
        sa.select(Certificate).where(Certificate.user_id == farmer_id)
    )
    assert "Đã duyệt" in farmer.get("/courses/mini/practical").get_data(as_text=True)


def test_the_farmer_is_told_the_nearest_reviewer_and_since_when(app, assignment, later):
    farmer = make_user("0912000401", "Nông dân", area="P-B")
    hand_in(farmer, assignment)
    later(days=3, hours=1)
    client = as_user(app, "0912000401")
    page = client.get("/courses/mini/practical").get_data(as_text=True)
    assert "3 ngày" in page
    assert "Tỉnh Mẫu" not in page and "Xã Bình" not in page  # no trainer anywhere

    make_user("0912000402", "Tỉnh", "trainer", area="P")
    page = client.get("/courses/mini/practical").get_data(as_text=True)
    assert "Tỉnh Mẫu" in page
    make_user("0912000403", "Xã", "trainer", area="P-B")
    page = client.get("/courses/mini/practical").get_data(as_text=True)
    assert "Xã Bình" in page and "Tỉnh Mẫu" not in page

    teacher = make_user("0912000404", "Thầy Minh", "trainer", area=None)
    classroom = create_class(teacher, "Lớp", None, "", area("P-B"), [assignment.course])
    join_class(farmer, classroom)
    db.session.commit()
    page = client.get("/courses/mini/practical").get_data(as_text=True)
    assert "Thầy Minh" in page


def test_work_no_trainer_covers_waits_for_the_admins_oldest_first(
    app, assignment, later
):
    make_user("0912000501", "Quản trị", "admin", area=None)
    make_user("0912000502", "Xã An", "trainer", area="P-A")
    older = hand_in(make_user("0912000503", "Người Bình", area="P-B"), assignment)
    later(days=2)
    newer = hand_in(make_user("0912000504", "Người An", area="P-A"), assignment)
    later(hours=5)

    admin = as_user(app, "0912000501").get("/teach/reviews").get_data(as_text=True)
    first, second = f"/teach/reviews/{older.id}", f"/teach/reviews/{newer.id}"
    assert admin.index(first) < admin.index(second)
    assert "2 ngày" in admin and "5 tiếng" in admin
    assert admin.count("không có giảng viên nào phụ trách") == 1

    trainer = as_user(app, "0912000502")
    queue = trainer.get("/teach/reviews").get_data(as_text=True)
    assert second in queue and first not in queue
    assert trainer.get(first).status_code == 403


def test_an_admin_gives_a_trainer_an_area_on_their_page(app, assignment):
    make_user("0912000601", "Quản trị", "admin", area=None)
    trainer = make_user("0912000602", "Cô Lan", "trainer", area=None)
    work = hand_in(make_user("0912000603", "Người Bình", area="P-B"), assignment)
    admin = as_user(app, "0912000601")
    page = admin.get(f"/admin/users/{trainer.id}").get_data(as_text=True)
    assert "giảng viên" in page.lower()  # the hint says what an area does for them
    saved = admin.post(
        f"/admin/users/{trainer.id}",
        data={"role": "trainer", "area": area("P-B").id, "active": "y"},
    )
    assert saved.status_code == 302
    queue = as_user(app, "0912000602").get("/teach/reviews").get_data(as_text=True)
    assert f"/teach/reviews/{work.id}" in queue
