"""Sign-up on a phone: find the commune by typing, choose the province first."""

import sqlalchemy as sa

from lms.extensions import db
from lms.models import User
from lms.services.areas import import_areas
from tests.conftest import PASSWORD
from tests.helpers import vi


def fill_the_rest(page):
    page.get_by_label(vi("Phone number")).fill("0912 345 678")
    page.get_by_label(vi("Your name")).fill("Lò Văn Sáng")
    page.get_by_label(vi("Password"), exact=True).fill(PASSWORD)


def test_typing_without_accents_narrows_the_communes(live_server, phone):
    page = phone
    page.goto(live_server + "/signup")
    communes = page.get_by_label(vi("Commune"))
    page.get_by_label(vi("Type to find your commune")).fill("binh")
    assert communes.locator("option:not([value=''])").all_inner_texts() == ["Xã Bình"]
    assert communes.input_value() != ""  # the one match is chosen
    page.get_by_label(vi("Type to find your commune")).fill("khong co")
    assert vi("No commune has that name") in communes.inner_text()
    page.get_by_label(vi("Type to find your commune")).fill("an")
    communes.select_option(label="Xã An")
    fill_the_rest(page)
    page.get_by_role("button", name=vi("Create account")).click()
    page.locator(".flash").wait_for()
    assert db.session.scalar(sa.select(User)).area.code == "P-A"


def test_choosing_the_province_shows_its_communes(app, live_server, phone):
    import_areas(
        "code,name,kind,parent_code\nQ,Tỉnh Hai,province,\nQ-A,Xã Đông,commune,Q\n"
        .encode()
    )
    db.session.commit()
    app.config["LMS_PROVINCES"] = "P, Q"
    page = phone
    page.goto(live_server + "/signup")
    page.get_by_label(vi("Province")).select_option(label="Tỉnh Hai")
    page.wait_for_url("**province=Q")
    communes = page.get_by_label(vi("Commune"))
    assert communes.locator("option:not([value=''])").all_inner_texts() == ["Xã Đông"]
    communes.select_option(label="Xã Đông")
    fill_the_rest(page)
    page.get_by_role("button", name=vi("Create account")).click()
    page.locator(".flash").wait_for()
    assert db.session.scalar(sa.select(User)).area.code == "Q-A"
