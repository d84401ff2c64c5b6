"""Row ids from URLs, queries and forms: never a number no database can hold."""

from werkzeug.routing import IntegerConverter

# Every id column is an INTEGER: 32 bits on PostgreSQL, which refuses a larger
# number as a parameter (SQLite and Python stop at 2**63). None is that large.
MAX_ID = 2**31 - 1


def parse_id(raw):
    """A row id written in ASCII digits, from 1 to MAX_ID; anything else is None."""
    text = str(raw if raw is not None else "")
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: a number above MAX_ID matches nothing (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
