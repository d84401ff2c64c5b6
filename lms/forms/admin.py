"""Forms for admins: revoking certificates, club rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, TextAreaField
from wtforms.validators import NumberRange, Optional

from lms.forms.teaching import MultiCheckboxField


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown publicly on the certificate)"), render_kw={"rows": 2}
    )


class ClubRulesForm(FlaskForm):
    courses = MultiCheckboxField(_l("Courses a member must complete"), coerce=int)
    valid_months = IntegerField(
        _l("Membership lasts (months; empty: no expiry)"),
        validators=[
            Optional(),
            NumberRange(1, 240, _l("Give the months as a number from 1 to 240.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


def _area_id(value):
    """An area's id from the form ("" is no area); anything else is refused."""
    if value in ("", None):
        return None
    return int(value)


class AccountForm(FlaskForm):
    """An admin's changes to someone's account: role, area, whether it may sign in."""

    role = SelectField(
        _l("Role"),
        invalid_choice_message=_l("Choose one of the roles in the list."),
    )
    area = SelectField(
        _l("Area"),
        coerce=_area_id,
        invalid_value_message=_l("Choose one of the areas in the list."),
        invalid_choice_message=_l("Choose one of the areas in the list."),
    )
    active = BooleanField(_l("May sign in"))
