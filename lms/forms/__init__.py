"""One FlaskForm per use case. Labels and messages go through Babel."""

from lms.forms.account import (
    ChangePasswordForm,
    ConfirmForm,
    EmptyForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    SelectWithPrompt,
    SignupForm,
    UseCodeForm,
    VerifyForm,
    commune_options,
)


def show_error(form, error, default=None):
    """Show a DomainError on the field it names (else ``default``), else above
    the form."""
    name = error.field or default
    field = form._fields.get(name) if name else None
    (field.errors if field is not None else form.form_errors).append(str(error.message))


__all__ = [
    "ChangePasswordForm",
    "ConfirmForm",
    "EmptyForm",
    "LanguageForm",
    "LoginForm",
    "ProfileForm",
    "VerifyForm",
    "SelectWithPrompt",
    "SignupForm",
    "UseCodeForm",
    "commune_options",
    "show_error",
]
