"""The learner list behind a report: who, where, how far, which certificates."""

from sqlalchemy import exists, func, or_, select

from lms.extensions import db
from lms.formats import masked_phone, phone_text
from lms.models import Area, Certificate, Club, Enrollment, LessonProgress, User
from lms.reports.figures import in_scope

PAGE_SIZE = 50


def _count_of(model, *conditions):
    return (
        select(func.count())
        .where(model.user_id == User.id, *conditions)
        .correlate(User)
        .scalar_subquery()
    )


def held_at(moment):
    """Certificates issued before ``moment`` and neither revoked nor expired by then.

    The same rule the overview counts club members with, so the two agree.
    """
    return (
        Certificate.issued_at < moment,
        or_(Certificate.revoked_at.is_(None), Certificate.revoked_at >= moment),
        or_(Certificate.expires_at.is_(None), Certificate.expires_at > moment),
    )


def _member_of(club_code, moment):
    club_id = select(Club.id).where(Club.code == club_code).scalar_subquery()
    return (
        exists()
        .where(
            Certificate.user_id == User.id,
            *held_at(moment),
            Certificate.club_id == club_id,
        )
        .correlate(User)
    )


def learner_rows(scope, order="given"):
    """A SELECT of each learner with area, courses, lessons and certificates,
    commune by commune, people by given name (or ``order`` "family")."""
    conditions = [*in_scope(User, scope), User.role == "learner"]
    if scope.courses:
        enrolled_in = select(Enrollment.user_id).where(
            Enrollment.course_id.in_(scope.courses)
        )
        conditions.append(User.id.in_(enrolled_in))
    moment = scope.period.end
    return (
        select(
            User.id,
            User.name,
            User.phone,
            Area.name.label("area"),
            _count_of(Enrollment).label("enrolled"),
            _count_of(Enrollment, Enrollment.completed_at.is_not(None)).label(
                "completed"
            ),
            _count_of(LessonProgress).label("lessons"),
            _count_of(
                Certificate, *held_at(moment), Certificate.course_id.is_not(None)
            ).label("certificates"),
            _member_of("koc", moment).label("koc"),
            _member_of("kol", moment).label("kol"),
        )
        .outerjoin(Area, Area.id == User.area_id)
        .where(*conditions)
        # People without an area last, on SQLite as on PostgreSQL.
        .order_by(
            Area.id.is_(None), Area.name_sort, Area.id, *User.in_name_order(order)
        )
    )


def page(scope, number, order="given"):
    """(rows, total) for page ``number`` (from 1) of the learner list."""
    query = learner_rows(scope, order)
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )
    rows = db.session.execute(
        query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    ).all()
    return rows, total


def show_phone(phone, full):
    """The phone as a person reads it: full for who may call, masked otherwise."""
    return phone_text(phone) if full else masked_phone(phone)


def learner_sheet(scope, full_phones, headings, order="given"):
    """Rows for the export: a heading row, then one row per learner."""
    rows = [headings]
    for row in db.session.execute(learner_rows(scope, order)).yield_per(2000):
        clubs = ", ".join(c for c, held in (("KOC", row.koc), ("KOL", row.kol)) if held)
        rows.append(
            [
                row.name,
                show_phone(row.phone, full_phones),
                row.area or "",
                row.enrolled,
                row.completed,
                row.lessons,
                row.certificates,
                clubs,
            ]
        )
    return rows
