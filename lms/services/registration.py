"""Register a training day's farmers from a CSV taken on paper."""

import csv
import io
from collections import Counter
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, insert, select

from lms.clock import utcnow
from lms.collation import name_sort_keys
from lms.extensions import db
from lms.models import AccessCode, Area, ClassMember, Enrollment, User
from lms.models.activity import local_day
from lms.models.totals import apply as apply_totals
from lms.permissions import registrable_areas, taught_learners
from lms.services import DomainError
from lms.services.accounts import normalize_phone, tidy_name
from lms.services.areas import is_commune
from lms.services.audit import audit
from lms.services.codes import ACTIVATION_LIFETIME, code_hash, make_code
from lms.services.files import FileProblems, decode_text

COLUMNS = ("name", "phone", "area")
CHUNK = 500  # rows per IN (...) lookup, well under every database's limit


class RegistrationError(FileProblems):
    """The list is wrong; ``problems`` lists (line, reason) for each bad row."""


class AlreadyRegistered(DomainError):
    """Some numbers on the list have accounts (``accounts``, each an Existing);
    the ``others`` can be registered without them."""

    def __init__(self, accounts, others):
        super().__init__(_l("Some numbers on the list already have an account."))
        self.accounts = accounts
        self.others = others


@dataclass
class Existing:
    """A number on the list that already has an account.

    The account's own name is told only to someone who may see that person (a
    learner in their classes, for a trainer): a list is no way to learn who owns
    any number. Others learn only whether the names differ, a sign the number
    may be mistyped.
    """

    line: int
    name: str  # as written on the list
    phone: str
    account: str | None  # the account's name, when the reader may see them
    other_name: bool
    in_class: bool  # already in this class: nothing to do

    def problem(self):
        if self.in_class and self.other_name and self.account is not None:
            return _l(
                "%(name)s: this number is already in this class, as “%(account)s”.",
                name=self.name,
                account=self.account,
            )
        if self.in_class:
            return _l("%(name)s is already in this class.", name=self.name)
        if self.account is not None:
            return _l(
                "%(name)s: this number already has an account (“%(account)s”); "
                "they join with the class code.",
                name=self.name,
                account=self.account,
            )
        if self.other_name:
            return _l(
                "%(name)s: this number already has an account under another "
                "name. Check the number; if it is right, they join with the "
                "class code.",
                name=self.name,
            )
        return _l(
            "%(name)s: this number already has an account; they join with the "
            "class code.",
            name=self.name,
        )


@dataclass
class Registered:
    name: str
    phone: str
    code: str


def decode_csv(data):
    """Read UTF-8 (with or without BOM) or UTF-16 text, as spreadsheets save it."""
    try:
        return decode_text(data, utf16=True)
    except UnicodeDecodeError:
        raise RegistrationError(
            [
                (
                    1,
                    _l(
                        "The file is not UTF-8. "
                        "In your spreadsheet, save as “CSV UTF-8”."
                    ),
                )
            ]
        ) from None


def register_from_csv(classroom, data, actor, without_existing=False):
    """Create password-less learner accounts in ``classroom`` with activation codes.

    All rows or none: a wrong row (missing name, bad or repeated phone, unknown
    commune) is reported by line. Numbers that already have an account raise
    AlreadyRegistered, unless ``without_existing``: then they are left out (those
    farmers join with the class code).

    :return: [Registered] with each farmer's one-time activation code.
    """
    rows = _read_rows(decode_csv(data), classroom, actor, without_existing)
    now = utcnow()
    codes = {row.phone: make_code() for row in rows}
    db.session.execute(
        insert(User),
        [
            {
                "phone": r.phone,
                "name": r.name,
                **name_sort_keys(r.name),
                "role": "learner",
                "area_id": r.area_id,
                "session_version": 1,
                "active": True,
                "created_at": now,
            }
            for r in rows
        ],
    )
    ids = {
        phone: found[0]
        for phone, found in _by_phone([r.phone for r in rows], User.id).items()
    }
    db.session.execute(
        insert(AccessCode),
        [
            {
                "user_id": ids[r.phone],
                "purpose": "activate",
                "created_at": now,
                "code_hash": code_hash(ids[r.phone], codes[r.phone]),
                "expires_at": now + ACTIVATION_LIFETIME,
                "created_by_id": actor.id,
            }
            for r in rows
        ],
    )
    db.session.execute(
        insert(ClassMember),
        [
            {"classroom_id": classroom.id, "user_id": ids[r.phone], "joined_at": now}
            for r in rows
        ],
    )
    published = [c for c in classroom.courses if c.is_published]
    if published:
        db.session.execute(
            insert(Enrollment),
            [
                {
                    "user_id": ids[r.phone],
                    "course_id": c.id,
                    "area_id": r.area_id,
                    "created_at": now,
                }
                for r in rows
                for c in published
            ],
        )
    # Bulk inserts pass the session's listeners by: count the new farmers' sign-ups
    # and enrolments into the report totals here, in the same transaction.
    day = local_day(now)
    deltas = Counter()
    for r in rows:
        deltas[("signup", r.area_id, 0, day)] += 1
        for c in published:
            deltas[("enrol", r.area_id, c.id, day)] += 1
    apply_totals(db.session.connection(), deltas)
    audit(
        actor,
        "class.bulk_register",
        detail={"classroom": classroom.id, "count": len(rows)},
    )
    return [Registered(r.name, r.phone, codes[r.phone]) for r in rows]


