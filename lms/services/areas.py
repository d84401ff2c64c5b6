"""The area tree: import it from CSV, list the communes people can choose."""

import csv
import io
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.extensions import db
from lms.models import Area, User
from lms.services import DomainError

COLUMNS = ["code", "name", "kind", "parent_code"]


class AreaFileError(DomainError):
    """The area file is wrong; ``problems`` lists (line, reason) for each bad row."""

    def __init__(self, problems):
        super().__init__("\n".join(f"{line}: {reason}" for line, reason in problems))
        self.problems = problems


def import_areas(data):
    """Create or update areas from CSV bytes (code, name, kind, parent_code).

    Rows are matched by code; areas missing from the file are kept, because
    people belong to them. Parents come before their children.

    :raise AreaFileError: nothing is written when any row is wrong.
    """
    try:
        text = unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise AreaFileError(
            [(1, _l("the file is not UTF-8 text (save it as UTF-8)"))]
        ) from None
    lines = [line for line in io.StringIO(text) if not line.startswith("#")]
    reader = csv.DictReader(lines)
    if [name.strip() for name in reader.fieldnames or []] != COLUMNS:
        raise AreaFileError(
            [(1, _l("the columns must be: %(columns)s", columns=", ".join(COLUMNS)))]
        )
    existing = {area.code: area for area in db.session.scalars(select(Area))}
    problems, seen, rows = [], set(), []
    for number, row in enumerate(reader, start=2):
        code, name = (row["code"] or "").strip(), (row["name"] or "").strip()
        kind, parent = (row["kind"] or "").strip(), (row["parent_code"] or "").strip()
        if not code or not name or not kind:
            problems.append((number, _l("code, name and kind are required")))
        elif code in seen:
            problems.append((number, _l("the code %(code)s appears twice", code=code)))
        elif parent and parent not in seen and parent not in existing:
            problems.append(
                (number, _l("the parent %(code)s is not defined above", code=parent))
            )
        elif parent == code:
            problems.append((number, _l("an area cannot be its own parent")))
        seen.add(code)
        rows.append((code, name, kind, parent))
    if problems:
        raise AreaFileError(problems)
    for code, name, kind, parent in rows:
        area = existing.get(code) or Area(code=code)
        area.name, area.kind = name, kind
        area.parent = existing[parent] if parent else None
        existing[code] = area
        db.session.add(area)
    db.session.flush()
    for area in sorted(existing.values(), key=_depth):
        area.path = (area.parent.path if area.parent else "/") + f"{area.id}/"
    db.session.flush()
    return len(rows)


def _depth(area):
    seen = set()
    while area.parent is not None:
        if area.code in seen:
            raise AreaFileError(
                [(1, _l("the parents of %(code)s go round in a loop", code=area.code))]
            )
        seen.add(area.code)
        area = area.parent
    return len(seen)


def commune_choices():
    """Return [(group name, [(id, name), ...])] of the areas a farmer can live in.

    Only leaves are offered (a farmer belongs to a commune, not a province),
    grouped under their parent's name, sorted the Vietnamese way.
    """
    areas = db.session.scalars(select(Area)).all()
    parents = {area.parent_id for area in areas}
    groups = {}
    for area in areas:
        if area.id not in parents:
            parent = area.parent
            group = (parent.name_sort, parent.name) if parent else ("", "")
            groups.setdefault(group, []).append(area)
    return [
        (name, [(a.id, a.name) for a in sorted(items, key=_in_order)])
        for (_, name), items in sorted(groups.items())
    ]


def _in_order(area):
    return (area.name_sort, area.id)


def subtree(area):
    """A filter for rows whose area is ``area`` or below it."""
    return Area.path.startswith(area.path)


def users_in(area):
    return select(User).join(Area, User.area_id == Area.id).where(subtree(area))
