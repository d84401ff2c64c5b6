"""Two provinces on one site: province admins, national officials, issuers.

Province Q (Xã Đông) is loaded beside the test province P (Xã An, Xã Bình), as
a site serving two provinces would (LMS_PROVINCES). The class, its learners and
their certificates are in P; ``admin_q`` manages Q only.
"""

from datetime import timedelta

import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa

from lms.clock import utcnow
from lms.extensions import db
from lms.models import Area, AuditEvent, Certificate, Classroom, Club, User
from lms.services.areas import import_areas
from lms.services.certificates import new_code
from tests.conftest import PHONES, count, make_user, sign_in

SECOND_PROVINCE = """code,name,kind,parent_code
Q,Tỉnh Thứ Hai,province,
Q-A,Xã Đông,commune,Q
""".encode()
ADMIN_Q, ADMIN_P, NATIONAL = "0912000201", "0912000202", "0912000203"
LEARNER_Q, TRAINER_Q = "0912000204", "0912000205"


def area(code):
    return db.session.scalar(sa.select(Area).where(Area.code == code))


@pytest.fixture
def provinces(app, people, classroom):
    import_areas(SECOND_PROVINCE)
    app.config["LMS_PROVINCES"] = "P, Q"
    made = {
        "admin_q": make_user(ADMIN_Q, "Quản Trị Quảng", "admin", area="Q"),
        "admin_p": make_user(ADMIN_P, "Quản Trị Phú", "admin", area="P"),
        "national": make_user(NATIONAL, "Cán Bộ Quốc", "official", area=None),
        "learner_q": make_user(LEARNER_Q, "Lò Thị Quế", "learner", area="Q-A"),
        "trainer_q": make_user(TRAINER_Q, "Giảng Viên Quý", "trainer", area="Q-A"),
    }
    course = classroom.courses[0]
    club = Club(code="koc", name_vi="CLB KOC", courses=[course])
    db.session.add(club)
    db.session.flush()
    certificates = {
        "learner": Certificate(
            code=new_code(), user_id=people["learner"].id, course_id=course.id
        ),
        "card": Certificate(
            code=new_code(),
            user_id=people["learner"].id,
            club_id=club.id,
            period=1,
            expires_at=utcnow() + timedelta(days=300),
        ),
        "learner_q": Certificate(
            code=new_code(), user_id=made["learner_q"].id, course_id=course.id
        ),
    }
    db.session.add_all(certificates.values())
    db.session.commit()
    return {**made, **people, "certificates": certificates, "class": classroom}


def signed_in(app, phone):
    client = app.test_client()
    sign_in(client, phone=phone)
    return client


def audit_count():
    return count(AuditEvent)


# Province admins: their area only, 403 outside with nothing changed.


def test_a_province_admin_lists_and_finds_only_the_people_of_their_province(
    app, provinces
):
    client = signed_in(app, ADMIN_Q)
    listed = client.get("/admin/users").get_data(as_text=True)
    assert "Lò Thị Quế" in listed and "Giảng Viên Quý" in listed
    assert "Classmate" not in listed and "Official B" not in listed
    assert "Quản Trị Phú" not in listed  # admins are the whole-site admin's
    found = client.get(f"/admin/users?q={PHONES['learner']}").get_data(as_text=True)
    assert "Learner" not in found.split('<ul class="rows">')[1]


def test_a_province_admin_cannot_touch_an_account_outside_their_province(
    app, provinces
):
    client = signed_in(app, ADMIN_Q)
    learner = provinces["learner"]
    before = audit_count()
    assert client.get(f"/admin/users/{learner.id}").status_code == 403
    response = client.post(
        f"/admin/users/{learner.id}", data={"role": "trainer", "area": ""}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert learner.role == "learner" and learner.area.code == "P-A"
    assert learner.active and audit_count() == before


def test_a_province_admin_manages_their_own_but_makes_no_admin_nor_moves_out(
    app, provinces
):
    client = signed_in(app, ADMIN_Q)
    person = provinces["learner_q"]
    url = f"/admin/users/{person.id}"
    page = client.get(url).get_data(as_text=True)
    assert ">Xã Đông<" in page.replace("\u00a0", "") and "Xã An" not in page
    assert 'value="admin"' not in page and "No area" not in page
    q_a, p_a = area("Q-A").id, area("P-A").id
    for data in (
        {"role": "admin", "area": q_a, "active": "y"},
        {"role": "learner", "area": p_a, "active": "y"},
        {"role": "learner", "area": "", "active": "y"},
    ):
        assert client.post(url, data=data).status_code == 400
        db.session.expire_all()
        assert person.role == "learner" and person.area.code == "Q-A"
    answer = client.post(url, data={"role": "trainer", "area": q_a, "active": "y"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert person.role == "trainer"


def test_only_the_whole_site_admin_makes_a_province_admin(app, provinces):
    person = provinces["trainer_q"]
    url = f"/admin/users/{person.id}"
    data = {"role": "admin", "area": area("Q").id, "active": "y"}
    assert signed_in(app, ADMIN_P).post(url, data=data).status_code == 403
    assert signed_in(app, ADMIN_Q).post(url, data=data).status_code == 400
    db.session.expire_all()
    assert person.role == "trainer"
    site = signed_in(app, PHONES["admin"])
    assert site.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert person.role == "admin" and person.area.code == "Q"


def test_a_province_admin_cannot_run_a_class_outside_their_province(app, provinces):
    client = signed_in(app, ADMIN_Q)
    classroom = provinces["class"]
    assert client.get(f"/teach/classes/{classroom.id}").status_code == 403
    assert client.post(f"/teach/classes/{classroom.id}/close").status_code == 403
    db.session.expire_all()
    assert db.session.get(Classroom, classroom.id).is_open
    mine = signed_in(app, ADMIN_P)
    assert mine.post(f"/teach/classes/{classroom.id}/close").status_code == 302
    db.session.expire_all()
    assert not db.session.get(Classroom, classroom.id).is_open


@pytest.mark.parametrize("which", ["learner", "card"])
def test_a_province_admin_cannot_revoke_a_certificate_or_card_outside(
    app, provinces, which
):
    certificate = provinces["certificates"][which]
    client = signed_in(app, ADMIN_Q)
    searched = client.get(f"/admin/certificates?q={certificate.code}")
    assert f"/admin/certificates/{certificate.code}/revoke" not in searched.text
    assert "Không tìm thấy" in searched.text
    before = audit_count()
    response = client.post(
        f"/admin/certificates/{certificate.code}/revoke",
        data={"reason": "Thử", "confirmed": "yes"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).revoked_at is None
    assert audit_count() == before
    # The admin of the learner's province can.
    signed_in(app, ADMIN_P).post(
        f"/admin/certificates/{certificate.code}/revoke",
        data={"reason": "Thử", "confirmed": "yes"},
    )
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).revoked_at is not None


def test_club_rules_are_the_whole_site_admins(app, provinces):
    assert signed_in(app, ADMIN_P).get("/admin/clubs/koc").status_code == 403
    assert signed_in(app, PHONES["admin"]).get("/admin/clubs/koc").status_code == 200


def test_a_province_admin_reads_the_reports_of_their_province_only(app, provinces):
    client = signed_in(app, ADMIN_Q)
    page = client.get("/reports").get_data(as_text=True)
    assert "Tỉnh Thứ Hai" in page
    assert client.get(f"/reports?area={area('P-A').id}").status_code == 404


# National officials: no area means every province, on purpose.


def test_an_official_without_an_area_sees_every_province(app, provinces):
    client = signed_in(app, NATIONAL)
    page = client.get("/reports")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Tỉnh Mẫu" in html and "Tỉnh Thứ Hai" in html
    rows = client.get("/api/v1/reports/areas").get_json()["rows"]
    assert {row["area"]["code"] for row in rows} == {"P", "Q"}
    assert client.get(f"/reports?area={area('Q-A').id}").status_code == 200
    # Officials of a commune still see only theirs.
    mine = signed_in(app, PHONES["official"])
    assert mine.get(f"/reports?area={area('Q-A').id}").status_code == 404


# Issuers: each province its own, on the check page, the PDF and the badge.

ISSUER = {
    "name": "Trung tâm Khuyến nông tỉnh Thứ Hai",
    "email": "chungchi@khuyennong-q.vn",
    "phone": "0222 3822 123",
    "url": "https://khuyennong-q.vn",
}


def pdf_text(data):
    document = pdfium.PdfDocument(data)
    try:
        return document[0].get_textpage().get_text_range().replace("\r\n", " ")
    finally:
        document.close()


def test_each_province_names_its_own_issuer_everywhere(app, provinces):
    q = area("Q")
    admin = signed_in(app, ADMIN_Q)
    assert admin.get(f"/admin/issuers/{area('P').id}").status_code == 403
    listed = admin.get("/admin/issuers").get_data(as_text=True)
    assert "Tỉnh Thứ Hai" in listed and "Tỉnh Mẫu" not in listed
    assert admin.post(f"/admin/issuers/{q.id}", data=ISSUER).status_code == 302

    ours = provinces["certificates"]["learner_q"].code
    theirs = provinces["certificates"]["learner"].code
    anyone = app.test_client()
    page = anyone.get(f"/verify/{ours}").get_data(as_text=True)
    assert ISSUER["name"] in page and ISSUER["email"] in page
    assert ISSUER["phone"] in page and ISSUER["url"] in page
    other = anyone.get(f"/verify/{theirs}").get_data(as_text=True)
    assert ISSUER["name"] not in other
    assert app.config["LMS_ISSUER_NAME"] in other  # P set none: the site's

    text = pdf_text(anyone.get(f"/certificates/{ours}.pdf").data)
    assert ISSUER["name"] in text and ISSUER["email"] in text

    assertion = anyone.get(f"/badges/assertions/{ours}").get_json(force=True)
    assert assertion["badge"].endswith("/badges/issuers/Q/classes/mini")
    badge_path = assertion["badge"].split("localhost", 1)[-1]
    badge_class = anyone.get(badge_path)
    assert badge_class.mimetype == "application/ld+json"
    issuer_url = badge_class.get_json(force=True)["issuer"]
    assert issuer_url.endswith("/badges/issuers/Q")
    issuer = anyone.get("/badges/issuers/Q").get_json(force=True)
    assert issuer["id"] == issuer_url and issuer["type"] == "Issuer"
    assert issuer["name"] == ISSUER["name"] and issuer["email"] == ISSUER["email"]
    assert issuer["telephone"] == ISSUER["phone"] and issuer["url"] == ISSUER["url"]
    assert anyone.get("/badges/issuers/Q-A").status_code == 404  # not a province


def test_a_certificate_keeps_the_issuer_of_the_province_it_was_issued_in(
    app, provinces
):
    signed_in(app, ADMIN_Q).post(f"/admin/issuers/{area('Q').id}", data=ISSUER)
    learner = provinces["learner_q"]
    learner.area = area("P-A")  # moves to province P afterwards
    db.session.commit()
    code = provinces["certificates"]["learner_q"].code
    page = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert ISSUER["name"] in page


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "không phải email"), ("phone", "gọi tôi"), ("url", "khuyennong")],
)
def test_a_wrong_issuer_contact_is_refused_and_nothing_changes(
    app, provinces, field, value
):
    q = area("Q")
    response = signed_in(app, ADMIN_Q).post(
        f"/admin/issuers/{q.id}", data={**ISSUER, field: value}
    )
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert q.issuer_name is None and q.issuer_email is None


# The class form offers the communes the trainer can reach, searchable.


def communes_offered(client):
    html = client.get("/teach/classes/new").get_data(as_text=True)
    assert 'data-commune-filter="' in html and "js/communes.js" in html
    return {name for name in ("Xã An", "Xã Bình", "Xã Đông") if f">{name}<" in html}


def test_the_class_form_lists_the_communes_the_trainer_reaches(app, provinces):
    assert communes_offered(signed_in(app, PHONES["trainer"])) == {"Xã An"}
    assert communes_offered(signed_in(app, TRAINER_Q)) == {"Xã Đông"}
    assert communes_offered(signed_in(app, ADMIN_P)) == {"Xã An", "Xã Bình"}
    everywhere = {"Xã An", "Xã Bình", "Xã Đông"}
    assert communes_offered(signed_in(app, PHONES["admin"])) == everywhere


def test_a_class_outside_the_trainers_reach_is_refused(app, provinces):
    before = count(Classroom)
    response = signed_in(app, PHONES["trainer"]).post(
        "/teach/classes/new",
        data={"name": "Lớp lạ", "area": area("Q-A").id},
    )
    assert response.status_code == 400
    assert count(Classroom) == before
    assert db.session.scalar(sa.select(User).where(User.phone == "+84912000205"))


def test_a_province_admin_registers_farmers_only_into_their_province(app, provinces):
    from lms.services.classes import create_class
    from lms.services.registration import RegistrationError, register_from_csv

    admin_q = provinces["admin_q"]
    course = provinces["class"].courses[0]
    classroom = create_class(admin_q, "Lớp Xã Đông", None, "", area("Q-A"), [course])
    db.session.commit()
    listed = "name,phone,area\nLò Văn Một,0912000301,Q-A\nLò Văn Hai,0912000302,P-A\n"
    people_before = count(User)
    with pytest.raises(RegistrationError) as refused:
        register_from_csv(classroom, listed.encode(), admin_q)
    db.session.rollback()
    assert [line for line, _ in refused.value.problems] == [3]
    assert "“P-A” nằm ngoài khu vực bạn quản lý" in str(refused.value.problems[0][1])
    assert count(User) == people_before
    # The whole-site admin may list farmers of both provinces.
    registered = register_from_csv(classroom, listed.encode(), provinces["admin"])
    db.session.commit()
    assert sorted(r.phone for r in registered) == ["+84912000301", "+84912000302"]


def test_every_wrong_issuer_field_is_said_at_once(app, provinces):
    q = area("Q")
    admin = signed_in(app, ADMIN_Q)
    wrong = {
        "name": "Trung tâm",
        "email": "chungchi@",
        "phone": "abc",
        "url": "khuyennong",
    }
    answer = admin.post(f"/admin/issuers/{q.id}", data=wrong)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    for field in ("email", "phone", "url"):
        assert f'id="{field}-error"' in page, field
    db.session.refresh(q)
    assert q.issuer_name is None  # nothing saved
