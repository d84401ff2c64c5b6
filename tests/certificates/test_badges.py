"""Open Badges 2.0 documents: issuer, badge classes, assertions, baked badges."""

import hashlib
import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from lms.certificates import badges
from lms.clock import utcnow
from lms.extensions import db
from lms.models import Certificate, Club, Course
from lms.services.certificates import revoke
from lms.services.learning import complete_lesson, submit_quiz
from tests.conftest import PHONES, stamp_latest

BASE = "http://localhost"
CONTEXT = "https://w3id.org/openbadges/v2"
RIGHT = {"sprayed": ["a"], "before-live": ["a", "b"]}
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def koc(mini_course):
    club = Club(
        code="koc",
        name_vi="CLB KOC",
        name_en="KOC club",
        description_vi="Người tiêu dùng có ảnh hưởng.",
        courses=[mini_course],
    )
    db.session.add(club)
    db.session.commit()
    return club


@pytest.fixture
def earned(people, mini_course, koc):
    """The learner's certificates for the mini course: "course" and "club"."""
    learner = people["learner"]
    for lesson in mini_course.active_lessons:
        complete_lesson(learner, lesson)
    submit_quiz(learner, mini_course.quiz, RIGHT)
    db.session.commit()
    found = db.session.scalars(sa.select(Certificate)).all()
    return {certificate.kind: certificate for certificate in found}


def linked_data(response, status=200):
    assert response.status_code == status
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = response.get_json(force=True)
    assert document["@context"] == CONTEXT
    return document


def assert_plain_404(response):
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json() == {"error": "not found"}


# Issuer


def test_issuer_profile(client):
    document = linked_data(client.get("/badges/issuer"))
    assert document == {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": f"{BASE}/badges/issuer",
        "name": "Học viện Số cho Nhà nông",
        "url": f"{BASE}/",
        "email": "chungchi@localhost",  # the public address's host: see README
    }


def test_a_fresh_install_names_a_contact_address(config, monkeypatch, tmp_path):
    """Validators require the issuer's email: `python app.py`'s own settings
    (nothing configured) give one."""
    from lms import create_app

    for variable in ("LMS_ISSUER_EMAIL", "LMS_PUBLIC_URL"):
        monkeypatch.delenv(variable, raising=False)
    del config["LMS_PUBLIC_URL"]
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    fresh = create_app(config)
    with fresh.app_context():  # as `lms setup` leaves it
        db.create_all()
        stamp_latest(fresh)
    issuer = fresh.test_client().get("/badges/issuer", base_url="http://127.0.0.1:5000")
    assert issuer.get_json()["email"] == "chungchi@127.0.0.1"
    monkeypatch.setenv("LMS_PUBLIC_URL", "https://hocvien.example.vn")
    deployed = create_app(config).config
    assert deployed["LMS_ISSUER_EMAIL"] == "chungchi@hocvien.example.vn"


def test_a_contact_address_that_is_not_one_is_refused_at_start(config):
    from lms import create_app
    from lms.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="LMS_ISSUER_EMAIL"):
        create_app(config | {"LMS_ISSUER_EMAIL": "khuyến nông"})


@pytest.fixture
def named_issuer(config):
    config["LMS_ISSUER_NAME"] = "Trung tâm Khuyến nông"
    config["LMS_ISSUER_EMAIL"] = "khuyennong@example.vn"


def test_issuer_name_and_email_come_from_the_configuration(named_issuer, client):
    document = linked_data(client.get("/badges/issuer"))
    assert document["name"] == "Trung tâm Khuyến nông"
    assert document["email"] == "khuyennong@example.vn"


# Badge classes


def test_course_badge_class(client, mini_course):
    document = linked_data(client.get("/badges/classes/mini"))
    narrative = document.pop("criteria").pop("narrative")
    assert document == {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": f"{BASE}/badges/classes/mini",
        "name": "Khoá học nhỏ",
        "description": "Một khoá học nhỏ để thử.",
        "image": f"{BASE}/badges/classes/mini.png",
        "issuer": f"{BASE}/badges/issuer",
    }
    assert narrative.startswith(
        "Hoàn thành tất cả 3 bài học và đạt bài kiểm tra cuối khoá (từ 50% trở lên)."
    )
    assert "Complete all 3 lessons and pass the final quiz (50% or more)." in narrative
    assert "thực hành" not in narrative  # the mini course has no practical work


def test_course_criteria_name_the_practical_work_when_there_is_some(
    client, mini_course
):
    from lms.models import Assignment

    db.session.add(Assignment(course=mini_course, instructions_vi="Quay một clip."))
    document = linked_data(client.get("/badges/classes/mini"))
    assert document["criteria"]["narrative"].startswith(
        "Hoàn thành tất cả 3 bài học, đạt bài kiểm tra cuối khoá (từ 50% trở lên) "
        "và được giảng viên duyệt bài thực hành."
    )


