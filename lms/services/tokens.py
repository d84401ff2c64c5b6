"""Personal API tokens for the reports API: shown once, kept only as a hash."""

import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.clock import utcnow
from lms.extensions import db
from lms.models import ApiToken, User
from lms.services import DomainError
from lms.services.audit import audit

PREFIX = "lms_"
MAX_TOKENS = 10
READING_ROLES = ("official", "admin")  # who may hold a token (see permissions)
USE_RECORDED_EVERY = timedelta(hours=1)


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user, name):
    """Make a token for ``user``; return (token row, the secret to show once)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the token a name."), field="name")
    live = db.session.scalar(
        select(func.count()).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
        )
    )
    if live >= MAX_TOKENS:
        raise DomainError(_l("You have too many tokens. Revoke one you do not use."))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name[:80], token_hash=_digest(secret), hint=secret[-4:]
    )
    db.session.add(token)
    db.session.flush()
    audit(user, "token.create", detail={"token": token.id})
    return token, secret


def revoke_token(user, token):
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit(user, "token.revoke", detail={"token": token.id})


def live_token(secret):
    """The unrevoked token ``secret`` names, if its owner is active and may still
    hold one; else None."""
    if not secret or not secret.startswith(PREFIX):
        return None
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(secret))
    )
    if token is None or token.revoked_at is not None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active or user.role not in READING_ROLES:
        return None
    return token


def record_use(token):
    """Note when ``token`` was used, at most once per USE_RECORDED_EVERY.

    Returns whether anything changed (then the caller commits).
    """
    now = utcnow()
    last = token.last_used_at
    if last is not None and now - last <= USE_RECORDED_EVERY:
        return False
    token.last_used_at = now
    return True


def revoke_all_tokens(user, actor):
    """End every live token of ``user``: they no longer read reports."""
    for token in db.session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
        )
    ):
        revoke_token(actor or user, token)
