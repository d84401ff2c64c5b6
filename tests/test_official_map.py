"""The official map from `vietnam-provinces`, and area updates that keep people."""

import re

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Area, Classroom, LessonProgress, User
from lms.services.areas import AreaFileError, import_areas
from lms.services.official_map import (
    OrphanedPeople,
    load_official_map,
    official_provinces,
)
from tests.conftest import DATABASES, count, make_user
from tests.helpers import setup_on_empty_database


def area(code):
    return db.session.scalar(sa.select(Area).where(Area.code == code))


def communes_of(code):
    top = area(code)
    parents = sa.select(Area.parent_id).where(Area.parent_id.is_not(None))
    return db.session.scalars(
        sa.select(Area).where(Area.path.startswith(top.path), Area.id.not_in(parents))
    ).all()


def test_the_whole_country_has_34_provinces_and_bac_ninh_99_communes(app):
    assert load_official_map(official_provinces("all"))[0] == 34 + 3321
    db.session.commit()
    tops = db.session.scalars(
        sa.select(Area).where(Area.parent_id.is_(None), Area.code != "P")
    ).all()
    assert len(tops) == 34 and {t.kind for t in tops} == {"province"}
    assert area("24").name == "Bắc Ninh"
    communes = communes_of("24")
    assert len(communes) == 99
    assert "Phường Chũ" in {c.name for c in communes}
    assert all(re.fullmatch(r"\d{5}", c.code) for c in communes)
    # Loading it again changes nothing.
    assert load_official_map(official_provinces("all")) == (0, 0, 0)


def test_setup_loads_the_provinces_the_site_serves(app, course_dir):
    result = setup_on_empty_database(app, course_dir, "Bắc Ninh, 20")
    assert result.exit_code == 0, result.output
    assert area("24").name == "Bắc Ninh" and area("20").name == "Lạng Sơn"
    assert area("01") is None
    assert len(communes_of("24")) == 99
    assert area("07525").parent is area("24")


def test_setup_refuses_a_province_that_does_not_exist(app, course_dir):
    result = setup_on_empty_database(app, course_dir, "24, Atlantis")
    assert result.exit_code == 1
    assert "Atlantis" in result.output
    assert area("24") is None


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_package_update_that_drops_a_commune_with_people_is_refused(app):
    load_official_map(official_provinces("24"))
    bac_ninh = area("24")
    # Communes an older map listed and the package no longer does.
    gone = Area(code="99998", name="Xã Đã Nhập", kind="commune", parent=bac_ninh)
    empty = Area(code="99999", name="Xã Không Người", kind="commune", parent=bac_ninh)
    db.session.add_all([gone, empty])
    db.session.flush()
    gone.path, empty.path = f"{bac_ninh.path}{gone.id}/", f"{bac_ninh.path}{empty.id}/"
    area("07525").name = "Tên cũ"
    db.session.commit()
    make_user(area="99998")
    with pytest.raises(OrphanedPeople) as refused:
        load_official_map(official_provinces("24"))
    db.session.rollback()
    assert refused.value.areas == [("99998", "Xã Đã Nhập", 1)]
    assert "99998 Xã Đã Nhập" in refused.value.message
    assert area("99999") is not None and area("07525").name == "Tên cũ"
    # Once its people are merged into a commune, the update goes through.
    import_areas(b"code,name,kind,parent_code,merged_into\n99998,X,commune,24,07525\n")
    db.session.commit()
    assert load_official_map(official_provinces("24")) == (0, 1, 1)
    db.session.commit()
    assert area("99999") is None and area("07525").name == "Phường Chũ"
    assert db.session.scalar(sa.select(User)).area.code == "07525"


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_merge_and_rename_keep_every_learner_class_and_figure(app, classroom, people):
    from lms.services.learning import complete_lesson, enroll

    learner = people["learner"]
    enroll(learner, classroom.courses[0])
    complete_lesson(learner, classroom.courses[0].lessons[0])
    db.session.commit()
    users, progress = count(User), count(LessonProgress)
    result = run_import(
        b"code,name,kind,parent_code,merged_into\n"
        b"P-B,X\xc3\xa3 B\xc3\xacnh Ph\xc3\xba,commune,P,\n"
        b"P-A,X\xc3\xa3 An,commune,P,P-B\n"
    )
    assert result == 2
    assert area("P-A") is None and area("P-B").name == "Xã Bình Phú"
    assert (count(User), count(LessonProgress)) == (users, progress)
    merged = area("P-B")
    placed = sa.select(User).where(User.area_id.is_not(None))  # the admin has none
    assert {u.area_id for u in db.session.scalars(placed)} == {merged.id}
    assert db.session.get(Classroom, classroom.id).area_id == merged.id
    assert {p.area_id for p in db.session.scalars(sa.select(LessonProgress))} == {
        merged.id
    }


