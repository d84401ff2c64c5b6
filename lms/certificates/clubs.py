"""A club's rules, data an admin edits: required courses, validity, renewal."""

from flask_babel import lazy_gettext as _l

from lms.services import DomainError
from lms.services.audit import audit

# What an admin may set as a club's renewal rule: field -> (lowest, highest).
RENEWAL_LIMITS = {
    "renewal_questions": (0, 20),
    "renewal_pass_mark": (50, 100),
    "renewal_days": (1, 365),
}


def set_club_rules(club, courses, valid_months, actor, renewal=None):
    """Change which courses a club requires, how long membership lasts and,
    given ``renewal`` ({field: number} for RENEWAL_LIMITS), how renewing works.

    Certificates already issued stay as they are; the new rules apply from now.
    """
    if not courses:
        raise DomainError(_l("A club requires at least one course."), field="courses")
    if valid_months is not None and not 1 <= valid_months <= 240:
        raise DomainError(
            _l("Give the months as a number from 1 to 240."), field="months"
        )
    renewal = renewal or {}
    for name, value in renewal.items():
        low, high = RENEWAL_LIMITS[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise DomainError(
                _l("Give a number from %(low)d to %(high)d.", low=low, high=high),
                field=name,
            )
    days = renewal.get("renewal_days", club.renewal_days)
    if valid_months is not None and days is not None and days >= 28 * valid_months:
        # Opened for longer than a card lasts, a card just renewed could be
        # renewed again at once, and again: months of membership in a minute.
        raise DomainError(
            _l(
                "Renewing must open less than %(days)d days before a card "
                "expires: a card lasts %(months)d months.",
                days=28 * valid_months,
                months=valid_months,
            ),
            field="renewal_days",
        )
    unchanged = all(getattr(club, name) == value for name, value in renewal.items())
    if (
        unchanged
        and set(courses) == set(club.courses)
        and (valid_months == club.valid_months)
    ):
        return  # saved unchanged: nothing to record
    club.courses = list(courses)
    club.valid_months = valid_months
    for name, value in renewal.items():
        setattr(club, name, value)
    audit(
        actor,
        "club.rules",
        detail={
            "club": club.code,
            "courses": [course.slug for course in courses],
            "valid_months": valid_months,
            **renewal,
        },
    )
