"""A big class's page: a page at a time, sorted and searched by the database."""

import csv
import io
import re

import pytest
import sqlalchemy as sa

from lms.collation import name_sort_keys
from lms.extensions import db
from lms.models import Area, ClassMember, User
from lms.services.learning import complete_lesson
from tests.conftest import DATABASES
from tests.downloads import exported


def add_learners(classroom, count):
    """``count`` farmers in the class, named "Nông dân X00001" ... (bulk, as data)."""
    area = db.session.scalar(sa.select(Area.id).where(Area.code == "P-A"))
    first = db.session.scalar(sa.select(sa.func.count(User.id)))
    rows = [
        {
            "phone": f"+8497{first + i:07d}",
            "name": f"Nông dân X{i:05d}",
            "role": "learner",
            "area_id": area,
            **name_sort_keys(f"Nông dân X{i:05d}"),
        }
        for i in range(1, count + 1)
    ]
    db.session.execute(sa.insert(User), rows)
    ids = db.session.scalars(
        sa.select(User.id).where(User.phone.in_([r["phone"] for r in rows]))
    ).all()
    db.session.execute(
        sa.insert(ClassMember),
        [{"classroom_id": classroom.id, "user_id": i} for i in ids],
    )
    db.session.commit()


def names_on(page):
    return re.findall(r'<th scope="row">([^<]+)<br>', page)


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_big_class_shows_a_page_at_a_time(as_role, classroom, people):
    add_learners(classroom, 118)  # with learner and classmate: 120
    trainer = as_role("trainer")
    url = f"/teach/classes/{classroom.id}"
    first = trainer.get(url).text
    assert "Học viên (120)" in first
    assert names_on(first)[:3] == ["Classmate", "Learner", "Nông dân X00001"]
    assert len(names_on(first)) == 50 and "Trang 1/3" in first
    last = trainer.get(f"{url}?page=3").text
    assert len(names_on(last)) == 20 and names_on(last)[-1] == "Nông dân X00118"
    assert names_on(trainer.get(f"{url}?page=abc").text) == names_on(first)


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_sorting_happens_before_the_page_is_cut(as_role, classroom, people):
    add_learners(classroom, 118)
    farmer = db.session.scalar(sa.select(User).where(User.name == "Nông dân X00117"))
    for lesson in classroom.courses[0].lessons[:2]:
        complete_lesson(farmer, lesson)
    complete_lesson(people["learner"], classroom.courses[0].lessons[0])
    db.session.commit()
    trainer = as_role("trainer")
    url = f"/teach/classes/{classroom.id}"
    by_progress = names_on(trainer.get(f"{url}?sort=progress").text)
    assert by_progress[:3] == ["Nông dân X00117", "Learner", "Classmate"]
    by_activity = names_on(trainer.get(f"{url}?sort=activity").text)
    # The latest first; those never active after them, by name.
    assert by_activity[:3] == ["Learner", "Nông dân X00117", "Classmate"]
    assert names_on(trainer.get(f"{url}?sort=nonsense").text)[0] == "Classmate"
    rows = list(
        csv.reader(
            io.StringIO(
                exported(trainer, f"{url}/roster.csv?sort=progress").data.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert len(rows) == 121 and rows[1][0] == "Nông dân X00117"
    assert [row[0] for row in rows[1:4]] == by_progress[:3]


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_searching_by_name_or_phone(as_role, classroom, people):
    add_learners(classroom, 60)
    trainer = as_role("trainer")
    url = f"/teach/classes/{classroom.id}"
    found = trainer.get(f"{url}?q=nông DÂN 0005").text  # every word, any case
    assert names_on(found) == [f"Nông dân X{i:05d}" for i in (5, *range(50, 60))]
    assert "Học viên (11)" in found
    farmer = db.session.scalar(sa.select(User).where(User.name == "Nông dân X00042"))
    national = "0" + farmer.phone.removeprefix("+84")
    typed = f"{national[:4]} {national[4:7]} {national[7:]}"
    assert names_on(trainer.get(url, query_string={"q": typed}).text) == [
        "Nông dân X00042"
    ]
    plain = trainer.get(f"{url}?q=nong dan 00005").text  # typed without marks
    assert names_on(plain) == ["Nông dân X00005"]
    nobody = trainer.get(f"{url}?q=Zzz%25").text
    assert names_on(nobody) == [] and "Không có học viên nào khớp" in nobody
    paged = trainer.get(f"{url}?q=Nông&page=2").text
    assert "q=N%C3%B4ng" in paged and names_on(paged)[0] == "Nông dân X00051"


def test_ten_thousand_learners_first_page_is_small(as_role, classroom, people):
    add_learners(classroom, 10_000)
    page = as_role("trainer").get(f"/teach/classes/{classroom.id}")
    assert page.status_code == 200 and len(names_on(page.text)) == 50
    assert "Học viên (10.002)" in page.text
    assert len(page.data) <= 60 * 1024  # the budget for the class page
