"""A card stands only on valid certificates: revoking, reinstating, every surface."""

import threading
import time

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import AuditEvent, Certificate, Club, User
from lms.services.certificates import issue_certificates, revoke
from tests.conftest import DATABASES
from tests.helpers import finish
from tests.quiz_pages import fill

RIGHT = {"sprayed": "a", "before-live": ["a", "b"]}


def text(response):
    return response.get_data(as_text=True)


def held(learner):
    """{"mini": cert, "koc": [cards by period], ...} for ``learner``."""
    found = {}
    for c in db.session.scalars(
        sa.select(Certificate)
        .where(Certificate.user_id == learner.id)
        .order_by(Certificate.period)
    ):
        if c.course:
            found[c.course.slug] = c
        else:
            found.setdefault(c.club.code, []).append(c)
    return found


def audit(action):
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == action)
    ).all()


@pytest.fixture
def member(clubs, people, second_course):
    """A learner holding both course certificates and both cards, listed publicly."""
    learner = people["learner"]
    learner.listed_publicly = True
    finish(learner, clubs["koc"].courses[0])
    finish(learner, second_course)
    return learner


CAUSE = "Chứng nhận khoá học mà thẻ này cần đã bị thu hồi: Khoá học nhỏ."


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_revoking_a_course_certificate_revokes_the_cards_on_every_surface(
    app, as_role, member
):
    before = held(member)
    admin, buyer = as_role("admin"), as_role(None)
    assert "Admin" not in text(buyer.get("/clubs/koc"))
    assert member.name in text(buyer.get("/clubs/koc"))
    admin.post(
        f"/admin/certificates/{before['mini'].code}/revoke",
        data={"reason": "Bài thi do người khác làm hộ", "confirmed": "yes"},
    )
    now = held(member)
    assert now["mini"].status() == "revoked"
    assert now["mini2"].status() == "valid"  # not the course that was revoked
    for card in (now["koc"][0], now["kol"][0]):
        assert card.status() == "revoked"
        page = text(buyer.get(f"/verify/{card.code}"))
        assert "✗" in page and CAUSE in page
        pdf = buyer.get(f"/certificates/{card.code}.pdf")
        assert pdf.status_code == 410 and CAUSE in text(pdf)
        badge = buyer.get(f"/badges/assertions/{card.code}")
        assert badge.status_code == 410
        assert badge.get_json(force=True)["revocationReason"] == CAUSE
        assert buyer.get(f"/certificates/{card.code}/badge.png").status_code == 410
    assert member.name not in text(buyer.get("/clubs/koc"))
    assert member.name not in text(buyer.get("/clubs/kol"))
    assert len(audit("certificate.revoke")) == 3
    mine = text(as_role("learner").get("/me/certificates"))
    assert CAUSE in mine and "Bài thi do người khác làm hộ" in mine


