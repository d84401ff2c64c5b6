"""Sign-up offers the communes of the provinces the site serves, and only those."""

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Area, User
from lms.services.areas import import_areas
from tests.conftest import PASSWORD, count

SECOND_PROVINCE = """code,name,kind,parent_code
Q,Tỉnh Thứ Hai,province,
Q-A,Xã Đông,commune,Q
""".encode()


def area_id(code):
    return db.session.scalar(sa.select(Area.id).where(Area.code == code))


def signup(client, commune, url="/signup"):
    data = {"phone": "0912345678", "name": "Lò Văn Sáng", "password": PASSWORD}
    return client.post(url, data={**data, "area": area_id(commune)})


def test_commune_of_a_province_the_site_does_not_serve_is_refused(app, client):
    import_areas(SECOND_PROVINCE)
    db.session.commit()
    response = signup(client, "Q-A")
    assert response.status_code == 400
    assert "không phục vụ" in response.get_data(as_text=True)
    assert count(User) == 0
    # Nor is it offered.
    assert "Xã Đông" not in client.get("/signup").get_data(as_text=True)


def test_two_provinces_province_first_then_its_communes(app, client):
    import_areas(SECOND_PROVINCE)
    db.session.commit()
    app.config["LMS_PROVINCES"] = "P, Q"
    first = client.get("/signup").get_data(as_text=True)
    assert '<select id="province" name="province">' in first
    assert "Xã An" not in first and "Xã Đông" not in first
    second = client.get("/signup?province=Q").get_data(as_text=True)
    assert "Xã Đông" in second and "Xã An" not in second
    assert 'data-commune-filter="' in second
    assert signup(client, "Q-A", "/signup?province=Q").status_code == 302
    assert db.session.scalar(sa.select(User)).area.code == "Q-A"


def test_one_province_shows_its_communes_at_once_with_a_search(client):
    html = client.get("/signup").get_data(as_text=True)
    assert 'name="province"' not in html
    assert "Xã An" in html and "Xã Bình" in html
    assert "js/communes.js" in html
