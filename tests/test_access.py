"""Every route, checked as every role, against objects that belong to someone.

A route added without a line here fails ``test_every_route_is_in_the_matrix``.
The site serves two provinces: P, where every object lives, and Q, whose admin
(``province_admin``) manages Q only; ``national`` is an official with no area.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.clock import utcnow
from lms.extensions import db
from lms.models import Area, Certificate, Club, Job
from lms.services.areas import import_areas
from lms.services.authoring import save_assignment
from lms.services.certificates import new_code
from lms.services.learning import submit_quiz
from lms.services.practical import submit
from lms.services.tokens import create_token
from tests.conftest import jpeg, make_user, sign_in

ROLES = [
    None,
    "learner",
    "classmate",
    "official",  # of commune P-A, where the class and its learners are
    "official_b",  # of commune P-B
    "other_trainer",
    "trainer",
    "admin",  # of the whole site (no area)
    "province_admin",  # of province Q
    "national",  # an official with no area: every province
]
EXTRA_PEOPLE = {  # role: (phone, role, area)
    "province_admin": ("0912000301", "admin", "Q"),
    "national": ("0912000302", "official", None),
}
ALLOW, DENY, LOGIN, MISSING = "allow", "deny", "login", "missing"


def expect(**overrides):
    """Every role allowed but those named; official_b and national fare as official,
    province_admin as admin, unless named."""
    overrides.setdefault("official_b", overrides.get("official", ALLOW))
    overrides.setdefault("national", overrides.get("official", ALLOW))
    overrides.setdefault("province_admin", overrides.get("admin", ALLOW))
    table = dict.fromkeys(ROLES, ALLOW)
    for role, outcome in overrides.items():
        table[None if role == "anonymous" else role] = outcome
    return table


PUBLIC = expect()
SIGNED_IN = expect(anonymous=LOGIN)
STAFF = expect(anonymous=LOGIN, learner=DENY, classmate=DENY, official=DENY)
OWNER = expect(
    anonymous=LOGIN, learner=DENY, classmate=DENY, official=DENY, other_trainer=DENY
)
OWN_RECORD = expect(
    anonymous=LOGIN, classmate=DENY, official=DENY, other_trainer=DENY, trainer=DENY
)
ADMIN = expect(
    anonymous=LOGIN,
    learner=DENY,
    classmate=DENY,
    official=DENY,
    other_trainer=DENY,
    trainer=DENY,
)
READS_REPORTS = dict(
    anonymous=LOGIN, learner=DENY, classmate=DENY, other_trainer=DENY, trainer=DENY
)
REPORT = expect(**READS_REPORTS)
# A job's page and download: for the person who asked for it (an official), no one else.
OWN_JOB = expect(
    anonymous=LOGIN,
    learner=DENY,
    classmate=DENY,
    official_b=DENY,
    other_trainer=DENY,
    trainer=DENY,
    admin=DENY,
    national=DENY,
)
# A report on commune P-A: the official of P-B is told there is no such area,
# and so is Q's admin; the national official sees it.
REPORT_OF_A = expect(**READS_REPORTS, official_b=MISSING, province_admin=MISSING)
OWN_TOKEN = expect(**READS_REPORTS, official_b=MISSING, admin=MISSING, national=MISSING)
# What lies in province P (a class, a learner, their work and certificates):
# Q's admin is refused.
CLASS_OWNER = {**OWNER, "province_admin": DENY}
IN_P = {**ADMIN, "province_admin": DENY}
SITE_ADMIN = IN_P  # club rules hold for every province
PHOTO = expect(
    anonymous=LOGIN,
    classmate=DENY,
    official=DENY,
    other_trainer=DENY,
    province_admin=DENY,
)
HOLDER = {**OWN_RECORD, "admin": DENY, "province_admin": DENY}  # the holder only

# (rule, method, url, data, expectations). {…} are filled from the fixtures.
MATRIX = [
    ("/healthz", "GET", "/healthz", None, PUBLIC),
    ("/", "GET", "/", None, PUBLIC),
    ("/signup", "GET", "/signup", None, PUBLIC),
    ("/login", "GET", "/login", None, PUBLIC),
    ("/code", "GET", "/code", None, PUBLIC),
    ("/language", "POST", "/language", {"lang": "en"}, PUBLIC),
    (
        "/media/<any(content, lessons, audio):folder>/<name>",
        "GET",
        "{media}",
        None,
        PUBLIC,
    ),
    ("/static/<path:filename>", "GET", "/static/css/app.css", None, PUBLIC),
    ("/courses/<slug>", "GET", "/courses/mini", None, PUBLIC),
    ("/join", "GET", "/join", None, PUBLIC),
    ("/join/<code>", "GET", "/join/{code}", None, PUBLIC),
    ("/logout", "POST", "/logout", None, SIGNED_IN),
    ("/me/learning", "GET", "/me/learning", None, SIGNED_IN),
    ("/me/cards/<code>/renew", "GET", "/me/cards/{card}/renew", None, HOLDER),
    ("/courses/<slug>/enroll", "POST", "/courses/mini/enroll", None, SIGNED_IN),
    (
        "/courses/<slug>/lessons/<lesson_slug>",
        "GET",
        "/courses/mini/lessons/first",
        None,
        SIGNED_IN,
    ),
    (
        "/courses/<slug>/lessons/<lesson_slug>/complete",
        "POST",
        "/courses/mini/lessons/first/complete",
        None,
        SIGNED_IN,
    ),
    ("/courses/<slug>/quiz", "GET", "/courses/mini/quiz", None, SIGNED_IN),
    (
        "/courses/<slug>/quiz/attempts/<int:attempt_id>",
        "GET",
        "/courses/mini/quiz/attempts/{attempt}",
        None,
        expect(
            anonymous=LOGIN,
            classmate=MISSING,
            official=MISSING,
            other_trainer=MISSING,
            trainer=MISSING,
            province_admin=MISSING,
        ),
    ),
    ("/courses/<slug>/practical", "GET", "/courses/mini/practical", None, SIGNED_IN),
    ("/join/<code>", "POST", "/join/{code}", None, SIGNED_IN),
    (
        "/submissions/<int:submission_id>/photos/<int:index>",
        "GET",
        "/submissions/{submission}/photos/0",
        None,
        PHOTO,
    ),
    ("/teach", "GET", "/teach", None, STAFF),
    ("/teach/preview", "POST", "/teach/preview", {"text": "x"}, STAFF),
    ("/teach/courses/new", "GET", "/teach/courses/new", None, STAFF),
    ("/teach/classes", "GET", "/teach/classes", None, STAFF),
    ("/teach/classes/new", "GET", "/teach/classes/new", None, STAFF),
    ("/teach/reviews", "GET", "/teach/reviews", None, STAFF),
    ("/teach/courses/<slug>", "GET", "/teach/courses/mini", None, OWNER),
    ("/teach/courses/<slug>/edit", "GET", "/teach/courses/mini/edit", None, OWNER),
    (
        "/teach/courses/<slug>/publish",
        "POST",
        "/teach/courses/mini/publish",
        None,
        OWNER,
    ),
    (
        "/teach/courses/<slug>/unpublish",
        "POST",
        "/teach/courses/mini/unpublish",
        None,
        OWNER,
    ),
    (
        "/teach/courses/<slug>/editors",
        "POST",
        "/teach/courses/mini/editors",
        {"phone": "0912000003"},
        OWNER,
    ),
    (
        "/teach/courses/<slug>/export.zip",
        "GET",
        "/teach/courses/mini/export.zip",
        None,
        OWNER,
    ),
    (
        "/teach/courses/<slug>/images",
        "POST",
        "/teach/courses/mini/images",
        {"alt": "x", "image": "JPEG"},
        OWNER,
    ),
    (
        "/teach/courses/<slug>/lessons/new",
        "GET",
        "/teach/courses/mini/lessons/new",
        None,
        OWNER,
    ),
    (
        "/teach/courses/<slug>/lessons/<lesson_slug>/edit",
        "GET",
        "/teach/courses/mini/lessons/first/edit",
        None,
        OWNER,
    ),
    (
        "/teach/courses/<slug>/lessons/<lesson_slug>/move",
        "POST",
        "/teach/courses/mini/lessons/second/move",
        {"direction": "up"},
        OWNER,
    ),
    (
        "/teach/courses/<slug>/lessons/<lesson_slug>/archive",
        "POST",
        "/teach/courses/mini/lessons/third/archive",
        None,
        OWNER,
    ),
    (
        "/teach/courses/<slug>/lessons/<lesson_slug>/audio/<language>",
        "POST",
        "/teach/courses/mini/lessons/first/audio/vi",
        None,
        OWNER,
    ),
    (
        "/teach/courses/<slug>/lessons/<lesson_slug>/audio/<language>/remove",
        "POST",
        "/teach/courses/mini/lessons/first/audio/vi/remove",
        None,
        OWNER,
    ),
    ("/teach/courses/<slug>/quiz", "GET", "/teach/courses/mini/quiz", None, OWNER),
    (
        "/teach/courses/<slug>/quiz/questions/new",
        "GET",
        "/teach/courses/mini/quiz/questions/new",
        None,
        OWNER,
    ),
    (
        "/teach/courses/<slug>/quiz/questions/<question_id>",
        "GET",
        "/teach/courses/mini/quiz/questions/sprayed",
        None,
        OWNER,
    ),
    (
        "/teach/courses/<slug>/quiz/questions/<question_id>/delete",
        "POST",
        "/teach/courses/mini/quiz/questions/before-live/delete",
        None,
        OWNER,
    ),
    (
        "/teach/courses/<slug>/assignment",
        "GET",
        "/teach/courses/mini/assignment",
        None,
        OWNER,
    ),
    (
        "/teach/classes/<int:class_id>",
        "GET",
        "/teach/classes/{class}",
        None,
        CLASS_OWNER,
    ),
    (
        "/teach/classes/<int:class_id>/qr.svg",
        "GET",
        "/teach/classes/{class}/qr.svg",
        None,
        CLASS_OWNER,
    ),
    (
        "/teach/classes/<int:class_id>/roster.csv",
        "POST",
        "/teach/classes/{class}/roster.csv",
        None,
        CLASS_OWNER,
    ),
    (
        "/teach/classes/<int:class_id>/close",
        "POST",
        "/teach/classes/{class}/close",
        None,
        CLASS_OWNER,
    ),
    (
        "/teach/classes/<int:class_id>/open",
        "POST",
        "/teach/classes/{class}/open",
        None,
        CLASS_OWNER,
    ),
    (
        "/teach/classes/<int:class_id>/register",
        "POST",
        "/teach/classes/{class}/register",
        {"file": "CSV"},
        CLASS_OWNER,
    ),
    (
        "/teach/learners/<int:user_id>/reset-code",
        "POST",
        "/teach/learners/{learner}/reset-code",
        None,
        CLASS_OWNER,
    ),
    (
        "/teach/reviews/<int:submission_id>",
        "GET",
        "/teach/reviews/{submission}",
        None,
        CLASS_OWNER,
    ),
    ("/verify", "GET", "/verify", None, PUBLIC),
    ("/verify/<code>", "GET", "/verify/{certificate}", None, PUBLIC),
    (
        "/certificates/<code>.pdf",
        "GET",
        "/certificates/{certificate}.pdf",
        None,
        PUBLIC,
    ),
    ("/clubs", "GET", "/clubs", None, PUBLIC),
    ("/clubs/<code>", "GET", "/clubs/koc", None, PUBLIC),
    ("/me/certificates", "GET", "/me/certificates", None, SIGNED_IN),
    ("/me/profile", "GET", "/me/profile", None, SIGNED_IN),
    ("/me/password", "GET", "/me/password", None, SIGNED_IN),
    ("/admin", "GET", "/admin", None, ADMIN),
    ("/admin/certificates", "GET", "/admin/certificates?q={certificate}", None, ADMIN),
    (
        "/admin/certificates/<code>/revoke",
        "POST",
        "/admin/certificates/{certificate}/revoke",
        {"reason": "Thử"},
        IN_P,
    ),
    (
        "/admin/certificates/<code>/reinstate",
        "POST",
        "/admin/certificates/{certificate}/reinstate",
        {"reason": "Thử"},
        IN_P,
    ),
    ("/admin/clubs/<code>", "GET", "/admin/clubs/koc", None, SITE_ADMIN),
    ("/admin/issuers", "GET", "/admin/issuers", None, ADMIN),
    ("/admin/issuers/<int:area_id>", "GET", "/admin/issuers/{province}", None, IN_P),
    ("/badges/issuer", "GET", "/badges/issuer", None, PUBLIC),
    ("/badges/issuers/<code>", "GET", "/badges/issuers/Q", None, PUBLIC),
    (
        "/badges/issuers/<code>/classes/<slug>",
        "GET",
        "/badges/issuers/P/classes/mini",
        None,
        PUBLIC,
    ),
    ("/data-saver", "POST", "/data-saver", {"on": "1"}, PUBLIC),
    ("/sw.js", "GET", "/sw.js", None, PUBLIC),
    ("/manifest.webmanifest", "GET", "/manifest.webmanifest", None, PUBLIC),
    ("/offline", "GET", "/offline", None, PUBLIC),
    ("/tools/cost-per-box", "GET", "/tools/cost-per-box", None, PUBLIC),
    ("/api/v1/openapi.json", "GET", "/api/v1/openapi.json", None, PUBLIC),
    (
        "/api/v1/courses/<slug>/offline",
        "GET",
        "/api/v1/courses/mini/offline",
        None,
        SIGNED_IN,
    ),
    (
        "/api/v1/progress/sync",
        "POST",
        "/api/v1/progress/sync",
        {"events": "JSON"},
        SIGNED_IN,
    ),
    ("/badges/classes/<slug>", "GET", "/badges/classes/mini", None, PUBLIC),
    ("/badges/classes/<slug>.png", "GET", "/badges/classes/club-koc.png", None, PUBLIC),
    (
        "/badges/assertions/<path:code>",
        "GET",
        "/badges/assertions/{certificate}",
        None,
        PUBLIC,
    ),
    (
        "/badges/recipients/<recipient_id>",
        "GET",
        "/badges/recipients/{recipient}",
        None,
        PUBLIC,
    ),
    (
        "/certificates/<path:code>/badge.png",
        "GET",
        "/certificates/{certificate}/badge.png",
        None,
        PUBLIC,
    ),
    ("/reports", "GET", "/reports?area={area_a}", None, REPORT_OF_A),
    ("/reports/learners", "GET", "/reports/learners?area={area_a}", None, REPORT_OF_A),
    (
        "/reports/export.<any(csv, xlsx):fmt>",
        "POST",
        "/reports/export.xlsx?area={area_a}",
        None,
        REPORT_OF_A,
    ),
    (
        "/reports/learners.<any(csv, xlsx):fmt>",
        "POST",
        "/reports/learners.csv?area={area_a}",
        None,
        REPORT_OF_A,
    ),
    ("/reports/tokens", "GET", "/reports/tokens", None, REPORT),
    ("/jobs/<int:job_id>", "GET", "/jobs/{job}", None, OWN_JOB),
    ("/jobs/<int:job_id>/download", "GET", "/jobs/{job}/download", None, OWN_JOB),
    ("/admin/users", "GET", "/admin/users?q=Learner", None, ADMIN),
    ("/admin/users/<int:user_id>", "GET", "/admin/users/{learner}", None, IN_P),
    (
        "/reports/tokens/<int:token_id>/revoke",
        "POST",
        "/reports/tokens/{token}/revoke",
        None,
        OWN_TOKEN,
    ),
    *[
        (
            f"/api/v1/reports/{part}",
            "GET",
            f"/api/v1/reports/{part}?area={{area_a}}",
            None,
            REPORT_OF_A,
        )
        for part in ("overview", "areas", "courses", "trend")
    ],
]


def test_every_route_is_in_the_matrix(app):
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = {(rule, method) for rule, method, *_ in MATRIX}
    # Form pages are covered by their GET; their POST goes through the same checks.
    posts_of_forms = {
        (rule, "POST") for rule, method, *_ in MATRIX if method == "GET"
    } & routes
    assert routes - covered - posts_of_forms == set()


@pytest.fixture
def as_role(as_role, app, people):
    """Also Q's admin and the national official, with province Q loaded."""
    import_areas(b"code,name,kind,parent_code\nQ,Q,province,\nQ-A,A,commune,Q\n")
    app.config["LMS_PROVINCES"] = "P, Q"
    for key, (phone, role, area) in EXTRA_PEOPLE.items():
        make_user(phone=phone, name=key.title(), role=role, area=area)
    db.session.commit()

    def client(role):
        if role not in EXTRA_PEOPLE:
            return as_role(role)
        browser = app.test_client()
        sign_in(browser, phone=EXTRA_PEOPLE[role][0])
        return browser

    return client


