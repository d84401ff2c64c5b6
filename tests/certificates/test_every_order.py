"""Every order a farmer may take through a bundled course ends in one certificate.

Lessons, saving for offline (which enrols) and syncing the last lesson from the
phone, the quiz, handing in practical work and its approval: walked over HTTP in
every order (approval after hand-in), each request answered without a 5xx.
"""

import itertools
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.content.importer import import_courses
from lms.extensions import db
from lms.models import Certificate, Club, Submission
from lms.services.certificates import ensure_default_clubs
from tests.conftest import DATABASES, PHONES, jpeg, make_user, sign_in
from tests.quiz_pages import fill_page, right_answers

BUNDLED = Path(__file__).parent.parent.parent / "courses"
STEPS = ("lessons", "offline", "quiz", "submit", "approve")
ORDERS = [
    order
    for order in itertools.permutations(STEPS)
    if order.index("submit") < order.index("approve")
]


@pytest.fixture
def bundled(app, people):
    import_courses(BUNDLED, app.config["LMS_UPLOAD_DIR"])
    ensure_default_clubs()
    db.session.commit()


def answered(response):
    assert response.status_code < 500, response.request.path
    return response


class Farmer:
    """One farmer walking one course over HTTP; each step checks for a 5xx."""

    def __init__(self, app, course, admin, number):
        phone = f"09{number:08d}"
        self.user = make_user(phone=phone, name=f"Nông dân {number}")
        self.client = app.test_client()
        sign_in(self.client, phone=phone)
        self.course, self.admin, self.number = course, admin, number
        self.saved_offline = False
        self.base = f"/courses/{course.slug}"

    def lessons(self):
        for lesson in self.course.active_lessons[:-1]:
            url = f"{self.base}/lessons/{lesson.slug}/complete"
            answered(self.client.post(url, follow_redirects=True))

    def offline(self):
        """Save for offline (it enrols first), then sync the last lesson read."""
        answered(self.client.post(f"{self.base}/enroll", follow_redirects=True))
        self.saved_offline = True
        manifest = self.client.get(f"/api/v1/courses/{self.course.slug}/offline")
        assert manifest.status_code == 200
        event = {
            "id": str(uuid.uuid4()),
            "type": "lesson.complete",
            "course": self.course.slug,
            "lesson": self.course.active_lessons[-1].slug,
            "at": "2026-01-01T08:00:00Z",
        }
        for _ in range(2):  # a phone losing signal sends the batch again
            synced = self.client.post("/api/v1/progress/sync", json={"events": [event]})
            assert synced.status_code == 200
            status = synced.get_json()["results"][0]["status"]
            assert status in ("applied", "duplicate")

    def quiz(self):
        """The quiz on the page; every other farmer who saved the course for
        offline answers it offline instead, and the phone syncs it."""
        page = self.client.get(f"{self.base}/quiz")
        answered(page)
        slug = self.course.slug
        ticked = fill_page(page.get_data(as_text=True), slug, right_answers(slug))
        if self.saved_offline and self.number % 2:
            event = {"id": str(uuid.uuid4()), "type": "quiz.submit"}
            event |= {"course": self.course.slug, "paper": ticked.pop("quiz_paper")}
            event |= {"answers": ticked}
            synced = self.client.post("/api/v1/progress/sync", json={"events": [event]})
            (result,) = synced.get_json()["results"]
            assert result["status"] == "applied" and result["quiz"]["passed"]
            return
        posted = self.client.post(f"{self.base}/quiz", data=ticked)
        assert posted.status_code == 302, posted.get_data(as_text=True)
        answered(self.client.get(posted.headers["Location"]))

    def submit(self):
        answered(self.client.get(f"{self.base}/practical"))
        sent = self.client.post(
            f"{self.base}/practical",
            data={"photos": [(jpeg(320, 240), "work.jpg")], "note": ""},
            content_type="multipart/form-data",
        )
        assert sent.status_code == 302, sent.get_data(as_text=True)

    def approve(self):
        work = db.session.scalar(
            sa.select(Submission).where(Submission.user_id == self.user.id)
        )
        rubric = {f"rubric-{c['id']}": "pass" for c in work.assignment.rubric}
        reviewed = self.admin.post(
            f"/teach/reviews/{work.id}",
            data={**rubric, "decision": "approve", "feedback": "Tốt lắm"},
        )
        assert reviewed.status_code == 302, reviewed.get_data(as_text=True)

    def certificates(self):
        return db.session.scalars(
            sa.select(Certificate).where(Certificate.user_id == self.user.id)
        ).all()


@pytest.mark.parametrize(
    "slug", ["livestream-selling", "packaging-design", "scene-and-camera"]
)
def test_every_order_ends_in_exactly_one_certificate(app, bundled, slug):
    from tests.conftest import course_by_slug

    course = course_by_slug(slug)
    admin = app.test_client()
    sign_in(admin, phone=PHONES["admin"])
    koc = db.session.scalar(sa.select(Club).where(Club.code == "koc"))
    for number, order in enumerate(ORDERS, start=1):
        farmer = Farmer(app, course, admin, number)
        for step in order:
            assert farmer.certificates() == [], (order, step)
            getattr(farmer, step)()
        issued = farmer.certificates()
        assert [c.course_id for c in issued if c.course_id] == [course.id], order
        cards = [c.club_id for c in issued if c.club_id]
        assert cards == ([koc.id] if course in koc.courses else []), order
        for page in ("/me/learning", "/me/certificates", farmer.base):
            assert farmer.client.get(page).status_code == 200


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_quiz_then_last_lesson_leads_to_the_practical_work(app, bundled):
    """The reported 500: the quiz passed first, the last lesson then marked done."""
    from tests.conftest import course_by_slug

    farmer = Farmer(app, course_by_slug("livestream-selling"), None, 1)
    farmer.quiz()
    farmer.lessons()
    last = farmer.course.active_lessons[-1]
    done = farmer.client.post(f"{farmer.base}/lessons/{last.slug}/complete")
    assert done.status_code == 302
    assert done.headers["Location"] == f"{farmer.base}/practical"
    enrol = farmer.client.post(f"{farmer.base}/enroll")
    assert enrol.headers["Location"] == f"{farmer.base}/practical"
