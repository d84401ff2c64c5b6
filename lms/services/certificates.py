"""Issuing certificates: who gets which, when, exactly once; and taking one back."""

import base64
import secrets
from datetime import timedelta

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.clock import utcnow
from lms.database import insert_once, lock_person
from lms.extensions import db
from lms.models import Certificate, Club, Course, Enrollment
from lms.permissions import is_admin
from lms.services import DomainError
from lms.services.audit import audit

CODE_LENGTH = 26  # 128 random bits in base32, without padding

DEFAULT_CLUBS = [
    {
        "code": "koc",
        "name_vi": "Câu lạc bộ KOC (người giới thiệu nông sản từ trải nghiệm thật)",
        "name_en": "KOC club (key opinion consumers: honest reviewers of produce)",
        "description_vi": "KOC là người đã mua, đã dùng và kể lại trải nghiệm thật. "
        "Thành viên đã học cách giới thiệu, đánh giá nông sản địa phương trung thực "
        "và nói rõ khi được nhờ hay được trả công giới thiệu. Thẻ chứng nhận việc "
        "học, không chứng nhận chất lượng sản phẩm nào.",
        "description_en": "A KOC has bought and used a product and tells others "
        "about it honestly. Members learned to introduce and review local produce "
        "truthfully and to say when they are asked or paid to promote it. The card "
        "certifies training, not the quality of any product.",
        "courses": ["livestream-selling"],
    },
    {
        "code": "kol",
        "name_vi": "Câu lạc bộ KOL (người dẫn dắt bán nông sản trực tuyến)",
        "name_en": "KOL club (key opinion leaders selling farm produce online)",
        "description_vi": "KOL là người có uy tín, được nhiều người theo dõi và tin "
        "lời giới thiệu. Thành viên đã học đủ bốn kỹ năng và được giảng viên duyệt "
        "bài thực hành: bán hàng livestream, thiết kế bao bì, dựng cảnh quay, giao "
        "hàng, thanh toán và đổi trả. Thẻ chứng nhận việc học, không chứng nhận chất "
        "lượng sản phẩm nào.",
        "description_en": "A KOL is trusted and followed by many people who act on "
        "their recommendations. Members completed all four skills with their "
        "practical work approved: livestream selling, packaging design, scene setup, "
        "delivery, payment and returns. The card certifies training, not the quality "
        "of any product.",
        "courses": [
            "livestream-selling",
            "packaging-design",
            "scene-and-camera",
            "delivery-payment-returns",
        ],
        # Earlier default rules: a club that still has one of them, as it was
        # shipped, is brought to the rule above.
        "earlier": [
            {
                "description_vi": "KOL là người có uy tín, được nhiều người theo dõi "
                "và tin lời giới thiệu. Thành viên đã học đủ ba kỹ năng và được giảng "
                "viên duyệt bài thực hành: bán hàng livestream, thiết kế bao bì, dựng "
                "cảnh quay. Thẻ chứng nhận việc học, không chứng nhận chất lượng sản "
                "phẩm nào.",
                "description_en": "A KOL is trusted and followed by many people who "
                "act on their recommendations. Members completed all three skills "
                "with their practical work approved: livestream selling, packaging "
                "design, scene setup. The card certifies training, not the quality "
                "of any product.",
                "courses": [
                    "livestream-selling",
                    "packaging-design",
                    "scene-and-camera",
                ],
            }
        ],
    },
]


def new_code():
    """128 random bits as 26 base32 letters and digits (no 0, 1, 8 or 9 to misread)."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


def ensure_default_clubs():
    """Create the KOC and KOL clubs with their default rules, if missing, and bring
    a club still on an earlier default rule (as shipped, unedited) to the current one.

    Cards already issued keep their terms; the new rule counts from now on (for
    renewal, too). A rule an admin has edited is never touched.
    """
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    for spec in DEFAULT_CLUBS:
        fields = {k: v for k, v in spec.items() if k not in ("courses", "earlier")}
        club = db.session.scalar(select(Club).where(Club.code == spec["code"]))
        if club is None:
            club = Club(**fields)
            club.courses = [courses[s] for s in spec["courses"] if s in courses]
            db.session.add(club)
        elif all(s in courses for s in spec["courses"]):
            _update_default_rule(club, spec, fields, courses)
    db.session.flush()


def _update_default_rule(club, spec, fields, courses):
    held = sorted(course.slug for course in club.courses)
    for earlier in spec.get("earlier", ()):
        texts = {k: v for k, v in earlier.items() if k != "courses"}
        if held != sorted(earlier["courses"]) or any(
            getattr(club, k) != v for k, v in texts.items()
        ):
            continue
        club.courses = [courses[s] for s in spec["courses"]]
        for name in texts:
            setattr(club, name, fields[name])
        audit(
            None,
            "club.rules",
            detail={
                "club": club.code,
                "courses": list(spec["courses"]),
                "valid_months": club.valid_months,
                "default_rule_updated": True,
            },
        )
        return


def issue_certificates(learner):
    """Issue every certificate ``learner`` has earned and not yet received.

    A course certificate for each completed course (once: a revoked one is not
    issued again). A club card when the learner holds a valid certificate of
    every course the club requires and has no card yet, or when their last card
    was revoked only because a course certificate was, and that certificate
    counts again. A card revoked for its own reason (the holder's conduct, say)
    withholds every card that needs any of its club's courses, until an admin
    reinstates it. Returns the new ones.
    """
    lock_person(learner.id)  # not beside a revocation for the same person
    completed = set(
        db.session.scalars(
            select(Enrollment.course_id).where(
                Enrollment.user_id == learner.id, Enrollment.completed_at.is_not(None)
            )
        )
    )
    held = db.session.scalars(
        select(Certificate).where(Certificate.user_id == learner.id)
    ).all()
    held_courses = {c.course_id for c in held if c.course_id}
    issued = []
    for course_id in sorted(completed - held_courses):
        issued += _issue(learner, course_id=course_id)
    valid_courses = {
        c.course_id for c in [*held, *issued] if c.course_id and c.revoked_at is None
    }
    latest = {}
    for card in sorted((c for c in held if c.club_id), key=lambda c: c.period):
        latest[card.club_id] = card
    clubs = db.session.scalars(select(Club)).all()
    withheld = set()
    for club in clubs:
        card = latest.get(club.id)
        if card and card.revoked_at is not None and card.revoked_cause_id is None:
            withheld |= {course.id for course in club.courses}
    for club in clubs:
        required = {course.id for course in club.courses}
        if not required or not required <= valid_courses or required & withheld:
            continue
        card = latest.get(club.id)
        if card is None or card.revoked_cause_id is not None:
            period = card.period + 1 if card else 1
            issued += issue_card(learner, club, period, utcnow())
    return issued


def latest_card(learner, club):
    """The learner's card for ``club`` of the latest period, else None."""
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.user_id == learner.id, Certificate.club_id == club.id)
        .order_by(Certificate.period.desc())
        .limit(1)
    )