def test_a_revoked_certificate_never_counts_toward_a_card(
    as_role, clubs, people, second_course
):
    learner = people["learner"]
    finish(learner, clubs["koc"].courses[0])
    as_role("admin").post(
        f"/admin/certificates/{held(learner)['mini'].code}/revoke",
        data={"reason": "Gian lận", "confirmed": "yes"},
    )
    farmer = as_role("learner")
    for lesson in second_course.active_lessons:
        farmer.post(f"/courses/mini2/lessons/{lesson.slug}/complete")
    farmer.post("/courses/mini2/quiz", data=fill(farmer, "mini2", RIGHT))
    # Retaking the revoked course's quiz does not bring a certificate back either.
    farmer.post("/courses/mini/quiz", data=fill(farmer, "mini", RIGHT))
    now = held(learner)
    assert now["mini2"].status() == "valid"
    assert now["mini"].status() == "revoked"
    assert "kol" not in now  # mini's certificate is revoked: no KOL card
    assert [c.status() for c in now["koc"]] == ["revoked"]


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_reinstating_lets_the_cards_be_issued_again(app, as_role, member):
    course_certificate = held(member)["mini"]
    code = course_certificate.code
    admin = as_role("admin")
    admin.post(
        f"/admin/certificates/{code}/revoke",
        data={"reason": "Nhầm người", "confirmed": "yes"},
    )
    refused = as_role("trainer").post(
        f"/admin/certificates/{code}/reinstate", data={"reason": "Tôi muốn"}
    )
    assert refused.status_code == 403
    assert "Bạn không thể mở trang này" in text(refused)
    empty = admin.post(
        f"/admin/certificates/{code}/reinstate",
        data={"reason": "  "},
        follow_redirects=True,
    )
    assert "Hãy ghi lý do khôi phục" in text(empty)
    assert held(member)["mini"].status() == "revoked"
    assert audit("certificate.reinstate") == []

    done = admin.post(
        f"/admin/certificates/{code}/reinstate",
        data={"reason": "Đã xác minh đúng người học"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    now = held(member)
    assert now["mini"].status() == "valid" and now["mini"].code == code
    for club in ("koc", "kol"):
        old, new = now[club]
        assert old.status() == "revoked" and (old.period, new.period) == (1, 2)
        assert new.status() == "valid" and new.code != old.code
        assert as_role(None).get(f"/verify/{old.code}").status_code == 200
        assert as_role(None).get(f"/certificates/{new.code}.pdf").status_code == 200
    assert member.name in text(as_role(None).get("/clubs/koc"))
    (event,) = audit("certificate.reinstate")
    assert event.actor_id is not None and event.detail["reason"]
    again = admin.post(f"/admin/certificates/{code}/reinstate", data={"reason": "x"})
    assert again.status_code == 302 and len(audit("certificate.reinstate")) == 1


def test_a_card_revoked_itself_is_not_issued_again_until_reinstated(as_role, member):
    koc = held(member)["koc"][0]
    admin = as_role("admin")
    admin.post(
        f"/admin/certificates/{koc.code}/revoke",
        data={"reason": "Bán hàng giả", "confirmed": "yes"},
    )
    farmer = as_role("learner")
    farmer.post("/courses/mini/quiz", data=fill(farmer, "mini", RIGHT))
    assert [c.status() for c in held(member)["koc"]] == ["revoked"]
    admin.post(f"/admin/certificates/{koc.code}/reinstate", data={"reason": "Đã rõ"})
    assert [c.status() for c in held(member)["koc"]] == ["valid"]


def test_a_card_waits_for_its_course_certificate(as_role, member):
    mini = held(member)["mini"]
    admin = as_role("admin")
    admin.post(
        f"/admin/certificates/{mini.code}/revoke",
        data={"reason": "Gian lận", "confirmed": "yes"},
    )
    koc = held(member)["koc"][0]
    refused = admin.post(
        f"/admin/certificates/{koc.code}/reinstate",
        data={"reason": "Thử"},
        follow_redirects=True,
    )
    assert "Thẻ này cần một chứng nhận khoá học đang bị thu hồi" in text(refused)
    assert held(member)["koc"][0].status() == "revoked"


def test_a_card_revoked_for_conduct_withholds_cards_on_the_same_courses(
    as_role, clubs, people, second_course
):
    """KOC revoked for selling fakes: finishing the other course brings no KOL."""
    learner = people["learner"]
    finish(learner, clubs["koc"].courses[0])
    koc = held(learner)["koc"][0]
    admin = as_role("admin")
    admin.post(
        f"/admin/certificates/{koc.code}/revoke",
        data={"reason": "Bán hàng giả", "confirmed": "yes"},
    )
    farmer = as_role("learner")
    for lesson in second_course.active_lessons:
        farmer.post(f"/courses/mini2/lessons/{lesson.slug}/complete")
    farmer.post("/courses/mini2/quiz", data=fill(farmer, "mini2", RIGHT))
    assert held(learner)["mini2"].status() == "valid"
    assert "kol" not in held(learner)
    admin.post(f"/admin/certificates/{koc.code}/reinstate", data={"reason": "Đã rõ"})
    assert [c.status() for c in held(learner)["kol"]] == ["valid"]


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_card_is_not_issued_on_a_certificate_revoked_at_that_moment(
    app, mini_course, people
):
    """An admin revokes the course certificate while the learner's request is
    issuing the club card it earns: the card waits for the revocation and is
    not issued on a certificate that no longer counts."""
    learner = people["learner"]
    finish(learner, mini_course)
    # The club comes after the certificate, so the next issuing gives its card.
    db.session.add(Club(code="koc", name_vi="CLB KOC", courses=[mini_course]))
    db.session.commit()
    code = held(learner)["mini"].code
    db.session.rollback()  # this test's own view ends here (SQLite snapshots)
    revoking, issuing = threading.Event(), threading.Event()

    def admin_revokes():
        with app.app_context():
            certificate = db.session.scalar(
                sa.select(Certificate).where(Certificate.code == code)
            )
            revoke(certificate, db.session.get(User, people["admin"].id), "Gian lận")
            revoking.set()  # revoked, not yet committed
            issuing.wait(timeout=10)
            time.sleep(0.5)  # the learner's request reads in the meantime
            db.session.commit()

    def learner_earns():
        revoking.wait(timeout=10)
        with app.app_context():
            issuing.set()
            issue_certificates(db.session.get(User, learner.id))
            db.session.commit()

    threads = [threading.Thread(target=f) for f in (admin_revokes, learner_earns)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.rollback()
    now = held(learner)
    assert now["mini"].revoked_at is not None
    assert [card for card in now.get("koc", []) if card.revoked_at is None] == []