def run_import(data):
    count = import_areas(data)
    db.session.commit()
    return count


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_area_file_that_would_orphan_learners_is_refused(app, learner):
    with pytest.raises(AreaFileError) as refused:
        import_areas("code,name,kind,parent_code\nP-A1,Thôn Một,commune,P-A\n".encode())
    db.session.rollback()
    assert "P-A Xã An" in str(refused.value)
    assert area("P-A1") is None and learner.area.code == "P-A"


def test_merging_into_an_unknown_area_is_refused(app, learner):
    with pytest.raises(AreaFileError) as refused:
        import_areas(b"code,name,kind,parent_code,merged_into\nP-A,An,commune,P,NO\n")
    db.session.rollback()
    assert refused.value.problems[0][0] == 2
    assert area("P-A").name == "Xã An"


def test_a_provinces_grouping_survives_the_next_setup(app):
    load_official_map(official_provinces("24"))
    import_areas(
        "code,name,kind,parent_code\n24-LUCNGAN,Lục Ngạn (cũ),grouping,24\n"
        "07582,Xã Lục Ngạn,commune,24-LUCNGAN\n".encode()
    )
    db.session.commit()
    assert load_official_map(official_provinces("24")) == (0, 0, 0)
    db.session.commit()
    commune = area("07582")
    assert commune.parent.code == "24-LUCNGAN"
    assert commune.path.startswith(area("24-LUCNGAN").path)
    assert commune.path.startswith(area("24").path)
    assert len(communes_of("24")) == 99


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_setup_moving_a_commune_back_recounts_the_report_totals(app, mini_course):
    """A commune an area file put elsewhere goes back under its province at the
    next setup; the province's figures count its learner again at once."""
    from datetime import timedelta

    from lms.clock import utcnow
    from lms.models import ReportMonth, ReportTotal
    from lms.models.totals import rebuild
    from lms.services.learning import complete_lesson

    load_official_map(official_provinces("24"))
    db.session.commit()
    learner = make_user("0912000077", "Lê Văn Nam", area="07582")
    complete_lesson(
        learner, mini_course.active_lessons[0], utcnow() - timedelta(days=2)
    )
    import_areas(
        "code,name,kind,parent_code\nX-ELSE,Nơi khác,province,\n"
        "07582,Xã Lục Ngạn,commune,X-ELSE\n".encode()
    )
    db.session.commit()

    def lessons(code):
        return db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(ReportTotal.n), 0)).where(
                ReportTotal.metric == "lesson",
                ReportTotal.key == 0,
                ReportTotal.area_id == area(code).id,
            )
        )

    assert (lessons("24"), lessons("X-ELSE")) == (0, 1)
    load_official_map(official_provinces("24"))
    db.session.commit()
    assert area("07582").parent.code == "24"
    assert (lessons("24"), lessons("X-ELSE")) == (1, 0)

    def stored():
        return {
            model.__tablename__: sorted(
                tuple(row) for row in db.session.execute(sa.select(model.__table__))
            )
            for model in (ReportTotal, ReportMonth)
        }

    kept = stored()
    rebuild(db.session.connection())
    assert stored() == kept
