"""The area tree: import it from CSV, list the communes people can choose."""

import csv
import io

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, false, select, update
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.models import Area, Certificate, Classroom, User
from lms.models.activity import AREA_TRACKED, LearnerDay
from lms.models.totals import rebuild as rebuild_totals
from lms.permissions import subtree
from lms.services.files import FileProblems, decode_text

COLUMNS = ["code", "name", "kind", "parent_code"]
MERGE_COLUMN = "merged_into"
# How official names begin; sorting skips them ("Phường Chũ" among the C).
# Every table whose rows belong to an area: a merge moves them all.
HOLDING_AREAS = (User, Classroom, LearnerDay, *AREA_TRACKED)


class AreaFileError(FileProblems):
    """The area file is wrong; ``problems`` lists (line, reason) for each bad row."""


def import_areas(data):
    """Create or update areas from CSV bytes (code, name, kind, parent_code and,
    optionally, merged_into).

    Rows are matched by code, so a new name keeps everyone attached; areas
    missing from the file are kept, because people belong to them. A row with
    ``merged_into`` moves everyone and everything in its area to that one, then
    takes the emptied area off the map. Parents come before their children.

    :raise AreaFileError: nothing is written when any row is wrong.
    """
    reader = _reader(data)
    existing = {area.code: area for area in db.session.scalars(select(Area))}
    rows, merges = _checked_rows(reader, existing)
    moved = _write_rows(rows, existing)
    for _, code, into in merges:
        merge_area(existing.pop(code), existing[into])
    _refuse_orphans()
    if merges or moved:
        # Each area's totals cover its subtree: a new tree needs them recounted.
        db.session.flush()
        rebuild_totals(db.session.connection())
    return len(rows)


def _checked_rows(reader, existing):
    """Return the file's rows (code, name, kind, parent code) and its merges
    (line, code, into); raise AreaFileError listing every wrong row."""
    problems, seen, rows, merges = [], set(), [], []
    for number, row in enumerate(reader, start=2):
        code, name = (row["code"] or "").strip(), (row["name"] or "").strip()
        kind, parent = (row["kind"] or "").strip(), (row["parent_code"] or "").strip()
        into = (row.get(MERGE_COLUMN) or "").strip()
        problem = _row_problem(code, name, kind, parent, seen, existing)
        if problem is not None:
            problems.append((number, problem))
        elif into:
            merges.append((number, code, into))
        seen.add(code)
        rows.append((code, name, kind, parent))
    problems += _merge_problems(merges, existing, seen)
    if problems:
        raise AreaFileError(problems)
    return rows, merges


def _row_problem(code, name, kind, parent, seen, existing):
    """What is wrong with one row, else None."""
    if not code or not name or not kind:
        return _l("code, name and kind are required")
    if code in seen:
        return _l("the code %(code)s appears twice", code=code)
    if parent and parent not in seen and parent not in existing:
        return _l("the parent %(code)s is not defined above", code=parent)
    if parent == code:
        return _l("an area cannot be its own parent")
    return None


def _write_rows(rows, existing):
    """Create or update the rows' areas (``existing`` by code gains the new ones);
    return whether an area already on the map moved under another parent."""
    moved = False
    for code, name, kind, parent in rows:
        area = existing.get(code) or Area(code=code)
        area.name, area.kind = name, kind
        new_parent = existing[parent] if parent else None
        moved |= area.id is not None and area.parent is not new_parent
        area.parent = new_parent
        existing[code] = area
        db.session.add(area)
    db.session.flush()
    refresh_paths(existing.values())
    return moved


def _reader(data):
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        raise AreaFileError(
            [(1, _l("the file is not UTF-8 text (save it as UTF-8)"))]
        ) from None
    lines = [line for line in io.StringIO(text) if not line.startswith("#")]
    reader = csv.DictReader(lines)
    names = [name.strip() for name in reader.fieldnames or []]
    if names not in (COLUMNS, [*COLUMNS, MERGE_COLUMN]):
        raise AreaFileError(
            [(1, _l("the columns must be: %(columns)s", columns=", ".join(COLUMNS)))]
        )
    reader.fieldnames = names
    return reader


