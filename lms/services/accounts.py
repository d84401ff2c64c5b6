"""Accounts: phone numbers, sign-up, sign-in, roles and preferences."""

import unicodedata

import phonenumbers
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.database import insert_once
from lms.extensions import db
from lms.models import ROLES, Area, Role, User
from lms.permissions import can_give_role, can_place_in, may_assign_roles, within
from lms.services import DomainError
from lms.services.areas import is_commune
from lms.services.audit import audit
from lms.services.passwords import (
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from lms.services.tokens import READING_ROLES, revoke_all_tokens

NAME_LENGTH = 120  # the column's length
MOBILE = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}

# The sign-up page answers it with a link to sign in (auth/signup.html).
PHONE_TAKEN = _l("This phone number is already registered. Sign in instead.")


def normalize_phone(raw):
    """Return a Vietnamese mobile number in E.164 (+84...), from any common spelling.

    Accepts "0912 345 678", "84912345678", "+84 912 345 678" and the like.
    """
    raw = (raw or "").strip()
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or number.country_code != 84
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in MOBILE
    ):
        raise DomainError(
            _l("Enter a Vietnamese mobile number, for example 0912 345 678."),
            field="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_by_phone(raw):
    """Return the user with this number in any spelling, or None."""
    try:
        phone = normalize_phone(raw)
    except DomainError:
        return None
    return db.session.scalar(select(User).where(User.phone == phone))


def register_learner(
    phone, name, area, password, locale=None, password_hash=None, provinces=None
):
    """Create a learner account; refuse a taken number or a weak password.

    A farmer belongs to a commune: an area with no areas below it, in one of
    ``provinces`` (the provinces the site serves) when given.
    ``password_hash``: the password's hash made beforehand (see ``create_user``).
    """
    if not _is_commune(area):
        raise DomainError(_l("Choose your commune."), field="area")
    if provinces is not None and not any(within(p, area) for p in provinces):
        raise DomainError(
            _l("This site does not serve that commune's province."), field="area"
        )
    return create_user(
        phone, name, "learner", area, password, locale, password_hash=password_hash
    )


def signup_problems(phone, name, area, password):
    """Every reason ``register_learner`` would refuse, at once: {field: message}."""
    problems = {}

    def check(rule, *args):
        try:
            return rule(*args)
        except DomainError as error:
            problems.setdefault(error.field, error.message)

    phone = check(normalize_phone, phone)
    if phone and find_by_phone(phone) is not None:
        problems["phone"] = PHONE_TAKEN
    name = check(clean_name, name) or ""
    if not _is_commune(area):
        problems["area"] = _l("Choose your commune.")
    check(check_password_policy, password or "", phone, name)
    return problems


def clean_name(name):
    """A person's name as kept: spaces collapsed, invisible characters dropped
    (a name of zero-width spaces is no name).

    :raise DomainError: empty, or longer than 120 characters.
    """
    name = tidy_name(name)
    if not name:
        raise DomainError(_l("Enter your name."), field="name")
    if len(name) > NAME_LENGTH:
        raise DomainError(_l("The name is too long."), field="name")
    return name


def tidy_name(name):
    """``name`` composed (NFC, as searches match it), its spaces collapsed and
    invisible characters dropped."""
    visible = "".join(c for c in name or "" if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFC", " ".join(visible.split()))


def rename(user, name, actor):
    """Correct someone's name (``actor`` is who: the person themselves, or an
    admin): certificates, cards and badges show it from now."""
    if not tidy_name(name):
        mine = actor is not None and actor.id == user.id
        message = _l("Enter your name.") if mine else _l("Enter the person's name.")
        raise DomainError(message, field="name")
    name = clean_name(name)
    if name != user.name:
        previous, user.name = user.name, name
        audit(actor, "user.name", user.id, {"from": previous, "to": name})


def _is_commune(area):
    """A farmer's area: one with no areas below it."""
    return isinstance(area, Area) and bool(
        db.session.scalar(select(Area.id).where(Area.id == area.id, is_commune()))
    )


def create_user(
    phone, name, role, area, password, locale=None, actor=None, password_hash=None
):
    """Create an account with any role; only trusted callers pass a role.

    ``password_hash``: ``hash_password(password)`` made by a caller outside any
    transaction, so that SQLite's write lock is not held for the tenth of a second
    hashing takes; the policy is checked on ``password`` all the same.
    """
    if role not in ROLES:
        raise DomainError(_l("Unknown role."), field="role")
    phone = normalize_phone(phone)
    name = clean_name(name)
    if area is not None and not isinstance(area, Area):
        raise DomainError(_l("Choose your commune."), field="area")
    check_password_policy(password, phone=phone, name=name)
    user = User(
        phone=phone,
        name=name,
        role=role,
        area=area,
        locale=locale,
        password_hash=password_hash or hash_password(password),
    )
    if not insert_once(user):
        raise DomainError(PHONE_TAKEN, field="phone")
    audit(actor or user, "user.create", user.id, {"role": role})
    return user


def authenticate(phone, password):
    """Return the active user with this number and password, else None.

    The answer and its timing are the same for an unknown number and a wrong
    password, so sign-in does not tell who is registered. It only reads, so the
    slow password check never holds SQLite's write lock (see ``lms.database``).
    """
    user = find_by_phone(phone)
    if user is None or not user.active:
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    return user


def password_upgrade(user, password):
    """The right ``password`` hashed with today's parameters when ``user``'s hash
    is older (parameters, or made before NFC), else None.

    Slow like the check itself: call it beside ``authenticate``, with no write
    lock held, and store the result with ``refresh_password_hash``.
    """
    return hash_password(password) if needs_rehash(user.password_hash) else None


def refresh_password_hash(user, new_hash):
    """Keep the hash made by ``password_upgrade``, if any."""
    if new_hash:
        user.password_hash = new_hash


def end_all_sessions(user):
    """End every session of ``user`` on every device (sign-out, password change)."""
    user.session_version += 1


def change_password(user, current_password, new_password):
    """Set a new password after checking the current one; end every other session.

    :raise DomainError: the current password is wrong, or the new one is weak.
    """
    if not verify_password(user.password_hash, current_password or ""):
        raise DomainError(
            _l("Your current password is not right."), field="current_password"
        )
    check_password_policy(new_password, phone=user.phone, name=user.name)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    audit(user, "user.password_change", user.id)


def set_role(user, role, actor):
    """Give ``user`` a role; only an admin may, and never leaving no admin.

    ``actor`` None is the operator at the command line. Sessions end, so the
    new role takes effect (with its session limits) at the next sign-in.
    """
    if actor is not None and not may_assign_roles(actor):
        raise DomainError(_l("Only an admin can change roles."), field="role")
    if role not in ROLES:
        raise DomainError(_l("Unknown role."), field="role")
    if actor is not None and not (
        can_give_role(actor, role) and can_give_role(actor, user.role)
    ):
        raise DomainError(
            _l("Only an administrator of the whole site can make administrators."),
            field="role",
        )
    if user.role == Role.ADMIN and role != Role.ADMIN and _is_last_admin(user):
        raise DomainError(
            _l("This is the last admin. Make someone else admin first."), field="role"
        )
    previous, user.role = user.role, role
    end_all_sessions(user)
    if role not in READING_ROLES:
        revoke_all_tokens(user, actor)
    audit(actor, "user.role", user.id, {"from": previous, "to": role})


def set_area(user, area, actor):
    """Place ``user`` in ``area``: an official then reports on its subtree, a
    trainer reviews its learners' practical work.

    A learner's history moves with them (lms/models/activity.py).
    """
    if actor is not None and not may_assign_roles(actor):
        raise DomainError(_l("Only an admin can change areas."), field="area")
    if actor is not None and not can_place_in(actor, area):
        raise DomainError(
            _l("You can place people only in the areas you manage."), field="area"
        )
    if (
        user.role == Role.ADMIN
        and user.area_id is None
        and area is not None
        and _is_last_admin(user)
    ):
        raise DomainError(
            _l(
                "This is the last admin of the whole site. Make someone else one first."
            ),
            field="area",
        )
    previous = user.area.code if user.area else None
    user.area = area
    audit(actor, "user.area", user.id, {"from": previous, "to": area and area.code})
    check_placement(user)


def check_placement(user):
    """A learner belongs to a commune: the reports count each farmer in one.

    Called once the changes to someone's role and area are made, so that both
    may change together (an official becoming a farmer of a commune).
    """
    if user.role == Role.LEARNER and not _is_commune(user.area):
        raise DomainError(
            _l("A learner belongs to a commune: choose one."), field="area"
        )


def set_active(user, active, actor):
    """Disable an account (ending its sessions everywhere) or enable it again."""
    if actor is not None and not may_assign_roles(actor):
        raise DomainError(_l("Only an admin can disable accounts."))
    if not active and actor is not None and actor.id == user.id:
        raise DomainError(_l("You cannot disable your own account."), field="active")
    if not active and user.role == Role.ADMIN and _is_last_admin(user):
        raise DomainError(_l("This is the last admin. Make someone else admin first."))
    user.active = active
    end_all_sessions(user)
    audit(actor, "user.enable" if active else "user.disable", user.id)


def _is_last_admin(user):
    """Whether ``user`` is the last active admin of their kind: of the whole
    site (no area), whom province admins cannot replace (they manage neither
    clubs nor other admins), or of any kind for a province admin."""
    others = select(func.count()).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
    )
    if user.area_id is None:
        others = others.where(User.area_id.is_(None))
    return db.session.scalar(others) == 0


def set_locale(user, locale):
    user.locale = locale
