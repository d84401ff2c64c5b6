"""The review backlog: practical work waiting, by area, and the trainers placed there.

A province sees where reviewers are missing: many pieces waiting long in an area
with no trainer of its own. It is the state now, whatever the period chosen.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Area, Submission, User
from lms.reports.tables import DIRECT, _child_areas, _owner_of


@dataclass
class BacklogRow:
    area: Area | None  # None: learners placed in no area (seen by admins only)
    waiting: int = 0
    oldest: datetime | None = None
    trainers: int = 0

    def add(self, waiting, oldest):
        self.waiting += waiting
        if oldest is not None and (self.oldest is None or oldest < self.oldest):
            self.oldest = oldest


def review_backlog(scope):
    """A row per child area of the scope's area; one for work placed directly in
    it (always, when it has no children); one for work from no area (admins)."""
    children = _child_areas(scope.area)
    owner = _owner_of(scope.area)  # area id -> child id, or DIRECT
    rows = {child.id: BacklogRow(child) for child in children}
    rows[DIRECT] = BacklogRow(scope.area)
    rows[None] = BacklogRow(None)
    for area_id, waiting, oldest in db.session.execute(_waiting(scope)):
        rows[owner.get(area_id)].add(waiting, oldest)
    for area_id, trainers in db.session.execute(_trainers(scope)):
        rows[owner[area_id]].trainers += trainers
    shown = [rows[child.id] for child in children]
    direct = rows[DIRECT]
    if scope.area is not None and (direct.waiting or not children):
        shown.append(direct)
    if rows[None].waiting:
        shown.append(rows[None])
    return shown


def _waiting(scope):
    query = (
        select(Submission.area_id, func.count(), func.min(Submission.created_at))
        .where(Submission.status == "pending")
        .group_by(Submission.area_id)
    )
    if scope.area_ids is not None:
        query = query.where(Submission.area_id.in_(scope.area_ids))
    if scope.assignment_ids() is not None:
        query = query.where(Submission.assignment_id.in_(scope.assignment_ids()))
    if scope.member_ids() is not None:
        query = query.where(Submission.user_id.in_(scope.member_ids()))
    return query


def _trainers(scope):
    query = (
        select(User.area_id, func.count())
        .where(User.role == "trainer", User.active.is_(True), User.area_id.isnot(None))
        .group_by(User.area_id)
    )
    if scope.area_ids is not None:
        query = query.where(User.area_id.in_(scope.area_ids))
    return query
