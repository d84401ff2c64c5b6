import secrets
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from lms.clock import utcnow
from lms.collation import name_sort_keys
from lms.extensions import db
from lms.models.area import SORT_KEY, Area


class Role(StrEnum):
    """What a person does here; stored as its value ("learner", ...)."""

    LEARNER = "learner"
    TRAINER = "trainer"
    OFFICIAL = "official"
    ADMIN = "admin"

    @property
    def label(self):
        return _LABELS[self]


_LABELS = {
    Role.LEARNER: _l("Learner"),
    Role.TRAINER: _l("Trainer"),
    Role.OFFICIAL: _l("Official"),
    Role.ADMIN: _l("Administrator"),
}
ROLES = tuple(role.value for role in Role)  # plain strings (CLI choices)


def new_badge_recipient_id():
    """128 random bits: names a learner in Open Badges, unrelated to the phone."""
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    __table_args__ = (
        Index("ix_user_area_role_created", "area_id", "role", "created_at"),
        # An index, not a constraint: SQLite adds it in place (migration 0010).
        Index("uq_user_badge_recipient_id", "badge_recipient_id", unique=True),
        Index("ix_user_name_sort_given", "name_sort_given", "id"),
        Index("ix_user_name_sort_family", "name_sort_family", "id"),
        # The trainers placed in each area (the review backlog): a short range.
        Index("ix_user_role_active_area", "role", "active", "area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), unique=True)  # E.164
    name: Mapped[str] = mapped_column(String(120))
    # Vietnamese order, kept with the name (lms/collation.py): rosters list people
    # by given name; the other order is the name as written.
    # Bulk inserts (Core, COPY) bypass this: give them name_sort_keys(name).
    name_sort_given: Mapped[str] = mapped_column(SORT_KEY, server_default="")
    name_sort_family: Mapped[str] = mapped_column(SORT_KEY, server_default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="learner")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    # Bumped on sign-out and password change: sessions carrying an older value end.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    # Opt-in: appear on the public club roster buyers browse. Off by default.
    listed_publicly: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The badge recipient: a random id, never derived from the phone (README).
    badge_recipient_id: Mapped[str] = mapped_column(
        String(32), default=new_badge_recipient_id
    )

    area: Mapped[Area | None] = relationship()

    @classmethod
    def in_name_order(cls, order="given"):
        """ORDER BY for a list of people: by given name, or "family" name first."""
        key = cls.name_sort_family if order == "family" else cls.name_sort_given
        return key, cls.id

    @validates("name")
    def _keep_sort_keys(self, key, name):
        for column, value in name_sort_keys(name or "").items():
            setattr(self, column, value)
        return name

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return f"{self.id}:{self.session_version}"

    def __repr__(self):
        return f"<User {self.id} {self.role}>"


class AccessCode(db.Model):
    """A one-time code a trainer gives a farmer: first activation or a reset.

    Only a hash is stored; the code is shown once, when it is made.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # activate | reset
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(db.Model):
    """A personal token for the reports API; only its hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(8))  # the last characters, to tell apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