def courses_behind(card):
    """The courses whose certificates ``card``'s holder held when it was issued."""
    if card.club_id is None:
        return []
    held = (
        select(Course)
        .join(Certificate, Certificate.course_id == Course.id)
        .where(
            Certificate.user_id == card.user_id,
            Certificate.issued_at <= card.issued_at,
            (Certificate.revoked_at.is_(None))
            | (Certificate.revoked_at > card.issued_at),
        )
        .order_by(Course.position)
    )
    return db.session.scalars(held).all()


def card_expiry(club, start):
    """When a card for ``club`` starting at ``start`` expires (None: never)."""
    if not club.valid_months:
        return None
    return start + timedelta(days=round(club.valid_months * 30.44))


def issue_card(learner, club, period, start):
    """Issue ``learner``'s card of ``club`` for ``period``, running from ``start``.

    Returns [card], or [] when that period's card exists (issued at this moment
    by another request: the unique constraint decides).
    """
    expires = card_expiry(club, start)
    return _issue(learner, club_id=club.id, period=period, expires_at=expires)


def _issue(learner, **fields):
    """Insert one certificate unless the unique constraint says it exists."""
    certificate = Certificate(code=new_code(), user_id=learner.id, **fields)
    if not insert_once(certificate):  # issued at the same moment by another request
        return []
    audit(None, "certificate.issue", learner.id, {"certificate": certificate.id})
    return [certificate]


def check_revocable(certificate, reason):
    """The reason as it will be kept, or DomainError when it cannot be revoked."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_l("Give the reason for revoking."), field="reason")
    if certificate.revoked_at is not None:
        raise DomainError(_l("This certificate is already revoked."))
    return reason[:1000]


def revoke(certificate, actor, reason):
    """Take a certificate back; the reason is shown on every surface and audited.

    Revoking a course certificate also revokes the learner's club cards that
    need that course: a card stands only on valid certificates.
    """
    lock_person(certificate.user_id)  # not beside cards being issued to them
    db.session.refresh(certificate)  # revoked meanwhile by someone else?
    reason = check_revocable(certificate, reason)
    _revoke(certificate, actor, reason)
    if certificate.course_id is not None:
        with force_locale("vi"):  # the stored reason, as the Open Badge says it
            because = gettext(
                "The course certificate this card needs was revoked: %(course)s.",
                course=certificate.course.title_vi,
            )
        for card in cards_needing(certificate):
            card.revoked_cause_id = certificate.id
            _revoke(card, actor, because)
    db.session.flush()


def cards_needing(certificate):
    """The holder's unrevoked cards of clubs that require the certificate's course."""
    return db.session.scalars(
        select(Certificate)
        .join(Club, Club.id == Certificate.club_id)
        .where(
            Certificate.user_id == certificate.user_id,
            Certificate.revoked_at.is_(None),
            Club.courses.any(Course.id == certificate.course_id),
        )
    ).all()


def _revoke(certificate, actor, reason):
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    audit(
        actor,
        "certificate.revoke",
        certificate.user_id,
        {"certificate": certificate.id, "reason": reason},
    )


def reinstate(certificate, actor, reason):
    """Undo a revocation (admins only, audited); cards are then issued by the rules.

    :raise DomainError: not an admin, no reason, not revoked, a card whose course
        certificate is still revoked, or a card a newer one has replaced.
    """
    if not is_admin(actor):
        raise DomainError(_l("Only an administrator can reinstate a certificate."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_l("Give the reason for reinstating."), field="reason")
    if certificate.revoked_at is None:
        raise DomainError(_l("This certificate is not revoked."))
    cause = certificate.revoked_cause
    if cause is not None and cause.revoked_at is not None:
        raise DomainError(
            _l("This card needs a course certificate that is revoked: reinstate that.")
        )
    if certificate.club is not None:
        latest = latest_card(certificate.user, certificate.club)
        if latest.period > certificate.period:
            raise DomainError(_l("A newer card has been issued since this one."))
    audit(
        actor,
        "certificate.reinstate",
        certificate.user_id,
        {
            "certificate": certificate.id,
            "reason": reason[:1000],
            "revoked_reason": certificate.revoked_reason,
        },
    )
    certificate.revoked_at = certificate.revoked_reason = None
    certificate.revoked_cause_id = None
    db.session.flush()
    issue_certificates(certificate.user)
