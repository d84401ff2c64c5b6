"""The official map of Viet Nam, from the package ``vietnam-provinces``.

Provinces keep their two-digit official code ("24") and communes, wards and
special zones their five-digit one ("07525"), the codes other systems use. Codes
made only of digits belong to this map; groupings a province adds (former
districts as training clusters) take other codes, through ``import-areas``.
"""

import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from vietnam_provinces import Province, Ward, __version__

from lms.extensions import db
from lms.models import Area, User
from lms.models.totals import rebuild as rebuild_totals
from lms.permissions import subtree, within
from lms.services import DomainError
from lms.services.areas import held_areas, is_commune, refresh_paths

ALL = ("", "all", "*")
VERSION = __version__


class OrphanedPeople(DomainError):
    """An update would take away areas people belong to; ``areas`` lists
    (code, name, number of people) for each."""

    def __init__(self, areas):
        listed = "; ".join(f"{code} {name} ({n})" for code, name, n in areas)
        super().__init__(
            _l(
                "Nothing was changed: these areas have people and would be taken "
                "away. Merge them into another area first: %(areas)s",
                areas=listed,
            )
        )
        self.areas = areas


def province_code(province):
    return f"{int(province.code):02d}"


def commune_code(ward):
    return f"{int(ward.code):05d}"


def official_provinces(setting):
    """Return the provinces a setting names: official codes or names, separated
    by commas; every province when it is empty or "all".

    An entry may also name a province loaded from an area file instead.

    :raise DomainError: naming each entry that is neither.
    """
    provinces = sorted(Province.iter_all(), key=lambda p: int(p.code))
    wanted = _entries(setting)
    if wanted is None:
        return provinces
    names = _by_key(provinces)
    roots = {_key(text) for root in _roots() for text in (root.code, root.name)}
    unknown = [part for part in wanted if _key(part) not in names.keys() | roots]
    if unknown:
        raise DomainError(
            _l("No province has this code or name: %(names)s", names=", ".join(unknown))
        )
    chosen = {province_code(names[_key(p)]) for p in wanted if _key(p) in names}
    return [province for province in provinces if province_code(province) in chosen]


def served_provinces(setting):
    """The provinces (areas at the top of the tree) whose people may sign up."""
    wanted = _entries(setting)
    if wanted is None:
        return _roots()
    names = _by_key(Province.iter_all())
    keys = {_key(part) for part in wanted}
    keys |= {province_code(names[key]) for key in keys if key in names}
    return [r for r in _roots() if _key(r.code) in keys or _key(r.name) in keys]


def province_of(place, provinces):
    """The one of ``provinces`` that an area lies in, or that a code names."""
    for province in provinces:
        if isinstance(place, Area) and within(province, place):
            return province
        if isinstance(place, str) and place.strip() == province.code:
            return province
    return None


def _entries(setting):
    """The entries of a setting, or None for every province."""
    wanted = [part.strip() for part in (setting or "").split(",") if part.strip()]
    if not wanted or any(part.casefold() in ALL for part in wanted):
        return None
    return wanted


def _roots():
    return db.session.scalars(
        select(Area).where(Area.parent_id.is_(None)).order_by(Area.code)
    ).all()


def _by_key(provinces):
    return {key: province for province in provinces for key in _keys(province)}


def _keys(province):
    name = _key(province.name)
    return {
        province_code(province),
        str(int(province.code)),
        name,
        name.removeprefix("thành phố "),
        province.codename,
        province.codename.replace("_", " "),
    }


def _key(text):
    return unicodedata.normalize("NFC", text.strip().casefold())


def load_official_map(provinces):
    """Create or update ``provinces`` and their communes from the package.

    New areas are added and renamed ones take their new name, so everyone and
    everything attached to them stays. A commune the package no longer lists is
    removed when nobody belongs to it; when people do, nothing changes.

    :return: (areas added, areas renamed, areas removed)
    :raise OrphanedPeople: listing the communes that would lose people.
    """
    existing = {area.code: area for area in db.session.scalars(select(Area))}
    wards = {province_code(p): list(Ward.iter_by_province(p.code)) for p in provinces}
    gone = _gone_communes(provinces, wards, existing)
    crowded = _people_in(gone)
    if crowded:
        raise OrphanedPeople(
            [(a.code, a.name, crowded[a.id]) for a in gone if a.id in crowded]
        )
    added = renamed = moved = 0
    for province in provinces:
        top, made, changed = _place(existing, province_code(province), province.name)
        moved += not made and top.parent is not None
        top.kind, top.parent = "province", None
        added, renamed = added + made, renamed + changed
        for ward in wards[province_code(province)]:
            area, made, changed = _place(existing, commune_code(ward), ward.name)
            if made or not _is_below(area, top):
                moved += not made
                area.parent, area.kind = top, "commune"
            added, renamed = added + made, renamed + changed
    # A class or figure without people keeps its area: it is not removed.
    held = held_areas([area.id for area in gone]) if gone else set()
    removed = [area for area in gone if area.id not in held]
    for area in removed:
        db.session.delete(area)
    db.session.flush()
    refresh_paths()
    if moved or removed:
        # Each area's totals cover its subtree: a new tree needs them recounted.
        rebuild_totals(db.session.connection())
    return added, renamed, len(removed)


def _place(existing, code, name):
    area = existing.get(code)
    if area is None:
        area = existing[code] = Area(code=code, name=name)
        db.session.add(area)
        return area, 1, 0
    changed = area.name != name
    area.name = name
    return area, 0, int(changed)


def _is_below(area, top):
    while area.parent is not None:
        if area.parent is top:
            return True
        area = area.parent
    return False


def _gone_communes(provinces, wards, existing):
    """Official communes in the database, in these provinces, that the package
    no longer lists (and that no other area hangs under)."""
    listed = {commune_code(w) for ws in wards.values() for w in ws}
    tops = [existing[code] for code in wards if code in existing]
    if not tops:
        return []
    inside = select(Area).where(db.or_(*[subtree(top) for top in tops]))
    return [
        area
        for area in db.session.scalars(inside.where(is_commune()))
        if area.code.isdigit() and len(area.code) == 5 and area.code not in listed
    ]


def _people_in(areas):
    if not areas:
        return {}
    counts = db.session.execute(
        select(User.area_id, func.count())
        .where(User.area_id.in_([area.id for area in areas]))
        .group_by(User.area_id)
    )
    return dict(counts.all())
