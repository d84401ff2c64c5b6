"""Stored XSS: what trainers and farmers write is shown as text, never run."""

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Submission
from lms.services.authoring import save_assignment
from lms.services.learning import complete_lesson
from tests.quiz_pages import fill

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(2)">',
    '<svg onload="alert(3)"><circle r="1"/></svg>',
    '<a href="javascript:alert(4)">bấm vào đây</a>',
    "[bấm](javascript:alert(5))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==">dữ liệu</a>',
    '<iframe src="data:text/html,<script>alert(7)</script>"></iframe>',
    '<p style="width: expression(alert(8))">kiểu</p>',
    '<div style="background:url(javascript:alert(9))">nền</div>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(10)">',
    '"><script>alert(11)</script>',
]
BODY = "Nội dung bài.\n\n" + "\n\n".join(PAYLOADS)


class Markup(HTMLParser):
    """Collect everything in a page that could run a script."""

    def __init__(self):
        super().__init__()
        self.dangers = []

    def handle_starttag(self, tag, attrs):
        if tag in ("svg", "iframe", "object", "embed", "math", "base", "style"):
            self.dangers.append(tag)
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.dangers.append(f"{tag} {name}")
            if name in ("href", "src", "action", "data", "formaction") and (
                value.startswith(("javascript:", "data:text", "vbscript:"))
            ):
                self.dangers.append(f"{tag} {name}={value[:20]}")
            if name == "style" and ("expression" in value or "url(" in value):
                self.dangers.append(f"{tag} style")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.dangers.append("inline script")


def dangers(response):
    assert response.status_code == 200, response.status_code
    parser = Markup()
    parser.feed(response.get_data(as_text=True))
    return parser.dangers


@pytest.fixture
def assignment(classroom):
    assignment = save_assignment(
        classroom.courses[0], "Quay thử.", None, [("Đủ sáng", None)], True, 3
    )
    db.session.commit()
    return assignment


def test_lesson_from_the_editor_shows_no_script(as_role, owned_course, people):
    trainer = as_role("trainer")
    response = trainer.post(
        "/teach/courses/mini/lessons/first/edit",
        data={
            "title_vi": "<script>alert(0)</script>",
            "body_vi": BODY,
            "body_en": BODY,
        },
    )
    assert response.status_code == 302
    learner = as_role("learner")
    learner.post("/courses/mini/enroll")
    for client, url in [
        (learner, "/courses/mini/lessons/first"),
        (learner, "/courses/mini"),
        (trainer, "/teach/courses/mini"),
        (trainer, "/teach/courses/mini/lessons/first/edit"),
    ]:
        assert dangers(client.get(url)) == [], url
    preview = trainer.post("/teach/preview", data={"text": BODY})
    assert dangers(preview) == []


def test_quiz_question_shows_no_script(as_role, owned_course, people):
    trainer = as_role("trainer")
    for payload in PAYLOADS:  # one question each: a choice holds 300 characters
        response = trainer.post(
            "/teach/courses/mini/quiz/questions/new",
            data={
                "text_vi": payload,
                "choices-0-text_vi": payload,
                "choices-0-correct": "y",
                "choices-1-text_vi": "Không",
                "explanation_vi": payload,
            },
        )
        assert response.status_code == 302
    learner = as_role("learner")
    learner.post("/courses/mini/enroll")
    for lesson in owned_course.lessons:
        complete_lesson(people["learner"], lesson)
    db.session.commit()
    assert dangers(learner.get("/courses/mini/quiz")) == []
    assert dangers(trainer.get("/teach/courses/mini/quiz")) == []
    first_choices = {q["id"]: "a" for q in owned_course.quiz.questions}
    result = learner.post(
        "/courses/mini/quiz",
        data=fill(learner, "mini", first_choices),
        follow_redirects=True,
    )
    assert dangers(result) == []


def test_practical_notes_and_feedback_show_no_script(as_role, assignment):
    payload = " ".join(PAYLOADS)
    learner, trainer = as_role("learner"), as_role("trainer")
    sent = learner.post(
        "/courses/mini/practical",
        data={"link": "https://example.com/v/1", "note": payload},
    )
    assert sent.status_code == 302
    submission = db.session.scalar(sa.select(Submission))
    assert dangers(trainer.get(f"/teach/reviews/{submission.id}")) == []
    assert dangers(trainer.get("/teach/reviews")) == []
    reviewed = trainer.post(
        f"/teach/reviews/{submission.id}",
        data={
            "decision": "return",
            "feedback": payload,
            "rubric-du-sang": "needs_work",
        },
    )
    assert reviewed.status_code == 302
    assert dangers(learner.get("/courses/mini/practical")) == []


def test_a_javascript_link_is_refused_as_practical_work(as_role, assignment):
    response = as_role("learner").post(
        "/courses/mini/practical", data={"link": "javascript:alert(1)"}
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0
