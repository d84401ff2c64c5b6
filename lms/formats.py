"""Phone numbers and sizes as people in Vietnam read them."""

import phonenumbers
from babel.numbers import format_decimal
from flask_babel import get_locale


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
