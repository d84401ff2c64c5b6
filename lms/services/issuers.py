"""Who issues certificates: each province its own issuer, else the site's."""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lms.services import DomainError
from lms.services.audit import audit

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ().-]{6,32}$")
URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
FIELDS = ("name", "email", "phone", "url")


@dataclass(frozen=True)
class Issuer:
    """An issuer as certificates, PDFs and badges show it.

    ``province`` None: the site's own issuer (``LMS_ISSUER_NAME``/``_EMAIL``).
    """

    name: str
    email: str | None
    phone: str | None = None
    url: str | None = None
    province: object = None

    @property
    def contact(self):
        """Email, phone and web address on one line, as printed on a certificate."""
        return " · ".join(part for part in (self.email, self.phone, self.url) if part)


def site_issuer(config):
    return Issuer(config["LMS_ISSUER_NAME"], config["LMS_ISSUER_EMAIL"])


def province_issuer(province, config):
    """``province``'s issuer: what its admin set, each field else the site's
    (the name followed by the province's)."""
    site = site_issuer(config)
    if province is None:
        return site
    return Issuer(
        # With no name of its own, the site's with the province's: a second
        # province's certificates must not say they come from the first.
        province.issuer_name or f"{site.name} – {province.name}",
        province.issuer_email or site.email,
        province.issuer_phone,
        province.issuer_url,
        province,
    )


def certificate_issuer(certificate, config):
    """The issuer stored on ``certificate`` when it was issued."""
    return province_issuer(certificate.issuer_area, config)


def _tidied(name, email, phone, url):
    return {
        "name": " ".join((name or "").split()),
        "email": (email or "").strip(),
        "phone": " ".join((phone or "").split()),
        "url": (url or "").strip(),
    }


def issuer_problems(name, email, phone, url):
    """{field: message} for every field that is not right, to show them at once."""
    values = _tidied(name, email, phone, url)
    problems = {}
    if len(values["name"]) > 200:
        problems["name"] = _l("The name is too long.")
    if values["email"] and not EMAIL.match(values["email"]):
        problems["email"] = _l(
            "Enter an e-mail address, for example chungchi@example.vn."
        )
    if values["phone"] and not PHONE.match(values["phone"]):
        problems["phone"] = _l("Enter a phone number, for example 0222 3822 123.")
    if values["url"] and (len(values["url"]) > 255 or not URL.match(values["url"])):
        problems["url"] = _l("Enter a web address starting with https://.")
    return problems


def set_issuer(province, actor, name, email, phone, url):
    """Set ``province``'s issuer; an empty field falls back to the site's.

    :return: whether anything changed (saved unchanged: nothing is written).
    :raise DomainError: a field that is not an e-mail address, phone number or
        web address (http/https), or a name too long; nothing is changed.
    """
    values = _tidied(name, email, phone, url)
    problems = issuer_problems(**values)
    if problems:
        field, message = next(iter(problems.items()))
        raise DomainError(message, field=field)
    before = {f: getattr(province, f"issuer_{f}") for f in FIELDS}
    after = {f: value or None for f, value in values.items()}
    if after == before:
        return False  # saved unchanged: nothing to record
    for field, value in after.items():
        setattr(province, f"issuer_{field}", value)
    detail = {"area": province.code, "from": before, "to": values}
    audit(actor, "area.issuer", detail=detail)
    return True
