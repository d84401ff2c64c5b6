"""One FlaskForm per use case. Labels and messages go through Babel."""

from lms.forms.account import (
    EmptyForm,
    LanguageForm,
    LoginForm,
    SelectWithPrompt,
    SignupForm,
    UseCodeForm,
    commune_options,
)

__all__ = [
    "EmptyForm",
    "LanguageForm",
    "LoginForm",
    "SelectWithPrompt",
    "SignupForm",
    "UseCodeForm",
    "commune_options",
]
