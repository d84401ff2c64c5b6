"""Read YAML and front matter keeping line numbers, and check fields (pure).

Every check raises Invalid with the line to point at, so each file's problems
read "file:line: what is wrong".
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l

from lms.services.files import decode_text

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Question and criterion ids: earlier editors could make one ending in "-" or with
# "--" inside; learners' answers key on them, so they must still import as they are.
ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_SLUG = 80


@dataclass
class Problem:
    """One thing wrong with one file, at a line where it can be told."""

    path: Path
    message: str
    line: int | None = None

    def __str__(self):
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


class Mapping(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line = None

    def __init__(self):
        super().__init__()
        self.lines = {}


class Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise Invalid(_l("keys must be text"), key_node.start_mark.line + 1)
        if key in mapping:
            raise Invalid(
                _l("the key “%(key)s” appears twice", key=key),
                key_node.start_mark.line + 1,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


Loader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


class Invalid(Exception):
    def __init__(self, message, line=None):
        super().__init__(str(message))
        self.message = message
        self.line = line


def read_text(path, problems):
    """Read UTF-8 text normalised to NFC, or record where the bad bytes are."""
    data = path.read_bytes()
    try:
        text = decode_text(data)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(
            Problem(path, _l("the file is not UTF-8 text (save it as UTF-8)"), line)
        )
        return None
    return text.replace("\r\n", "\n")


def front_matter(path, problems):
    """Split a Markdown file into its front matter mapping and its body."""
    text = read_text(path, problems)
    if text is None:
        return None, None
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(
            Problem(
                path, _l("the file must start with front matter between --- lines"), 1
            )
        )
        return None, None
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    except StopIteration:
        problems.append(
            Problem(path, _l("the front matter has no closing --- line"), 1)
        )
        return None, None
    try:
        meta = load_yaml("\n".join(lines[1:end]), offset=1)
    except Invalid as invalid:
        problems.append(Problem(path, invalid.message, invalid.line))
        return None, None
    if not isinstance(meta, Mapping):
        problems.append(
            Problem(path, _l("the front matter must be key: value lines"), 2)
        )
        return None, None
    return meta, "\n".join(lines[end + 1 :])


def load_yaml(text, offset=0):
    try:
        data = yaml.load(text, Loader=Loader)  # noqa: S506 (a SafeLoader subclass)
    except Invalid as invalid:
        invalid.line = invalid.line + offset if invalid.line else None
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise Invalid(
            _l("this is not valid YAML: %(problem)s", problem=error.problem or ""),
            mark.line + 1 + offset if mark else None,
        ) from None
    if isinstance(data, Mapping) and offset:
        _shift_lines(data, offset)
    return data


def read_yaml_file(path, problems, not_a_mapping):
    """The mapping in the YAML file ``path``; None when there is no such file or
    its bytes are not UTF-8 (recorded in ``problems``).

    :raise Invalid: not YAML, or not a mapping (``not_a_mapping`` says what it holds).
    """
    if not path.is_file():
        return None
    text = read_text(path, problems)
    if text is None:
        return None
    data = load_yaml(text)
    if not isinstance(data, Mapping):
        raise Invalid(not_a_mapping)
    return data


def _shift_lines(value, offset):
    if isinstance(value, Mapping):
        value.line += offset
        value.lines = {key: line + offset for key, line in value.lines.items()}
        for child in value.values():
            _shift_lines(child, offset)
    elif isinstance(value, list):
        for child in value:
            _shift_lines(child, offset)


def only_keys(mapping, allowed):
    for key in mapping:
        if key not in allowed:
            raise Invalid(
                _l(
                    "unknown key “%(key)s” (allowed: %(allowed)s)",
                    key=key,
                    allowed=", ".join(sorted(allowed)),
                ),
                mapping.lines[key],
            )


def required(mapping, key, kind):
    if key not in mapping or mapping[key] is None:
        raise Invalid(_l("“%(key)s” is missing", key=key), mapping.line)
    value = mapping[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = {int: _l("a whole number"), list: _l("a list"), str: _l("text")}
        raise Invalid(
            _l("“%(key)s” must be %(kind)s", key=key, kind=names[kind]),
            mapping.lines[key],
        )
    return value


def positive(mapping, key):
    value = required(mapping, key, int)
    if value < 1:
        raise Invalid(_l("“%(key)s” must be at least 1", key=key), mapping.lines[key])
    return value


def text_field(mapping, key):
    value = mapping.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if key in mapping and not isinstance(value, str):
        raise Invalid(_l("“%(key)s” must be text", key=key), mapping.lines[key])
    if not value or not value.strip():
        raise Invalid(
            _l("“%(key)s” is missing", key=key), mapping.lines.get(key, mapping.line)
        )
    return value.strip()


def slug_field(mapping, key, pattern=SLUG):
    """Read an id or slug, saying which rule it breaks."""
    value = text_field(mapping, key)
    line = mapping.lines[key]
    if len(value) > MAX_SLUG:
        raise Invalid(
            _l(
                "“%(key)s” is %(length)s characters long; at most %(max)s",
                key=key,
                length=len(value),
                max=MAX_SLUG,
            ),
            line,
        )
    if re.search(r"[^a-z0-9-]", value):
        raise Invalid(
            _l(
                "“%(key)s” may hold only lower-case letters a-z without accents, "
                "digits and hyphens; “%(value)s” has other characters",
                key=key,
                value=value,
            ),
            line,
        )
    if not pattern.match(value):
        raise Invalid(
            _l(
                "“%(key)s” must start and end with a letter or digit, with one "
                "hyphen between words: “%(value)s”",
                key=key,
                value=value,
            ),
            line,
        )
    return value


def item_id_field(mapping, key):
    """A question's or rubric criterion's id (see ITEM_ID)."""
    return slug_field(mapping, key, ITEM_ID)


def localised_field(mapping, key):
    """Read ``key: text`` (Vietnamese) or ``key: {vi: ..., en: ...}``."""
    value = mapping.get(key)
    if isinstance(value, Mapping):
        only_keys(value, {"vi", "en"})
        return text_field(value, "vi"), (
            text_field(value, "en") if "en" in value else None
        )
    return text_field(mapping, key), None
