"""The clubs' default rules for the bundled courses, and how an install on an
earlier default rule is brought to the current one without touching anyone's card."""

from pathlib import Path

import sqlalchemy as sa

from lms.certificates.renewal import renewal_for
from lms.clock import utcnow
from lms.content.importer import import_courses
from lms.extensions import db
from lms.models import Certificate, Club, Course, Enrollment
from lms.services.certificates import (
    DEFAULT_CLUBS,
    ensure_default_clubs,
    issue_certificates,
)
from tests.conftest import make_user

COURSES = Path(__file__).parent.parent.parent / "courses"
THREE = ["livestream-selling", "packaging-design", "scene-and-camera"]


def bundled(app):
    import_courses(COURSES, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    return {c.slug: c for c in db.session.scalars(sa.select(Course))}


def club(code):
    return db.session.scalar(sa.select(Club).where(Club.code == code))


def complete(learner, *courses):
    """Mark whole courses completed, as the learning service does at the end."""
    for course in courses:
        db.session.add(
            Enrollment(user_id=learner.id, course_id=course.id, completed_at=utcnow())
        )
    db.session.commit()
    issued = issue_certificates(learner)
    db.session.commit()
    return issued


def cards(learner):
    return db.session.scalars(
        sa.select(Certificate).where(
            Certificate.user_id == learner.id, Certificate.club_id.is_not(None)
        )
    ).all()


def old_kol(courses):
    """The KOL club as an earlier release created it: three courses, old texts."""
    (earlier,) = next(s for s in DEFAULT_CLUBS if s["code"] == "kol")["earlier"]
    kol = Club(
        code="kol",
        name_vi="Câu lạc bộ KOL (người dẫn dắt bán nông sản trực tuyến)",
        description_vi=earlier["description_vi"],
        description_en=earlier["description_en"],
        valid_months=12,
        courses=[courses[s] for s in THREE],
    )
    db.session.add(kol)
    db.session.commit()
    return kol


def test_a_seller_needs_the_delivery_course_for_the_kol_card(app):
    courses = bundled(app)
    ensure_default_clubs()
    db.session.commit()
    assert [c.slug for c in club("kol").courses] == [*THREE, "delivery-payment-returns"]
    assert [c.slug for c in club("koc").courses] == ["livestream-selling"]
    assert "bốn kỹ năng" in club("kol").description_vi
    assert courses["delivery-payment-returns"].clubs == ["kol"]
    seller = make_user()
    complete(seller, *(courses[s] for s in THREE))
    assert [c.club.code for c in cards(seller)] == ["koc"]  # no KOL card yet
    complete(seller, courses["delivery-payment-returns"])
    assert sorted(c.club.code for c in cards(seller)) == ["koc", "kol"]


def test_an_install_on_the_three_course_rule_moves_on_and_keeps_cards(app):
    courses = bundled(app)
    kol = old_kol(courses)
    member = make_user()
    complete(member, *(courses[s] for s in THREE))
    (card,) = cards(member)
    expires = card.expires_at

    ensure_default_clubs()
    db.session.commit()

    assert [c.slug for c in kol.courses] == [*THREE, "delivery-payment-returns"]
    assert "bốn kỹ năng" in kol.description_vi and "four skills" in kol.description_en
    db.session.refresh(card)
    assert card.status() == "valid" and card.expires_at == expires  # no revocation
    # Nothing new from KOL (the KOC club, new here, gives its own card).
    assert [c.club.code for c in issue_certificates(member)] == ["koc"]
    # Renewing asks for the new course; until then the card runs its term.
    renewal = renewal_for(card)
    assert [c.slug for c in renewal.missing] == ["delivery-payment-returns"]
    newcomer = make_user(phone="0933111222")
    complete(newcomer, *(courses[s] for s in THREE))
    assert not [c for c in cards(newcomer) if c.club.code == "kol"]


def test_a_rule_an_admin_edited_is_left_alone(app):
    courses = bundled(app)
    kol = old_kol(courses)
    kol.courses = [courses["livestream-selling"], courses["scene-and-camera"]]
    db.session.commit()
    ensure_default_clubs()
    db.session.commit()
    assert [c.slug for c in kol.courses] == ["livestream-selling", "scene-and-camera"]
    assert "ba kỹ năng" in kol.description_vi
