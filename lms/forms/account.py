"""Forms for accounts: sign up, sign in, language, codes from a trainer."""

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import Select

from lms.forms.base import Form
from lms.ids import parse_id

PHONE_ATTRS = {"inputmode": "tel", "autocomplete": "tel"}


class SelectWithPrompt(Select):
    """A select whose first option asks for a choice, so none is made by accident."""

    def __init__(self, prompt):
        super().__init__()
        self.prompt = prompt

    def __call__(self, field, **kwargs):
        opening, rest = str(super().__call__(field, **kwargs)).split(">", 1)
        selected = "" if field.data else " selected"
        prompt = f'<option value=""{selected}>{escape(self.prompt)}</option>'
        return Markup(f"{opening}>{prompt}{rest}")


def commune_options(groups):
    """Select options for communes, grouped under their parent area."""
    return [
        SelectChoice(area_id, name, optgroup=group or None)
        for group, items in groups
        for area_id, name in items
    ]


def _id_or_none(value):
    """Coerce a posted id; anything else becomes None (and "choose" is asked)."""
    return parse_id(value)


class EmptyForm(Form):
    """A CSRF-protected button: enrol, mark complete, sign out."""


class ConfirmForm(Form):
    """A button whose action cannot be undone: the first press asks, the second does.

    The question is a page of its own, so it works without JavaScript.
    """

    confirmed = HiddenField()

    def is_confirmed(self):
        return self.validate_on_submit() and self.confirmed.data == "yes"


class SignupForm(Form):
    phone = TelField(
        _l("Phone number"),
        validators=[DataRequired(_l("Enter your phone number."))],
        render_kw=PHONE_ATTRS,
        description=_l("A Vietnamese mobile number, for example 0912 345 678."),
    )
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=120, message=_l("The name is too long.")),
        ],
        render_kw={"autocomplete": "name", "autocapitalize": "words"},
    )
    area = SelectField(
        _l("Commune"),
        coerce=_id_or_none,
        validators=[InputRequired(_l("Choose your commune."))],
        validate_choice=False,  # the service checks the area exists
        widget=SelectWithPrompt(_l("Choose your commune")),
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Choose a password."))],
        render_kw={"autocomplete": "new-password", "minlength": 8},
        description=_l("At least 8 characters. A short sentence is easy to remember."),
    )
    next = HiddenField()  # where the farmer was going, e.g. a class join link


class LoginForm(Form):
    phone = TelField(
        _l("Phone number"),
        validators=[DataRequired(_l("Enter your phone number."))],
        render_kw=PHONE_ATTRS,
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class LanguageForm(Form):
    lang = HiddenField()
    next = HiddenField()


class UseCodeForm(Form):
    """Set a password with a one-time code from a trainer (activation or reset)."""

    phone = TelField(
        _l("Phone number"),
        validators=[DataRequired(_l("Enter your phone number."))],
        render_kw=PHONE_ATTRS,
    )
    code = StringField(
        _l("Code from your trainer"),
        validators=[DataRequired(_l("Enter the code."))],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
        description=_l("8 digits, on the paper or message from your trainer."),
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password."))],
        render_kw={"autocomplete": "new-password", "minlength": 8},
        description=_l("At least 8 characters. A short sentence is easy to remember."),
    )


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password."))],
        render_kw={"autocomplete": "new-password", "minlength": 8},
        description=_l("At least 8 characters. A short sentence is easy to remember."),
    )


class ProfileForm(Form):
    name = StringField(_l("Your name"), validators=[Length(max=120)])
    listed_publicly = BooleanField(
        _l("List me on the public club page"),
        description=_l(
            "Buyers looking for sellers see your name, commune and certificate. "
            "Your phone number is never shown."
        ),
    )


class VerifyForm(Form):
    code = StringField(
        _l("Certificate code"),
        validators=[DataRequired(_l("Enter the code printed on the certificate."))],
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
        description=_l("26 letters and digits, for example ABCD-EFGH-…"),
    )
