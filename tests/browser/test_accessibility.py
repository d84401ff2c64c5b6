"""WCAG 2.2 AA as axe checks it, on every main page, at a phone's size."""

import pytest

from lms.extensions import db
from tests.browser.test_training_day import sign_in as sign_in_page
from tests.conftest import PHONES

LEARNER_PAGES = [
    "/",
    "/courses/mini",
    "/courses/mini/lessons/first",
    "/courses/mini/quiz",
    "/me/learning",
    "/me/certificates",
    "/me/profile",
    "/join",
    "/clubs",
    "/offline",
]
PUBLIC_PAGES = [
    "/login",
    "/signup",
    "/code",
    "/verify",
    "/nope",
    "/tools/cost-per-box",
    "/tools/cost-per-box?price=abc&ice=-1",
]
TRAINER_PAGES = [
    "/teach",
    "/teach/courses/mini",
    "/teach/courses/mini/lessons/first/edit",
    "/teach/courses/mini/quiz",
    "/teach/courses/mini/assignment",
    "/teach/classes/new",
    "/teach/classes/{class_id}",
    "/teach/reviews",
]


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def violations(axe, page):
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in axe.run(page).response["violations"]
    ]


def test_public_and_learner_pages_have_no_violations(live_server, phone, axe, people):
    found = {}
    for path in PUBLIC_PAGES:
        phone.goto(live_server + path)
        found[path] = violations(axe, phone)
    sign_in_page(phone, live_server, PHONES["learner"])
    for path in LEARNER_PAGES:
        phone.goto(live_server + path)
        found[path] = violations(axe, phone)
    assert {path: v for path, v in found.items() if v} == {}


def test_trainer_pages_have_no_violations(live_server, phone, axe, classroom):
    db.session.commit()
    sign_in_page(phone, live_server, PHONES["trainer"])
    found = {}
    for path in TRAINER_PAGES:
        phone.goto(live_server + path.format(class_id=classroom.id))
        found[path] = violations(axe, phone)
    assert {path: v for path, v in found.items() if v} == {}


def test_text_at_200_percent_still_fits_the_phone(live_server, phone, people):
    sign_in_page(phone, live_server, PHONES["learner"])
    pages = ["/courses/mini/lessons/first", "/courses/mini/quiz", "/signup"]
    for path in ["/", *pages, "/tools/cost-per-box"]:
        phone.goto(live_server + path)
        phone.evaluate("document.documentElement.style.fontSize = '200%'")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways at 200% text ({width}px)"
