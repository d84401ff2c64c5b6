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
]
