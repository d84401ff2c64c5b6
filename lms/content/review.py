"""Keep lessons true: when they were last checked, what they rest on (pure).

A lesson's front matter may say when it was last ``reviewed`` and list the
``sources`` it rests on; one that states a law must list them, whether it says
so (``law: true``) or cites a numbered legal text the importer recognises.
"""

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from lms.content.fields import Invalid, Mapping, Problem, only_keys, read_text

REVIEW_KEYS = {"reviewed", "sources", "law"}
SOURCE_KEYS = ("title", "issuer", "date", "url")
# "Nghị định 117/2025/NĐ-CP", "Luật số 19/2023", "Circular No. 02/2024", or a
# document number on its own ("19/2023/QH15", "43/2017/NĐ-CP").
LEGAL_REFERENCE = re.compile(
    r"\b(?:Nghị định|Luật|Thông tư|Decree|Law|Circular)\s+(?:số\s+|No\.?\s*)?\d"
    r"|\b\d+/\d{4}/(?:QH\d+|NĐ-CP|ND-CP|TT-[A-ZĐ]+)"
)
REVIEW_MONTHS = 12


def review_fields(meta):
    """Read ``reviewed``, ``sources`` and ``law`` from a lesson's front matter.

    ``reviewed`` may not be after today (in Vietnam): a check that has not
    happened would keep the lesson off the list of lessons due for review for
    as long as it is ahead. A source may be dated ahead: a rule that comes into
    force later makes the lesson due on that day.
    """
    fields = {"reviewed": None, "sources": [], "law": False}
    if "reviewed" in meta:
        fields["reviewed"] = _date(meta, "reviewed", _today())
    if "law" in meta:
        if not isinstance(meta["law"], bool):
            raise Invalid(_l("“law” is true or false"), meta.lines["law"])
        fields["law"] = meta["law"]
    if "sources" in meta:
        raw = meta["sources"]
        if not isinstance(raw, list) or not raw:
            raise Invalid(
                _l("“sources” is a list of title, issuer, date and url"),
                meta.lines["sources"],
            )
        fields["sources"] = [_source(item, meta.lines["sources"]) for item in raw]
    return fields


def _source(item, line):
    if not isinstance(item, Mapping):
        raise Invalid(
            _l("each source is a mapping with title, issuer, date, url"), line
        )
    only_keys(item, set(SOURCE_KEYS))
    source = {}
    for key in ("title", "issuer", "url"):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise Invalid(
                _l("the source has no “%(key)s”", key=key),
                item.lines.get(key, item.line),
            )
        source[key] = value.strip()
    if not re.match(r"^https?://\S+$", source["url"]):
        raise Invalid(
            _l("the source's url must start with http:// or https://"),
            item.lines["url"],
        )
    source["date"] = _date(item, "date").isoformat()
    return {key: source[key] for key in SOURCE_KEYS}


def _today():
    from lms.clock import utcnow
    from lms.models.activity import local_day

    return local_day(utcnow())


def _date(mapping, key, today=None):
    value = mapping.get(key)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, date):
        raise Invalid(
            _l("“%(key)s” must be a date written YYYY-MM-DD", key=key),
            mapping.lines.get(key, mapping.line),
        )
    if today is not None and value > today:
        raise Invalid(
            _l("“%(key)s” cannot be after today (%(today)s)", key=key, today=today),
            mapping.lines.get(key, mapping.line),
        )
    return value


def check_law_sources(files, review, problems):
    """Record a problem when the lesson states a law but lists no sources.

    :return: True when the lesson may be imported.
    """
    if review["sources"]:
        return True
    if review["law"]:
        problems.append(
            Problem(
                files["vi"],
                _l(
                    "the lesson is marked law: true but has no sources: list the "
                    "legal text (title, issuer, date, url) it rests on"
                ),
                1,
            )
        )
        return False
    for language in ("vi", "en"):
        if language not in files:
            continue
        found = legal_reference(files[language], problems)
        if found:
            line, reference = found
            problems.append(
                Problem(
                    files[language],
                    _l(
                        "“%(reference)s” cites a legal text, but the lesson has no "
                        "sources: add its title, issuer, date and url to the front "
                        "matter of the Vietnamese file",
                        reference=reference,
                    ),
                    line,
                )
            )
            return False
    return True


def legal_reference(path, problems):
    """(line, words) of the first legal reference in the file's body, or None."""
    text = read_text(path, problems) or ""
    lines = text.split("\n")
    closing = next(
        (n for n, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0
    )
    found = legal_reference_in("\n".join(lines[closing + 1 :]))
    return (found[0] + closing + 1, found[1]) if found else None


def legal_reference_in(text):
    """(line, words) of the first numbered legal text ``text`` cites, or None."""
    for number, line in enumerate((text or "").split("\n"), 1):
        match = LEGAL_REFERENCE.search(line)
        if match:
            rest = re.match(r"[\w/.-]*", line[match.end() :]).group(0)
            return number, (line[match.start() : match.end()] + rest).rstrip(".")
    return None


def due_reason(reviewed, sources, today):
    """Why a lesson needs reviewing on ``today``, or None while it is current."""
    if reviewed is None:
        return "never reviewed"
    if today >= _months_later(reviewed, REVIEW_MONTHS):
        return f"not reviewed since {reviewed.isoformat()}"
    for source in sources or []:
        when = date.fromisoformat(source["date"])
        if reviewed < when <= today:
            return f"{source['title']} ({when.isoformat()}) came after the review"
    return None


def _months_later(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover
