"""Training days: a class code, farmers joining, the roster, paper lists, codes."""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import AccessCode, AuditEvent, ClassMember, Enrollment, User
from lms.services.classes import CODE_ALPHABET, CODE_LENGTH
from tests.conftest import PASSWORD, PHONES, count, sign_in
from tests.downloads import exported
from tests.forms import every_row


def text(response):
    return response.get_data(as_text=True)


def test_trainer_opens_a_class_and_gets_a_code_and_qr(as_role, owned_course, people):
    trainer = as_role("trainer")
    form = text(trainer.get("/teach/classes/new"))
    assert "Khoá học nhỏ" in form
    # The trainer's one commune comes chosen.
    area = re.search(r'<option selected value="(\d+)">Xã An</option>', form).group(1)
    response = trainer.post(
        "/teach/classes/new",
        data={
            "name": "Lớp livestream Xã An",
            "held_on": "2026-12-01",
            "place": "Nhà văn hoá",
            "area": area,
            "courses": [str(owned_course.id)],
        },
    )
    page = text(trainer.get(response.headers["Location"]))
    code = re.search(r'class="join-code">([A-Z0-9]+)<', page).group(1)
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    qr = trainer.get(response.headers["Location"] + "/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    assert f"/join/{code}" in text(qr) and "<path" in text(qr)


def test_a_class_without_a_date_lists_what_it_has(as_role, owned_course):
    trainer = as_role("trainer")
    form = text(trainer.get("/teach/classes/new"))
    area = re.search(r'<option selected value="(\d+)">Xã An</option>', form).group(1)
    made = trainer.post(
        "/teach/classes/new",
        data={
            "name": "Lớp chưa có ngày",
            "place": "Nhà văn hoá thôn",
            "area": area,
            "courses": [str(owned_course.id)],
        },
    )
    page = text(trainer.get(made.headers["Location"]))
    meta = re.search(r'<h1>Lớp chưa có ngày</h1>\s*<p class="meta">([^<]*)</p>', page)
    assert meta.group(1) == "Nhà văn hoá thôn · Xã An"


def test_class_needs_a_name_and_a_course(as_role, owned_course):
    response = as_role("trainer").post("/teach/classes/new", data={"name": "Lớp"})
    assert response.status_code == 400


def test_farmer_scans_the_code_signs_up_and_joins(app, classroom):
    farmer = app.test_client()
    page = text(farmer.get(f"/join/{classroom.join_code.lower()}"))
    assert "Lớp Xã An" in page
    signup_url = re.search(r'href="(/signup\?next=[^"]+)"', page).group(1)
    area = db.session.scalar(sa.text("select id from area where code = 'P-B'"))
    response = farmer.post(
        signup_url.replace("&amp;", "&"),
        data={
            "phone": "0933000111",
            "name": "Lò Văn Mới",
            "area": area,
            "password": PASSWORD,
        },
    )
    assert response.headers["Location"] == f"/join/{classroom.join_code.lower()}"
    farmer.post(response.headers["Location"])
    newcomer = db.session.scalar(sa.select(User).where(User.phone == "+84933000111"))
    assert db.session.scalar(
        sa.select(ClassMember).filter_by(classroom_id=classroom.id, user_id=newcomer.id)
    )
    assert db.session.scalar(sa.select(Enrollment).filter_by(user_id=newcomer.id))
    assert "Khoá học nhỏ" in text(farmer.get("/me/learning"))


def test_typed_code_with_spaces_and_lower_case_works(as_role, classroom):
    code = classroom.join_code
    response = as_role("learner").post(
        "/join", data={"code": f" {code[:3].lower()} {code[3:]} "}
    )
    assert response.headers["Location"] == f"/join/{code}"


def test_joining_twice_is_harmless(as_role, classroom, people):
    learner = as_role("learner")
    learner.post(f"/join/{classroom.join_code}")
    learner.post(f"/join/{classroom.join_code}")
    assert count(ClassMember) == 2  # learner and classmate, once each
    # The class's QR code scanned again: the page says they are in, no button.
    page = learner.get(f"/join/{classroom.join_code}").get_data(as_text=True)
    assert "Bạn đã ở trong lớp này." in page and 'href="/me/learning"' in page
    assert f'action="/join/{classroom.join_code}"' not in page
    other = as_role("other_trainer").get(f"/join/{classroom.join_code}")
    assert f'action="/join/{classroom.join_code}"' in other.get_data(as_text=True)


def test_wrong_or_closed_code_says_so_and_changes_nothing(as_role, classroom, people):
    learner = as_role("other_trainer")  # any signed-in person
    assert learner.get("/join/ZZZZZZ").status_code == 404
    as_role("trainer").post(f"/teach/classes/{classroom.id}/close")
    farmer = as_role(None)
    assert farmer.get(f"/join/{classroom.join_code}").status_code == 404
    members = count(ClassMember)
    as_role("learner").post(f"/join/{classroom.join_code}")
    assert count(ClassMember) == members


def test_roster_shows_progress_scores_and_sorts(as_role, classroom, people):
    from lms.services.learning import complete_lesson

    complete_lesson(people["classmate"], classroom.courses[0].lessons[0])
    db.session.commit()
    trainer = as_role("trainer")

    def order(sort):
        page = text(trainer.get(f"/teach/classes/{classroom.id}?sort={sort}"))
        return re.findall(r'<th scope="row">(\w+)<br>', page), page

    names, page = order("progress")
    assert names == ["Classmate", "Learner"] and "25%" in page
    complete_lesson(people["learner"], classroom.courses[0].lessons[0])
    complete_lesson(people["learner"], classroom.courses[0].lessons[1])
    db.session.commit()
    assert order("progress")[0] == ["Learner", "Classmate"]
    assert order("name")[0] == ["Classmate", "Learner"]


def test_roster_csv_matches_and_neutralises_formulas(as_role, classroom, people):
    people["learner"].name = '=HYPERLINK("http://evil")'
    db.session.commit()
    response = exported(as_role("trainer"), f"/teach/classes/{classroom.id}/roster.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text(response).lstrip("\ufeff"))))
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in names and "Classmate" in names
    # As on the screen, and text to a spreadsheet (its spaces), with no
    # apostrophe in front: nothing to neutralise in "0912 000 001".
    assert {row[1] for row in rows[1:]} == {"0912 000 001", "0912 000 006"}


def upload(client, classroom, content, name="farmers.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        f"/teach/classes/{classroom.id}/register",
        data={"file": (io.BytesIO(data), name)},
    )


def test_paper_list_becomes_accounts_with_one_time_codes(app, as_role, classroom):
    response = upload(
        as_role("trainer"),
        classroom,
        "name,phone,area\nNguyễn Văn Một,0933 000 001,\nTrần Thị Hai,84933000002,P-B\n",
    )
    assert response.status_code == 200
    codes = {
        "+84" + phone.replace(" ", "")[1:]: code
        for phone, code in re.findall(
            r"<strong>(0\d{3} \d{3} \d{3})</strong></p>\s*<p>[^<]*"
            r"<strong class=\"code\">(\d{8})</strong>",
            text(response),
        )
    }
    assert set(codes) == {"+84933000001", "+84933000002"}
    two = db.session.scalar(sa.select(User).where(User.phone == "+84933000002"))
    assert two.password_hash is None and two.area.code == "P-B"
    assert db.session.scalar(sa.select(Enrollment).filter_by(user_id=two.id))
    # The farmer cannot sign in before choosing a password with the code...
    farmer = app.test_client()
    assert sign_in(farmer, phone="0933000002", password="").status_code == 400
    response = farmer.post(
        "/code",
        data={
            "phone": "0933000002",
            "code": codes["+84933000002"],
            "password": PASSWORD,
        },
    )
    assert response.headers["Location"] == "/me/learning"
    assert "Khoá học nhỏ" in text(farmer.get("/me/learning"))
    # ...and the code works once.
    again = app.test_client().post(
        "/code",
        data={
            "phone": "0933000002",
            "code": codes["+84933000002"],
            "password": PASSWORD + "!",
        },
    )
    assert again.status_code == 400


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("name,phone,area\n,0933000001,\n", 2, "name"),
        ("name,phone,area\nAn,12345,\n", 2, "0912 345 678"),
        ("name,phone,area\nAn,0933000001,\nBình,0933 000 001,\n", 3, "line 2"),
        ("name,phone,area\nAn,0933000001,NOWHERE\n", 2, "NOWHERE"),
        ("ten,sdt\nAn,0933000001\n", 1, "name, phone, area"),
        ("name,phone,area\n", 2, "no farmers"),
    ],
    ids=[
        "no-name",
        "bad-phone",
        "duplicate",
        "unknown-area",
        "columns",
        "empty",
    ],
)
def test_bad_list_is_reported_by_line_and_creates_nothing(
    as_role, classroom, content, line, words
):
    users = count(User)
    trainer = as_role("trainer")
    trainer.set_cookie("lang", "en")  # the words below are the English messages
    response = upload(trainer, classroom, content)
    assert response.status_code == 400
    report = text(response)
    assert f"Line {line}:" in report
    assert words.casefold() in report.casefold()
    assert count(User) == users


def test_list_in_another_encoding_gets_a_clear_message(as_role, classroom):
    users = count(User)
    response = upload(
        as_role("trainer"),
        classroom,
        b"name,phone,area\n\xd0\xe0o V\xe3n M\xf4t,0933000001,\n",  # Windows-1258
    )
    assert response.status_code == 400 and "UTF-8" in text(response)
    assert count(User) == users
    utf16 = upload(
        as_role("trainer"),
        classroom,
        "name,phone,area\nNguyễn Văn Một,0933000001,\n".encode("utf-16"),
    )
    assert utf16.status_code == 200


@pytest.mark.parametrize(
    "content",
    [
        "name\tphone\tarea\r\nNguyễn Văn Một\t0933 000 001\t\r\n".encode("utf-16"),
        "name;phone;area\nNguyễn Văn Một;0933 000 001;P-A\n".encode("utf-8-sig"),
    ],
    ids=["unicode-text", "semicolons"],
)
def test_lists_as_spreadsheets_save_them_register_the_farmers(
    as_role, classroom, content
):
    """Excel's "Unicode text" separates columns with tabs; its CSV, where the
    decimal mark is a comma, with semicolons."""
    response = upload(as_role("trainer"), classroom, content)
    assert response.status_code == 200
    farmer = db.session.scalar(sa.select(User).where(User.phone == "+84933000001"))
    assert (farmer.name, farmer.area.code) == ("Nguyễn Văn Một", "P-A")


def test_ten_thousand_farmers_register_in_one_go(as_role, classroom):
    lines = ["name,phone,area"] + [f"Nông dân {n},09{n:08d},P-A" for n in range(10_000)]
    response = upload(as_role("trainer"), classroom, "\n".join(lines))
    assert response.status_code == 200
    assert count(AccessCode) == 10_000
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ClassMember)
            .where(ClassMember.classroom_id == classroom.id)
        )
        == 10_002
    )


def test_trainer_gives_a_reset_code_that_works_once_for_a_day(
    app, as_role, classroom, people
):
    from lms.clock import utcnow

    response = as_role("trainer").post(
        f"/teach/learners/{people['learner'].id}/reset-code"
    )
    code = re.search(r'class="join-code">(\d{8})<', text(response)).group(1)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "code.reset")
    )
    assert event.subject_id == people["learner"].id
    farmer = app.test_client()
    data = {
        "phone": PHONES["learner"],
        "code": code,
        "password": "mật khẩu mới của tôi",
    }
    assert farmer.post("/code", data=data).status_code == 302
    renewed = sign_in(app.test_client(), PHONES["learner"], "mật khẩu mới của tôi")
    assert renewed.status_code == 302
    assert app.test_client().post("/code", data=data).status_code == 400

    # An expired code is refused too.
    code = re.search(
        r'class="join-code">(\d{8})<',
        text(
            as_role("trainer").post(
                f"/teach/learners/{people['classmate'].id}/reset-code"
            )
        ),
    ).group(1)
    access = db.session.scalar(
        sa.select(AccessCode).where(
            AccessCode.user_id == people["classmate"].id, AccessCode.used_at.is_(None)
        )
    )
    access.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = app.test_client().post(
        "/code",
        data={"phone": PHONES["classmate"], "code": code, "password": PASSWORD + "x"},
    )
    assert expired.status_code == 400


def test_reset_codes_only_for_learners_in_my_classes(as_role, classroom, people):
    trainer = as_role("trainer")
    for person in ("other_trainer", "official", "admin"):
        response = trainer.post(f"/teach/learners/{people[person].id}/reset-code")
        assert response.status_code == 403, person
    outsider = as_role("other_trainer")
    response = outsider.post(f"/teach/learners/{people['learner'].id}/reset-code")
    assert response.status_code == 403
    assert count(AccessCode) == 0


def test_a_paper_list_with_existing_accounts_names_them_and_goes_on_without_them(
    as_role, classroom, people
):
    trainer = as_role("trainer")
    paper = (
        "name,phone,area\n"
        "Nguyễn Văn Một,0933 000 001,\n"
        f"Chị Hoa,{PHONES['classmate']},\n"
        "Trần Thị Hai,0933 000 002,P-B\n"
    )
    before = every_row()
    asked = upload(trainer, classroom, paper)
    assert asked.status_code == 200
    page = text(asked)
    assert "Chị Hoa" in page and "Classmate" in page and classroom.join_code in page
    assert "Nguyễn Văn Một" not in page.split('class="problems"')[1].split("</ul>")[0]
    assert every_row() == before  # nothing made until the trainer goes on
    kept = re.search(r'name="paper_list" value="([^"]*)"', page).group(1)
    done = trainer.post(
        f"/teach/classes/{classroom.id}/register",
        data={"paper_list": html.unescape(kept), "without_existing": "yes"},
    )
    assert done.status_code == 200
    shown = text(done)
    assert "0933 000 001" in shown and "0933 000 002" in shown
    assert "Chị Hoa" not in shown
    phones = set(db.session.scalars(sa.select(User.phone)))
    assert {"+84933000001", "+84933000002"} <= phones
    classmate = db.session.get(User, people["classmate"].id)
    assert classmate.name == "Classmate" and classmate.password_hash is not None


def test_a_paper_list_tells_no_one_who_owns_a_number(as_role, classroom, people):
    """A trainer's list with the admin's number on it, or any number: the page
    says the number has an account under another name, never whose."""
    paper = (
        "name,phone,area\n"
        f"Nguyễn Văn Ba,{PHONES['admin']},\n"
        f"Other Trainer,{PHONES['other_trainer']},\n"
        "Trần Thị Tư,0933 000 004,\n"
    )
    page = text(upload(as_role("trainer"), classroom, paper))
    problems = page.split('class="problems"')[1].split("</ul>")[0]
    assert people["admin"].name not in page
    assert "Nguyễn Văn Ba: số này đã có tài khoản mang tên khác" in problems
    assert "Other Trainer: số này đã có tài khoản;" in problems
    assert "Trần Thị Tư" not in problems


