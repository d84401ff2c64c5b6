"""The forms' base: WTForms' own messages in the page's language.

WTForms brings no Vietnamese catalogue, so its built-in messages ("Not a valid
integer value.", "Field cannot be longer than 200 characters.") reached
Vietnamese pages in English. Forms read them from the application's catalogue
instead, where ``_catalogued`` below puts them for translation.
"""

from flask_babel import get_translations, gettext, ngettext
from flask_wtf import FlaskForm
from wtforms.validators import NumberRange, StopValidation


class _Translations:
    """WTForms' interface to translations, answered from the page's catalogue
    (unformatted: WTForms fills in the numbers itself)."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


class InRange(NumberRange):
    """A number between two bounds; said once: when the text was no number at
    all, the field has said so ("Not a valid integer value.") and this adds
    nothing."""

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()
        super().__call__(form, field)


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _Translations()


def _catalogued():  # never called: the messages of WTForms that our fields can give
    _ = gettext
    _("This field is required.")
    _("Invalid input.")
    _("Invalid URL.")
    _("Field must be between %(min)d and %(max)d characters long.")
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    )
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    )
    ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    )
    _("Number must be at least %(min)s.")
    _("Number must be at most %(max)s.")
    _("Number must be between %(min)s and %(max)s.")
    _("Not a valid choice.")
    _("Invalid Choice: could not coerce.")
    _("Invalid choice(s): one or more data inputs could not be coerced.")
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    )
    _("Not a valid date value.")
    _("Not a valid integer value.")
    _("Not a valid decimal value.")
    _("Not a valid float value.")
