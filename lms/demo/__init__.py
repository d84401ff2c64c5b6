"""A made-up province to try the reports on: `flask --app app lms demo-data`.

Learners join at training days (a class in their commune, which enrols them in
the class's courses) or on their own, then work through lessons in evenings and
lunch breaks, drop out or finish, take quizzes, hand in practical work that a
trainer reviews, and earn course certificates and club memberships: a year of
activity ending now. Everything is drawn from a seeded random generator, so the
same seed gives the same province.

Rows are written in bulk (``bulk``: COPY on PostgreSQL, executemany on SQLite),
a chunk of learners at a time, inside one transaction: an interrupted run leaves
nothing behind. The ORM's listeners do not see bulk writes, so the area copied
onto each activity row and the learner's active days are filled in here
(``learner``), and the report totals are recounted once at the end. The
communes, courses, staff and training days are in ``world``.
"""

import random
import secrets
from dataclasses import dataclass, field

from sqlalchemy import func, select

from lms.clock import utcnow
from lms.demo.bulk import analyze, fix_sequences
from lms.demo.learner import WRITE_ORDER
from lms.demo.world import DemoRefused, World
from lms.extensions import db
from lms.models import User
from lms.models.totals import rebuild as rebuild_totals
from lms.services.audit import audit
from lms.services.official_map import official_provinces, province_code
from lms.services.passwords import hash_password

__all__ = ["DemoRefused", "Totals", "analyze", "generate", "more_provinces"]
CHUNK = 2000  # learners generated and written at a time


@dataclass
class Totals:
    learners: int = 0
    rows: dict = field(default_factory=dict)

    def add(self, table, n):
        self.rows[table] = self.rows.get(table, 0) + n


def generate(learners, seed=1, allow_existing=False, progress=None):
    """Add a province's year to the database; return (Totals, staff password, staff).

    Refuses (DemoRefused) when learners already exist, unless ``allow_existing``.
    ``progress(n)`` is called after every chunk of ``n`` learners.
    """
    existing = db.session.scalar(
        select(func.count()).select_from(User).where(User.role == "learner")
    )
    if existing and not allow_existing:
        raise DemoRefused(existing)
    chance = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    world = World(chance, now)
    world.load(learners)
    password = secrets.token_urlsafe(9)
    staff = world.add_staff(hash_password(password))
    world.add_classes()
    world.bulk.start(WRITE_ORDER)
    totals = Totals()
    done = 0
    while done < learners:
        size = min(CHUNK, learners - done)
        world.add_learners(size, totals)
        done += size
        if progress:
            progress(size)
    world.bulk.finish()
    totals.learners = done
    detail = {"learners": done, "seed": seed, "rows": totals.rows}
    audit(None, "demo_data", detail=detail)
    fix_sequences()
    db.session.flush()
    # The bulk writes bypass the session's listeners: count the totals at once.
    rebuild_totals(db.session.connection())
    return totals, password, staff


def more_provinces(setting, count):
    """The setting naming ``count`` provinces: the site's own first, then the
    following ones by official code (Bắc Ninh, Phú Thọ, Hải Phòng, ...)."""
    chosen = official_provinces(setting)
    codes = [province_code(p) for p in chosen]
    others = [
        province_code(p)
        for p in official_provinces("all")
        if province_code(p) not in codes
    ]
    start = max((int(c) for c in codes), default=0)
    after = [c for c in others if int(c) > start] + [
        c for c in others if int(c) < start
    ]
    return ", ".join((codes + after)[:count])
