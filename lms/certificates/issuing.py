"""Who gets which certificate, when, exactly once; and taking one back."""

import base64
import re
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.clock import utcnow
from lms.extensions import db
from lms.models import AuditEvent, Certificate, Club, Course, Enrollment
from lms.services import DomainError

CODE_LENGTH = 26  # 128 random bits in base32, without padding
_BASE32 = re.compile(r"^[A-Z2-7]{26}$")

DEFAULT_CLUBS = [
    {
        "code": "koc",
        "name_vi": "Câu lạc bộ KOC (người tiêu dùng có ảnh hưởng)",
        "name_en": "KOC club (key opinion consumers)",
        "description_vi": "Thành viên biết giới thiệu và đánh giá nông sản địa phương "
        "một cách trung thực trên mạng.",
        "description_en": "Members review and recommend local produce honestly online.",
        "courses": ["livestream-selling"],
    },
    {
        "code": "kol",
        "name_vi": "Câu lạc bộ KOL (người bán hàng livestream)",
        "name_en": "KOL club (farmers who sell live)",
        "description_vi": "Thành viên đã học đủ ba kỹ năng và được giảng viên duyệt "
        "bài thực hành: bán hàng livestream, thiết kế bao bì, dựng cảnh quay.",
        "description_en": "Members completed all three skills with their practical "
        "work approved: livestream selling, packaging design, scene setup.",
        "courses": ["livestream-selling", "packaging-design", "scene-and-camera"],
    },
]


def new_code():
    """128 random bits as 26 base32 letters and digits (no 0, 1, 8 or 9 to misread)."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


def normalise_code(raw):
    """Return the canonical code for what someone typed or scanned, else None."""
    code = re.sub(r"[^A-Za-z0-9]", "", raw or "").upper()
    return code if _BASE32.match(code) else None


def display_code(code):
    """Group a code for reading from paper: ABCD-EFGH-…-YZ."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def find_certificate(raw):
    code = normalise_code(raw)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def mask_phone(phone):
    """+84912345678 -> "+84 9x xxx xx78": enough to recognise, not to call."""
    national = phone.removeprefix("+84")
    return f"+84 {national[0]}x xxx xx{national[-2:]}"


def ensure_default_clubs():
    """Create the KOC and KOL clubs with their default rules, if missing."""
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    for spec in DEFAULT_CLUBS:
        club = db.session.scalar(select(Club).where(Club.code == spec["code"]))
        if club is None:
            fields = {k: v for k, v in spec.items() if k != "courses"}
            club = Club(**fields)
            club.courses = [courses[s] for s in spec["courses"] if s in courses]
            db.session.add(club)
    db.session.flush()


def award(learner):
    """Issue every certificate ``learner`` has earned and not yet received.

    A course certificate for each completed course; a club membership when
    every course the club requires has been completed. Returns the new ones.
    """
    completed = set(
        db.session.scalars(
            select(Enrollment.course_id).where(
                Enrollment.user_id == learner.id, Enrollment.completed_at.is_not(None)
            )
        )
    )
    held = db.session.execute(
        select(Certificate.course_id, Certificate.club_id).where(
            Certificate.user_id == learner.id
        )
    ).all()
    held_courses = {course_id for course_id, _ in held if course_id}
    held_clubs = {club_id for _, club_id in held if club_id}
    issued = []
    for course_id in sorted(completed - held_courses):
        issued += _issue(learner, course_id=course_id)
    for club in db.session.scalars(select(Club)):
        required = {course.id for course in club.courses}
        if club.id not in held_clubs and required and required <= completed:
            expires = None
            if club.valid_months:
                expires = utcnow() + timedelta(days=round(club.valid_months * 30.44))
            issued += _issue(learner, club_id=club.id, expires_at=expires)
    return issued


def _issue(learner, **fields):
    """Insert one certificate unless the unique constraint says it exists."""
    certificate = Certificate(code=new_code(), user_id=learner.id, **fields)
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:  # issued at the same moment by another request
        return []
    db.session.add(
        AuditEvent(
            actor_id=None,
            action="certificate.issue",
            subject_id=learner.id,
            detail={"certificate": certificate.id},
        )
    )
    return [certificate]


def check_revocable(certificate, reason):
    """The reason as it will be kept, or DomainError when it cannot be revoked."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_l("Give the reason for revoking."), field="reason")
    if certificate.revoked_at is not None:
        raise DomainError(_l("This certificate is already revoked."))
    return reason


def revoke(certificate, actor, reason):
    """Take a certificate back; the reason is shown on every surface and audited."""
    reason = check_revocable(certificate, reason)
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason[:1000]
    db.session.add(
        AuditEvent(
            actor_id=actor.id,
            action="certificate.revoke",
            subject_id=certificate.user_id,
            detail={
                "certificate": certificate.id,
                "reason": certificate.revoked_reason,
            },
        )
    )


def set_club_rules(club, courses, valid_months, actor):
    """Change which courses a club requires and how long membership lasts.

    Certificates already issued stay as they are; the new rules apply from now.
    """
    if not courses:
        raise DomainError(_l("A club requires at least one course."), field="courses")
    if valid_months is not None and not 1 <= valid_months <= 240:
        raise DomainError(
            _l("Give the months as a number from 1 to 240."), field="months"
        )
    if set(courses) == set(club.courses) and valid_months == club.valid_months:
        return  # saved unchanged: nothing to record
    club.courses = list(courses)
    club.valid_months = valid_months
    db.session.add(
        AuditEvent(
            actor_id=actor.id,
            action="club.rules",
            detail={
                "club": club.code,
                "courses": [course.slug for course in courses],
                "valid_months": valid_months,
            },
        )
    )
