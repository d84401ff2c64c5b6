"""Forms for admins: revoking certificates, club rules."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from lms.forms.base import Form, InRange
from lms.forms.teaching import MultiCheckboxField
from lms.services.accounts import NAME_LENGTH


class RevokeForm(Form):
    reason = TextAreaField(
        _l("Reason (shown publicly on the certificate)"), render_kw={"rows": 2}
    )


class ReinstateForm(Form):
    reason = TextAreaField(
        _l("Why it is valid again (kept in the audit log)"), render_kw={"rows": 2}
    )


class ClubRulesForm(Form):
    courses = MultiCheckboxField(_l("Courses a member must complete"), coerce=int)
    valid_months = IntegerField(
        _l("Membership lasts (months; empty: no expiry)"),
        validators=[
            Optional(),
            InRange(1, 240, _l("Give the months as a number from 1 to 240.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    renewal_questions = IntegerField(
        _l("Refresher quiz for renewing: questions (0: no quiz)"),
        validators=[
            Optional(),
            InRange(0, 20, _l("Give a number from %(min)s to %(max)s.")),
        ],
        description=_l("Drawn from the quizzes of the courses the club requires."),
        render_kw={"inputmode": "numeric"},
    )
    renewal_pass_mark = IntegerField(
        _l("Refresher quiz: score needed (%)"),
        validators=[
            Optional(),
            InRange(50, 100, _l("Give a number from %(min)s to %(max)s.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    renewal_days = IntegerField(
        _l("Renewing opens this many days before a card expires"),
        validators=[
            Optional(),
            InRange(1, 365, _l("Give a number from %(min)s to %(max)s.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


def _area_id(value):
    """An area's id from the form ("" is no area); anything else is refused."""
    if value in ("", None):
        return None
    return int(value)


class AccountForm(Form):
    """An admin's changes to someone's account: name, role, area, whether it may
    sign in."""

    name = StringField(
        _l("Name"), render_kw={"maxlength": NAME_LENGTH, "autocomplete": "off"}
    )
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


class IssuerForm(Form):
    """A province's issuer; an empty field shows the site's own."""

    name = StringField(_l("Issuer name"), render_kw={"maxlength": 200})
    email = StringField(_l("E-mail"), render_kw={"type": "email", "maxlength": 254})
    phone = StringField(_l("Phone"), render_kw={"type": "tel", "maxlength": 32})
    url = StringField(_l("Web address"), render_kw={"type": "url", "maxlength": 255})