def _merge_problems(merges, existing, seen):
    merged = {code for _, code, _ in merges}
    problems = []
    for number, code, into in merges:
        if code not in existing:
            problems.append(
                (number, _l("%(code)s is new: there is nothing to merge", code=code))
            )
        elif into not in existing and into not in seen:
            problems.append(
                (number, _l("%(code)s is merged into an unknown area", code=code))
            )
        elif into == code or into in merged:
            problems.append(
                (number, _l("%(code)s is merged into an area that goes", code=code))
            )
    return problems


def _refuse_orphans():
    """Refuse a tree where learners would sit in an area that has areas below
    it: they would no longer belong to a commune. The caller rolls back."""
    below = select(Area.parent_id).where(Area.parent_id.is_not(None))
    learners = select(User.id).where(User.area_id == Area.id, User.role == "learner")
    crowded = db.session.execute(
        select(Area.code, Area.name)
        .where(Area.id.in_(below), exists(learners))
        .order_by(Area.code)
    ).all()
    if crowded:
        raise AreaFileError(
            [
                (
                    1,
                    _l(
                        "people belong to %(areas)s, which would no longer be a "
                        "commune: merge them into a commune instead",
                        areas=", ".join(f"{code} {name}" for code, name in crowded),
                    ),
                )
            ]
        )


def merge_area(old, new):
    """Move everyone and everything in ``old`` (and the areas below it) to
    ``new``, then take ``old`` off the map."""
    for model in HOLDING_AREAS:
        db.session.execute(
            update(model)
            .where(model.area_id == old.id)
            .values(area_id=new.id)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(  # a merged province's certificates: now the new one's
        update(Certificate)
        .where(Certificate.issuer_area_id == old.id)
        .values(issuer_area_id=new.id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Area).where(Area.parent_id == old.id).values(parent_id=new.id)
    )
    db.session.execute(delete(Area).where(Area.id == old.id))
    db.session.expire_all()
    refresh_paths()


def held_areas(area_ids):
    """The ids among ``area_ids`` that someone or something belongs to."""
    held = set()
    for model in HOLDING_AREAS:
        held |= set(
            db.session.scalars(
                select(model.area_id).where(model.area_id.in_(area_ids)).distinct()
            )
        )
    return held


def refresh_paths(areas=None):
    """Recompute every area's path from its parents."""
    if areas is None:
        areas = db.session.scalars(select(Area)).all()
    for area in sorted(areas, key=_depth):
        area.path = (area.parent.path if area.parent else "/") + f"{area.id}/"
    db.session.flush()


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


def is_commune():
    """A filter for communes, the areas farmers live in: no area below them."""
    below = aliased(Area)
    return ~exists().where(below.parent_id == Area.id)


def commune_choices(provinces=None):
    """Return [(group name, [(id, name), ...])] of the areas a farmer can live in.

    Only leaves are offered (a farmer belongs to a commune, not a province),
    of ``provinces`` when given, grouped under their parent's name, sorted the
    Vietnamese way by their own name ("Xã Chũ" among the C).
    """
    query = select(Area).where(is_commune())
    if provinces is not None:
        query = query.where(db.or_(false(), *[subtree(p) for p in provinces]))
    groups = {}
    for area in db.session.scalars(query):
        parent = area.parent
        group = (parent.name_sort, parent.name) if parent else ("", "")
        groups.setdefault(group, []).append(area)
    return [
        (name, [(a.id, a.name) for a in sorted(items, key=_in_order)])
        for (_, name), items in sorted(groups.items())
    ]


def _in_order(area):
    return (area.name_sort, area.id)