def test_club_badge_class_lists_the_required_courses(client, koc):
    document = linked_data(client.get("/badges/classes/club-koc"))
    assert document["id"] == f"{BASE}/badges/classes/club-koc"
    assert document["name"] == "CLB KOC"
    assert document["description"] == "Người tiêu dùng có ảnh hưởng."
    assert document["image"] == f"{BASE}/badges/classes/club-koc.png"
    assert document["issuer"] == f"{BASE}/badges/issuer"
    narrative = document["criteria"]["narrative"]
    assert "- Khoá học nhỏ" in narrative and "- Mini course" in narrative


@pytest.mark.parametrize("slug", ["mini", "club-koc"])
def test_badge_image_is_a_256_pixel_png(client, koc, slug):
    response = client.get(f"/badges/classes/{slug}.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "public" in response.headers["Cache-Control"]
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "PNG" and image.size == (256, 256)
    assert image.getpixel((0, 0))[3] == 0  # round, on a clear background
    red, green, blue, _ = image.getpixel((128, 230))
    assert green > red and green > blue  # a green roundel


def test_labels_for_the_roundel(mini_course, koc):
    assert badges.badge_label(club=koc) == "KOC"
    assert badges.badge_label(course=mini_course) == "M"
    mini_course.slug = "scene-and-camera"
    assert badges.badge_label(course=mini_course) == "SC"


@pytest.mark.parametrize("state", ["unknown", "draft", "archived"])
def test_unknown_draft_or_archived_badge_classes_are_404(client, mini_course, state):
    slug = "mini"
    if state == "unknown":
        slug = "no-such-course"
    elif state == "draft":
        mini_course.status = "draft"
    else:
        mini_course.archived_at = utcnow()
    assert_plain_404(client.get(f"/badges/classes/{slug}"))
    assert_plain_404(client.get(f"/badges/classes/{slug}.png"))


def test_unknown_club_is_404(client, koc):
    for slug in ["club-kol", "club-", "club-KOC"]:
        assert_plain_404(client.get(f"/badges/classes/{slug}"))


# Assertions


def test_course_assertion(client, earned):
    certificate = earned["course"]
    code = certificate.code
    document = linked_data(client.get(f"/badges/assertions/{code}"))
    document.pop("recipient")  # see the next test
    issued_on = document.pop("issuedOn")
    assert document == {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": f"{BASE}/badges/assertions/{code}",
        # The province that issued it (the holder's, P): its own badge class.
        "badge": f"{BASE}/badges/issuers/P/classes/mini",
        "verification": {"type": "hosted"},
        "evidence": f"{BASE}/verify/{code}",
    }
    assert ISO_Z.match(issued_on)
    assert issued_on == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert client.get(document["evidence"]).status_code == 200


def test_recipient_is_a_random_url_not_the_phone_number(client, earned, app):
    """The phone's 10 digits are too few for a hash to hide: nothing of it is sent."""
    code = earned["course"].code
    recipient = linked_data(client.get(f"/badges/assertions/{code}"))["recipient"]
    salt = recipient["salt"]
    learner = earned["course"].user
    url = f"{BASE}/badges/recipients/{learner.badge_recipient_id}"
    expected = hashlib.sha256((url + salt).encode()).hexdigest()
    assert recipient == {
        "type": "url",
        "hashed": True,
        "salt": salt,
        "identity": f"sha256${expected}",
    }
    phone = "+84" + PHONES["learner"][1:]
    for candidate in (phone, phone[1:], PHONES["learner"]):
        digest = hashlib.sha256((candidate + salt).encode()).hexdigest()
        assert digest not in recipient["identity"]
    assert len(learner.badge_recipient_id) == 32 and len(salt) == 16
    assert salt == badges.recipient_salt(app.config["SECRET_KEY"], code)
    profile = linked_data(client.get(url))
    assert profile["id"] == url and profile["type"] == "Profile"
    assert client.get(f"{BASE}/badges/recipients/{'0' * 32}").status_code == 404


def test_each_learner_has_their_own_recipient_url(earned, people):
    ids = {people[who].badge_recipient_id for who in people}
    assert len(ids) == len(people)


def test_salt_is_stable_and_differs_between_certificates(client, earned):
    def salt(code):
        return client.get(f"/badges/assertions/{code}").get_json()["recipient"]["salt"]

    course, club = earned["course"].code, earned["club"].code
    assert salt(course) == salt(course)
    assert salt(course) != salt(club)


def test_club_card_assertion_points_at_the_club_badge_class(client, earned):
    card = earned["club"]
    document = linked_data(client.get(f"/badges/assertions/{card.code}"))
    assert document["badge"] == f"{BASE}/badges/issuers/P/classes/club-koc"
    assert "expires" not in document  # the club's membership does not expire


def test_a_card_names_the_courses_it_was_issued_on_after_the_rule_changes(
    client, earned, koc
):
    """The admin adds a course to the club: the badge class says what it takes
    today, the card issued before still says what its holder had done."""
    koc.courses.append(Course(slug="returns", title_vi="Đổi trả hàng", position=9))
    db.session.commit()
    card = linked_data(client.get(f"/badges/assertions/{earned['club'].code}"))
    assert "- Khoá học nhỏ" in card["narrative"]
    assert "- Mini course" in card["narrative"]
    assert "Đổi trả hàng" not in card["narrative"]
    club = linked_data(client.get("/badges/classes/club-koc"))["criteria"]
    assert "- Khoá học nhỏ" in club["narrative"]
    assert "- Đổi trả hàng" in club["narrative"]
    # A course certificate is not a club card: it has no such list.
    course = linked_data(client.get(f"/badges/assertions/{earned['course'].code}"))
    assert "narrative" not in course


def test_expired_certificate_still_answers_with_its_expiry(client, earned):
    card = earned["club"]
    card.expires_at = utcnow() - timedelta(days=1)
    document = linked_data(client.get(f"/badges/assertions/{card.code}"))
    assert ISO_Z.match(document["expires"])
    assert document["expires"] < utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


def test_revoked_certificate_is_gone_with_its_reason(client, earned, people):
    certificate = earned["course"]
    revoke(certificate, people["admin"], "Bài thi do người khác làm hộ")
    response = client.get(f"/badges/assertions/{certificate.code}")
    assert linked_data(response, status=410) == {
        "@context": CONTEXT,
        "id": f"{BASE}/badges/assertions/{certificate.code}",
        "type": "Assertion",
        "revoked": True,
        "revocationReason": "Bài thi do người khác làm hộ",
    }
    baked = client.get(f"/certificates/{certificate.code}/badge.png")
    assert linked_data(baked, status=410)["revoked"] is True


def test_code_in_another_spelling_answers_with_the_canonical_id(client, earned):
    code = earned["course"].code
    typed = "-".join(code[i : i + 4] for i in range(0, 26, 4)).lower()
    document = linked_data(client.get(f"/badges/assertions/{typed}"))
    assert document["id"] == f"{BASE}/badges/assertions/{code}"


def mutations(code):
    flipped = ("A" if code[5] != "A" else "B").join([code[:5], code[6:]])
    return [
        "NOPE",
        "0" * 26,
        "A" * 26,
        code[:-1],
        code + "A",
        flipped,
        "x" * 5000,
        "%00",
        "../../etc/passwd",
        f"{code}/extra",
    ]


def test_unknown_malformed_long_or_mutated_codes_are_the_same_404(client, earned):
    for code in mutations(earned["course"].code):
        assert_plain_404(client.get(f"/badges/assertions/{code}"))
        assert_plain_404(client.get(f"/certificates/{code}/badge.png"))


# Baked badges


def itxt_chunks(png):
    """(keyword, compression flag, text) of every iTXt chunk, read by hand."""
    found, position = [], 8
    while position < len(png):
        length = int.from_bytes(png[position : position + 4], "big")
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        if kind == b"iTXt":
            keyword, rest = data.split(b"\0", 1)
            _, _, text = rest[2:].split(b"\0", 2)
            found.append((keyword.decode(), rest[0], text.decode()))
        position += 12 + length
    return found


def test_baked_badge_carries_its_assertion(client, earned):
    code = earned["course"].code
    response = client.get(f"/certificates/{code}/badge.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"badge-{code}.png" in disposition
    assertion = client.get(f"/badges/assertions/{code}").get_json()
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (256, 256)
    assert json.loads(image.text["openbadges"]) == assertion
    assert itxt_chunks(response.data) == [
        ("openbadges", 0, badges.compact_json(assertion))  # 0: not compressed
    ]


def test_baking_again_replaces_the_assertion():
    png = badges.badge_image("KOL")
    baked = badges.bake(badges.bake(png, '{"id": "old"}'), '{"id": "new"}')
    assert itxt_chunks(baked) == [("openbadges", 0, '{"id": "new"}')]
    assert Image.open(io.BytesIO(baked)).text["openbadges"] == '{"id": "new"}'
    with pytest.raises(ValueError):
        badges.bake(b"GIF89a", "{}")


def test_retired_course_keeps_its_badge_class_while_certificates_point_at_it(
    client, mini_course, learner
):
    from lms.models import Certificate
    from lms.services.certificates import new_code

    db.session.add(
        Certificate(code=new_code(), user_id=learner.id, course_id=mini_course.id)
    )
    mini_course.archived_at = utcnow()
    db.session.commit()
    response = client.get("/badges/classes/mini")
    assert response.status_code == 200
    assert response.get_json()["name"]
