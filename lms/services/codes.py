"""One-time codes a trainer hands a farmer: to activate an account or reset it."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from lms.clock import utcnow
from lms.extensions import db
from lms.models import AccessCode
from lms.services import DomainError
from lms.services.accounts import end_all_sessions, find_by_phone
from lms.services.audit import audit
from lms.services.passwords import check_password_policy, hash_password

RESET_LIFETIME = timedelta(hours=24)
ACTIVATION_LIFETIME = timedelta(days=60)  # printed lists are used over weeks
CODE_DIGITS = 8  # digits: typed on a phone's number pad


def make_code():
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def code_hash(user_id, code):
    """Hash a code bound to its user; codes are short-lived and attempts limited."""
    return hashlib.sha256(f"{user_id}:{code}".encode()).hexdigest()


def issue_code(user, purpose, actor, code=None):
    """Give ``user`` a new one-time code, ending any unused one; return it (once)."""
    code = code or make_code()
    now = utcnow()
    db.session.execute(
        update(AccessCode)
        .where(AccessCode.user_id == user.id, AccessCode.used_at.is_(None))
        .values(used_at=now)
    )
    lifetime = RESET_LIFETIME if purpose == "reset" else ACTIVATION_LIFETIME
    db.session.add(
        AccessCode(
            user_id=user.id,
            purpose=purpose,
            code_hash=code_hash(user.id, code),
            expires_at=now + lifetime,
            created_by_id=actor.id if actor else None,
        )
    )
    audit(actor, f"code.{purpose}", user.id)
    return code


def redeem_code(phone, code, new_password):
    """Set a new password with a one-time code; the same answer for any failure.

    :raise DomainError: the number, code or expiry is wrong, or the password weak.
    """
    wrong = DomainError(
        _l("The phone number or code is not right, or the code has expired."),
        field="code",
    )
    user = find_by_phone(phone)
    if user is None or not user.active:
        raise wrong
    digits = "".join(c for c in code or "" if c.isdigit())
    access = db.session.scalar(
        select(AccessCode).where(
            AccessCode.user_id == user.id, AccessCode.used_at.is_(None)
        )
    )
    if (
        access is None
        or access.expires_at < utcnow()
        or not hmac.compare_digest(access.code_hash, code_hash(user.id, digits))
    ):
        raise wrong
    check_password_policy(new_password, phone=user.phone, name=user.name)
    # Spent only if still unspent: of several uses at once, exactly one wins
    # (PostgreSQL re-checks the condition once the winner's row lock is released).
    spent = db.session.execute(
        update(AccessCode)
        .where(AccessCode.id == access.id, AccessCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise wrong
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    audit(user, f"code.{access.purpose}_used", user.id)
    return user
