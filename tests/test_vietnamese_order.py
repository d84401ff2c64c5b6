"""People and communes in Vietnamese order; phones and sizes as people read them."""

import re

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from lms.extensions import db
from lms.formats import size_text
from lms.models import Area, User
from lms.services.areas import import_areas
from tests.conftest import DATABASES, make_user, sign_in
from tests.downloads import exported

# Inserted shuffled; listed by given name, then family and middle names, letters
# first (a ă â ... d đ ... o ô ơ ... u ư), tones only after the letters.
BY_GIVEN_NAME = [
    "Bùi Văn An",
    "Phạm Thị Ánh",
    "Vũ Thị Ăn",
    "Đỗ Văn Ân",
    "Hồ Văn Dũng",
    "Lý Minh Đức",
    "Nguyễn Hoa",
    "Nguyễn Thị Hoa",
    "Trần Thị Hoa",
    "Lê Thị Hoà",
    "Võ Thị Hoả",
    "Đinh Thị Hoạ",
    "Cao Văn Hoai",
    "Kim Văn Ốc",
    "La Văn Ơn",
    "Tạ Thị Uyên",
    "Tô Văn Ưng",
]
SHUFFLED = [
    BY_GIVEN_NAME[i] for i in (9, 3, 16, 0, 12, 6, 1, 14, 4, 11, 7, 15, 2, 10, 5, 13, 8)
]


BY_FAMILY_NAME = [
    "Bùi Văn An",
    "Cao Văn Hoai",
    "Đinh Thị Hoạ",
    "Đỗ Văn Ân",
    "Hồ Văn Dũng",
    "Kim Văn Ốc",
    "La Văn Ơn",
    "Lê Thị Hoà",
    "Lý Minh Đức",
    "Nguyễn Hoa",
    "Nguyễn Thị Hoa",
    "Phạm Thị Ánh",
    "Tạ Thị Uyên",
    "Tô Văn Ưng",
    "Trần Thị Hoa",
    "Võ Thị Hoả",
    "Vũ Thị Ăn",
]


def listed(html, names):
    positions = {name: html.find(f">{name}<") for name in names}
    assert all(p >= 0 for p in positions.values()), positions
    return sorted(names, key=positions.get)


@pytest.fixture
def villagers(app):
    for number, name in enumerate(SHUFFLED):
        make_user(phone=f"09140000{number:02d}", name=name)
    make_user(phone="0914999999", name="Quản Trị", role="admin", area=None)


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_people_are_listed_by_given_name_and_the_other_order_is_a_click_away(
    app, client, villagers
):
    sign_in(client, phone="0914999999")
    page = client.get("/admin/users").text
    assert listed(page, BY_GIVEN_NAME) == BY_GIVEN_NAME
    link = re.search(r'href="([^"]*order=family[^"]*)"', page).group(1)
    other = client.get(link.replace("&amp;", "&")).text
    assert listed(other, BY_GIVEN_NAME) == BY_FAMILY_NAME


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_the_learner_report_lists_communes_then_people_in_vietnamese_order(
    app, client, villagers
):
    import_areas("code,name,kind,parent_code\nP-0,Xã Ân Thi,commune,P\n".encode())
    db.session.commit()
    moved = db.session.scalar(sa.select(User).where(User.name == "Tô Văn Ưng"))
    moved.area = db.session.scalar(sa.select(Area).where(Area.code == "P-0"))
    nowhere = db.session.scalar(sa.select(User).where(User.name == "Bùi Văn An"))
    nowhere.area = None
    sign_in(client, phone="0914999999")
    page = client.get("/reports/learners").text
    # Xã An (P-A) before Xã Ân Thi: "an" then "ân"; the rest in given-name order;
    # a learner without an area last.
    last = ["Tô Văn Ưng", "Bùi Văn An"]
    assert listed(page, BY_GIVEN_NAME) == BY_GIVEN_NAME[1:-1] + last
    exported_csv = exported(client, "/reports/learners.csv?order=family")
    csv = exported_csv.data.decode("utf-8-sig")
    rows = [line.split(",")[0] for line in csv.splitlines()]
    in_csv = [name for name in rows if name in BY_GIVEN_NAME]
    assert in_csv == [n for n in BY_FAMILY_NAME if n not in last] + last


def test_a_renamed_person_moves_to_their_new_place(app, client, villagers):
    person = db.session.scalar(sa.select(User).where(User.name == "Bùi Văn An"))
    person.name = "Bùi Văn Yến"
    db.session.commit()
    sign_in(client, phone="0914999999")
    page = client.get("/admin/users").text
    names = BY_GIVEN_NAME[1:] + ["Bùi Văn Yến"]
    assert listed(page, names) == names


def test_communes_on_the_signup_form_are_in_vietnamese_order(app, client):
    import_areas(
        "code,name,kind,parent_code\n"
        "P-D,Xã Đông,commune,P\nP-C,Phường Dương,commune,P\n"
        "P-E,Xã Ấp,commune,P\n".encode()
    )
    db.session.commit()
    page = client.get("/signup").text
    communes = ["Xã An", "Xã Ấp", "Xã Bình", "Phường Dương", "Xã Đông"]
    assert listed(page, communes) == communes


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_existing_people_and_areas_get_sort_keys_when_the_database_is_upgraded(app):
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    directory = app.extensions["migrate"].directory
    upgrade(directory=directory, revision="0006")
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO area (id, code, name, kind, path) "
            "VALUES (1, 'X', 'Xã Ân', 'commune', '/1/')"
        )
        for number, name in enumerate(["Lê Thị Hoà", "Bùi Văn An", "Đỗ Văn Ân"]):
            connection.execute(
                sa.text(
                    'INSERT INTO "user" (phone, name, role, session_version, active, '
                    "listed_publicly, created_at) VALUES (:phone, :name, 'learner', 1, "
                    "true, false, CURRENT_TIMESTAMP)"
                ),
                {"phone": f"+8491400000{number}", "name": name},
            )
    upgrade(directory=directory)
    names = db.session.scalars(
        sa.select(User.name).order_by(*User.in_name_order())
    ).all()
    assert names == ["Bùi Văn An", "Đỗ Văn Ân", "Lê Thị Hoà"]
    area = db.session.scalar(sa.select(Area))
    assert area.name_sort and area.name_sort == Area(name="Xã Ân").name_sort


def test_phones_are_grouped_and_masked_as_vietnamese_write_them(as_role, people):
    admin = as_role("admin")
    assert "0912 000 001" in admin.get(f"/admin/users/{people['learner'].id}").text


@pytest.mark.parametrize(
    ("size", "locale", "shown"),
    [
        (2_202_010, "vi", "2,1 MB"),
        (2_202_010, "en", "2.1 MB"),
        (5_000_000_000, "vi", "4.768,4 MB"),
        (43_000, "vi", "42 KB"),
    ],
)
def test_sizes_are_written_in_the_readers_language(app, size, locale, shown):
    assert size_text(size, locale) == shown


def test_farmers_registered_from_a_paper_list_take_their_place(as_role, classroom):
    import io

    paper = "name,phone,area\nVũ Thị Ăn,0933000001,\nBùi Văn An,0933000002,\n"
    as_role("trainer").post(
        f"/teach/classes/{classroom.id}/register",
        data={"file": (io.BytesIO(paper.encode()), "ds.csv")},
    )
    page = as_role("admin").get("/admin/users").text
    names = ["Bùi Văn An", "Vũ Thị Ăn", "Classmate", "Learner"]
    assert listed(page, names) == names