@pytest.fixture
def world(app, classroom, people):
    """Objects owned by someone: the trainer's course and class, the learner's work."""
    course = classroom.courses[0]
    # A trainer of the other commune: neither the learner's class nor their area.
    people["other_trainer"].area = db.session.scalar(
        sa.select(Area).where(Area.code == "P-B")
    )
    save_assignment(course, "Làm thử", None, [("Đủ sáng", None)], True, 3)
    attempt = submit_quiz(
        people["learner"], course.quiz, {"sprayed": ["a"], "before-live": ["a"]}
    )
    submission = submit(
        people["learner"],
        course.assignment,
        None,
        [jpeg()],
        "",
        app.config["LMS_UPLOAD_DIR"],
    )
    db.session.commit()
    lesson_html = course.lessons[0].html_vi
    questions = list(course.quiz.questions)
    koc = Club(code="koc", name_vi="CLB KOC", courses=[course])
    db.session.add(koc)
    certificate = Certificate(
        code=new_code(), user_id=people["learner"].id, course_id=course.id
    )
    db.session.add(certificate)
    db.session.flush()
    card = Certificate(
        code=new_code(),
        user_id=people["learner"].id,
        club_id=koc.id,
        period=1,
        expires_at=utcnow() + timedelta(days=10),
    )
    db.session.add(card)
    token, _ = create_token(people["official"], "Bảng điều khiển")
    job = Job(
        user_id=people["official"].id,
        kind="report",
        format="csv",
        params={"filters": {"period": 30}},
        status="done",
        finished_at=utcnow(),
        expires_at=utcnow() + timedelta(hours=1),
    )
    db.session.add(job)
    db.session.commit()

    def restore():
        """Undo what one role's request changed, so the next role meets the same."""
        db.session.expire_all()
        for lesson in course.lessons:
            lesson.archived_at = None
        course.quiz.questions = list(questions)
        certificate.revoked_at = certificate.revoked_reason = None
        db.session.commit()

    return {
        "restore": restore,
        "certificate": certificate.code,
        "recipient": people["learner"].badge_recipient_id,
        "card": card.code,
        "code": classroom.join_code,
        "class": classroom.id,
        "attempt": attempt.id,
        "submission": submission.id,
        "learner": people["learner"].id,
        "media": lesson_html.split('src="')[1].split('"')[0],
        "area_a": classroom.area_id,
        "province": db.session.scalar(sa.select(Area.id).where(Area.code == "P")),
        "token": token.id,
        "job": job.id,
    }


