"""Issue 4's promise on the real course: finish livestream selling, get a KOC card
whose QR opens a page that says it is valid; revoking it flips every surface."""

from pathlib import Path
from urllib.parse import urlsplit

import pypdfium2
import sqlalchemy as sa
import zxingcpp

from lms.content.importer import import_courses
from lms.extensions import db
from lms.models import Certificate, Course
from lms.services.certificates import ensure_default_clubs
from lms.services.learning import complete_lesson, submit_quiz
from lms.services.practical import review, submit
from tests.conftest import jpeg

COURSES = Path(__file__).parent.parent.parent / "courses"


def scan_qr(pdf_bytes):
    """Do what a buyer's phone does: read the QR code printed on the certificate."""
    page = pypdfium2.PdfDocument(pdf_bytes)[0]
    image = page.render(scale=3).to_pil()
    (barcode,) = zxingcpp.read_barcodes(image)
    return barcode.text


def test_livestream_course_earns_a_koc_card_that_checks_out(app, as_role, people):
    import_courses(COURSES, app.config["LMS_UPLOAD_DIR"])
    ensure_default_clubs()
    db.session.commit()
    course = db.session.scalar(
        sa.select(Course).where(Course.slug == "livestream-selling")
    )
    learner = people["learner"]
    for lesson in course.active_lessons:
        complete_lesson(learner, lesson)
    answers = {
        q["id"]: [c["id"] for c in q["choices"] if c["correct"]]
        for q in course.quiz.questions
    }
    assert submit_quiz(learner, course.quiz, answers).passed
    work = submit(
        learner,
        course.assignment,
        "https://www.facebook.com/live/1",
        [jpeg()],
        "",
        app.config["LMS_UPLOAD_DIR"],
    )
    db.session.commit()
    assert db.session.scalar(sa.select(Certificate.id)) is None  # not before approval
    rubric = {criterion["id"]: "pass" for criterion in course.assignment.rubric}
    review(people["admin"], work, True, rubric, "Buổi lên sóng rõ ràng, trung thực.")
    db.session.commit()

    card = db.session.scalar(
        sa.select(Certificate).where(Certificate.club_id.is_not(None))
    )
    assert card is not None and card.club.code == "koc"
    farmer = as_role("learner")
    pdf = farmer.get(f"/certificates/{card.code}.pdf")
    assert pdf.status_code == 200
    url = scan_qr(pdf.data)
    assert urlsplit(url).path == f"/verify/{card.code}"
    buyer = as_role(None)
    page = buyer.get(urlsplit(url).path).get_data(as_text=True)
    assert "✓" in page and learner.name in page

    as_role("admin").post(
        f"/admin/certificates/{card.code}/revoke",
        data={"reason": "Khai sai nguồn gốc", "confirmed": "yes"},
    )
    page = buyer.get(urlsplit(url).path).get_data(as_text=True)
    assert "✗" in page and "Khai sai nguồn gốc" in page and "✓" not in page
    assert buyer.get(f"/certificates/{card.code}.pdf").status_code == 410
    assertion = buyer.get(f"/badges/assertions/{card.code}")
    assert assertion.status_code == 410 and assertion.get_json()["revoked"] is True
    assert buyer.get(f"/certificates/{card.code}/badge.png").status_code == 410
    mine = farmer.get("/me/certificates").get_data(as_text=True)
    assert "Khai sai nguồn gốc" in mine
