"""Phone numbers and sizes as people in Vietnam read them."""

import phonenumbers
from babel.numbers import format_decimal, get_group_symbol
from flask_babel import format_number, get_locale
from jinja2 import pass_eval_context

_GROUP = {}  # locale name -> its thousands separator


def phone_text(phone):
    """ "+84912345678" -> "0912 345 678", grouped as Vietnamese write numbers."""
    try:
        number = phonenumbers.parse(phone, "VN")
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def masked_phone(phone):
    """ "+84912345678" -> "0912 *** *78": enough to recognise, not to call."""
    text = phone_text(phone)
    digits = [i for i, char in enumerate(text) if char.isdigit()]
    hidden = set(digits[4:-2])
    return "".join("*" if i in hidden else char for i, char in enumerate(text))


def size_text(size, locale=None):
    """A download's size in the reader's language: "2,1 MB" in Vietnamese."""
    if size is None:
        return ""
    locale = locale or get_locale() or "vi"
    if size < 1024 * 1024:
        return f"{format_decimal(max(1, round(size / 1024)), locale=locale)} KB"
    megabytes = format_decimal(size / 1024 / 1024, format="#,##0.0", locale=locale)
    return f"{megabytes} MB"


def _group(locale):
    name = str(locale)
    group = _GROUP.get(name)
    if group is None:
        group = _GROUP[name] = get_group_symbol(locale)
    return group


@pass_eval_context
def number_filter(eval_ctx, value):
    """The template filter ``format_number``: a number as the reader's language
    writes it ("12.345" in Vietnamese), as Flask-Babel's filter does. Whole
    numbers skip Babel's pattern work (grouped by three with the locale's sign,
    the locale looked up once per rendering): a report page writes 1,600 of them."""
    if type(value) is not int:
        return format_number(value)
    group = getattr(eval_ctx, "lms_number_group", None)
    if group is None:
        group = eval_ctx.lms_number_group = _group(get_locale() or "vi")
    return f"{value:,}".replace(",", group)