def _delimiter(text):
    """What separates the columns: a comma, a tab ("Unicode text" from a
    spreadsheet) or a semicolon (CSV where the decimal mark is a comma, as in
    Vietnam), whichever makes the first line the expected columns."""
    first = text.lstrip("\ufeff").partition("\n")[0]
    for delimiter in (",", "\t", ";"):
        cells = next(csv.reader([first], delimiter=delimiter), [])
        if tuple(cell.strip().casefold() for cell in cells[:3]) == COLUMNS:
            return delimiter
    return ","


@dataclass
class _Row:
    line: int
    name: str
    phone: str
    area_id: int


def _read_rows(text, classroom, actor, without_existing=False):
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = [cell.strip().casefold() for cell in next(reader, [])]
    if tuple(header[:3]) != COLUMNS:
        raise RegistrationError(
            [(1, _l("The first line must be the columns: name, phone, area."))]
        )
    areas = _commune_lookup()
    allowed = set(db.session.scalars(select(Area.id).where(registrable_areas(actor))))
    default_area = classroom.area_id if classroom.area_id in areas.values() else None
    problems, rows, seen = [], [], {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines from spreadsheets
        name, raw_phone, area = (list(cells) + ["", "", ""])[:3]
        name = tidy_name(name)
        try:
            phone = normalize_phone(raw_phone)
        except DomainError as error:
            problems.append((line, error.message))
            continue
        area_key = area.strip().casefold()
        area_id = areas.get(area_key) if area_key else default_area
        if not name:
            problems.append((line, _l("The name is missing.")))
        elif len(name) > 120:
            problems.append((line, _l("The name is too long.")))
        elif phone in seen:
            problems.append(
                (
                    line,
                    _l("This phone number is also on line %(line)d.", line=seen[phone]),
                )
            )
        elif area_id is None:
            problems.append(
                (
                    line,
                    _l(
                        "Unknown commune “%(area)s”: use its code or exact name.",
                        area=area.strip(),
                    ),
                )
            )
        elif area_id not in allowed:
            problems.append(
                (
                    line,
                    _l(
                        "“%(area)s” is outside the area you manage.",
                        area=area.strip(),
                    ),
                )
            )
        else:
            rows.append(_Row(line, name, phone, area_id))
        seen.setdefault(phone, line)
    if not rows and not problems:
        problems.append((2, _l("The file has no farmers in it.")))
    existing = _existing(rows, classroom, actor)
    if problems:
        problems += [(each.line, each.problem()) for each in existing]
        raise RegistrationError(sorted(problems, key=lambda problem: problem[0]))
    if existing and not without_existing:
        raise AlreadyRegistered(existing, len(rows) - len(existing))
    known = {each.phone for each in existing}
    return [row for row in rows if row.phone not in known]


def _existing(rows, classroom, actor):
    """The rows whose numbers have accounts, as Existing."""
    in_class = (
        select(ClassMember.id)
        .where(ClassMember.classroom_id == classroom.id, ClassMember.user_id == User.id)
        .exists()
    )
    found = _by_phone(
        [row.phone for row in rows],
        User.name,
        case((taught_learners(actor), True), else_=False),
        case((in_class, True), else_=False),
    )
    existing = []
    for row in rows:
        if row.phone in found:
            name, visible, member = found[row.phone]
            existing.append(
                Existing(
                    row.line,
                    row.name,
                    row.phone,
                    account=name if visible else None,
                    other_name=name.casefold() != row.name.casefold(),
                    in_class=bool(member),
                )
            )
    return existing


def _commune_lookup():
    """Map each commune's code and name (case-folded) to its id; leaves only."""
    communes = select(Area.id, Area.code, Area.name).where(is_commune())
    lookup, names = {}, {}
    for area in db.session.execute(communes):
        lookup[area.code.casefold()] = area.id
        names.setdefault(area.name.casefold(), []).append(area.id)
    for name, ids in names.items():
        if len(ids) == 1:  # an ambiguous name must be given by code
            lookup.setdefault(name, ids[0])
    return lookup


def _by_phone(phones, *columns):
    """{phone: row of ``columns``} for the accounts that have these numbers,
    read a chunk of numbers at a time."""
    found = {}
    for start in range(0, len(phones), CHUNK):
        chunk = phones[start : start + CHUNK]
        statement = select(User.phone, *columns).where(User.phone.in_(chunk))
        found.update((row[0], row[1:]) for row in db.session.execute(statement))
    return found