def outcome(response):
    if response.status_code == 403:
        return DENY
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return LOGIN
    if response.status_code == 401:  # the JSON API's "sign in first"
        return LOGIN
    assert response.status_code < 500, response.status_code
    return ALLOW if response.status_code not in (401, 404) else MISSING


@pytest.mark.parametrize(
    ("rule", "method", "url", "data", "expected"),
    MATRIX,
    ids=[f"{method} {rule}" for rule, method, *_ in MATRIX],
)
def test_route_as_every_role(as_role, world, rule, method, url, data, expected):
    url = url.format(**world)
    seen = {}
    for role in ROLES:
        client = as_role(role)
        payload = dict(data or {})
        if payload.get("image") == "JPEG":
            payload["image"] = (jpeg(), "a.jpg")
        if payload.get("file") == "CSV":
            import io

            payload["file"] = (io.BytesIO(b"name,phone,area\n"), "f.csv")
        if payload.get("events") == "JSON":
            payload = None  # an empty JSON body: refused as malformed, never a 5xx
        with client.open(url, method=method, data=payload) as response:
            seen[role] = outcome(response)
        world["restore"]()
    assert seen == expected


def test_nobody_raises_their_own_role_through_a_form(as_role, people):
    learner = as_role("learner")
    learner.post("/language", data={"lang": "en", "role": "admin"})
    learner.post("/signup", data={"role": "admin"})
    as_role("trainer").post(
        "/teach/courses/new",
        data={
            "title_vi": "Khoá mới",
            "minutes": 10,
            "role": "admin",
            "owner_id": 1,
        },
    )
    roles = dict(db.session.execute(sa.text("select phone, role from user")).all())
    assert roles["+84912000001"] == "learner" and roles["+84912000002"] == "trainer"