def test_a_list_of_farmers_already_in_the_class_says_so(as_role, classroom):
    """The same list uploaded again: nothing to fix and no one to register."""
    paper = (
        "name,phone,area\n"
        f"Learner,{PHONES['learner']},\n"
        f"Classmate,{PHONES['classmate']},\n"
    )
    before = every_row()
    answer = upload(as_role("trainer"), classroom, paper)
    page = text(answer)
    assert answer.status_code == 200
    assert page.count("đã ở trong lớp này") == 2
    assert "không có ai cần đăng ký" in page
    assert "without_existing" not in page  # no button to register no one
    assert "Hãy sửa" not in page
    assert every_row() == before


def test_existing_accounts_are_named_among_other_problems(as_role, classroom):
    paper = f"name,phone,area\nChị Hoa,{PHONES['classmate']},\nKhông Số,,\n"
    refused = upload(as_role("trainer"), classroom, paper)
    assert refused.status_code == 400
    assert "Chị Hoa" in text(refused) and "Classmate" in text(refused)


def test_activation_codes_print_as_slips_to_cut_out(as_role, classroom):
    paper = "name,phone,area\nNguyễn Văn Một,0933 000 001,\nTrần Thị Hai,0933000002,\n"
    page = text(upload(as_role("trainer"), classroom, paper))
    slips = re.findall(r'<li class="slip">(.*?)</li>', page, re.S)
    assert len(slips) == 2
    for name, phone, slip in zip(
        ("Nguyễn Văn Một", "Trần Thị Hai"),
        ("0933 000 001", "0933 000 002"),
        slips,
        strict=True,
    ):
        assert name in slip and phone in slip and "/code" in slip
        assert re.search(r'class="code">\d{8}<', slip)
    assert re.search(r"<button[^>]*data-print", page)


@pytest.mark.parametrize("area", ["9999", "abc"])
def test_a_class_in_a_commune_that_does_not_exist_is_refused(
    as_role, owned_course, area
):
    before = every_row()
    refused = as_role("trainer").post(
        "/teach/classes/new",
        data={"name": "Lớp ma", "area": area, "courses": [str(owned_course.id)]},
    )
    assert refused.status_code == 400
    assert "Hãy chọn một xã, phường trong danh sách." in text(refused)
    assert every_row() == before


def test_a_course_posted_with_a_club_that_does_not_exist_changes_nothing(
    as_role, owned_course
):
    before = every_row()
    refused = as_role("trainer").post(
        "/teach/courses/mini/edit",
        data={
            "title_vi": "Khoá học nhỏ",
            "summary_vi": "Tóm tắt",
            "minutes": "30",
            "clubs": ["koc", "vip"],
        },
    )
    assert refused.status_code == 400
    assert "Chỉ chọn trong danh sách." in text(refused)
    assert every_row() == before


def test_the_dashboard_shows_the_latest_classes_and_the_rest_page_by_page(
    as_role, classroom, people
):
    """An admin reaches every class of the site: the dashboard lists the latest
    twenty, 'All classes' the rest, fifty a page, each once."""
    from lms.services.classes import create_class

    for n in range(70):
        create_class(
            people["trainer"], f"Lớp số {n:02d}", None, "", None, [classroom.courses[0]]
        )
    db.session.commit()
    admin = as_role("admin")
    dashboard = admin.get("/teach").get_data(as_text=True)
    assert len(re.findall(r'href="/teach/classes/\d+"', dashboard)) == 20
    assert "Lớp số 69" in dashboard and "Lớp số 49" not in dashboard
    assert 'href="/teach/classes">' in dashboard
    pages = [
        admin.get(f"/teach/classes?page={n}").get_data(as_text=True) for n in (1, 2)
    ]
    names = re.findall(r">(Lớp số \d\d|Lớp Xã An)</a>", "".join(pages))
    assert len(names) == 71 and len(set(names)) == 71
    assert admin.get("/teach/classes?page=3").status_code == 404
    trainer = as_role("other_trainer").get("/teach/classes").get_data(as_text=True)
    assert "Lớp số" not in trainer  # only one's own classes
