"""Lessons say when they were checked and what they rest on; stale ones are listed."""

from datetime import date, timedelta

import pytest

from lms.content.export import export_course
from lms.content.importer import import_courses
from lms.content.parse import ContentError, parse_courses
from lms.extensions import db
from lms.models import Course, Lesson
from tests.conftest import DATABASES, sign_in

SOURCE = """\
  - title: Luật Bảo vệ quyền lợi người tiêu dùng số 19/2023/QH15
    issuer: Quốc hội
    date: {day}
    url: https://vanban.chinhphu.vn/example
"""
# Two days ahead: after today wherever in the world the tests run.
AHEAD = (date.today() + timedelta(days=2)).isoformat()


def lesson_file(folder, name="01-first.md", front="", body="Chào bà con."):
    path = folder / "mini" / name
    title = "First" if name.endswith(".en.md") else "Bài một"
    path.write_text(f"---\ntitle: {title}\n{front}---\n\n{body}\n", encoding="utf-8")
    return path


def problems_of(folder):
    with pytest.raises(ContentError) as error:
        parse_courses(folder)
    return [str(problem) for problem in error.value.problems]


def run_import(app, folder):
    counts = import_courses(folder, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    return counts


def lesson(slug="first"):
    return db.session.scalar(db.select(Lesson).where(Lesson.slug == slug))


def test_review_front_matter_is_read(course_dir):
    lesson_file(
        course_dir,
        front="reviewed: 2026-11-20\nlaw: true\nsources:\n"
        + SOURCE.format(day="2024-07-01"),
        body="Người bán từ xa phải cho người mua biết điều kiện đổi trả.",
    )
    first = parse_courses(course_dir)[0].lessons[0]
    assert first.reviewed == date(2026, 11, 20)
    assert first.law is True
    assert first.sources == [
        {
            "title": "Luật Bảo vệ quyền lợi người tiêu dùng số 19/2023/QH15",
            "issuer": "Quốc hội",
            "date": "2024-07-01",
            "url": "https://vanban.chinhphu.vn/example",
        }
    ]


@pytest.mark.parametrize(
    "body, line",
    [
        ("Chào bà con.\n\nTheo Nghị định 117/2025/NĐ-CP, sàn khấu trừ thuế.", 7),
        ("Chào.\n\nCó Luật số 19/2023/QH15 về người tiêu dùng.", 7),
        ("Hi.\n\nThe platform withholds tax (Decree 117/2025).", 7),
        ("Xem văn bản 43/2017/NĐ-CP về nhãn hàng.", 5),
    ],
)
def test_a_legal_reference_without_sources_is_refused(course_dir, body, line):
    name = "01-first.en.md" if body.startswith("Hi") else "01-first.md"
    path = lesson_file(course_dir, name=name, body=body)
    [problem] = problems_of(course_dir)
    assert problem.startswith(f"{path}:{line}: ")
    assert "sources" in problem


def test_a_lesson_marked_law_needs_sources(course_dir):
    path = lesson_file(course_dir, front="law: true\n")
    [problem] = problems_of(course_dir)
    assert problem.startswith(f"{path}:1: ") and "law: true" in problem


def test_ordinary_words_are_not_taken_for_a_law(course_dir):
    lesson_file(course_dir, body="Luật chơi: chốt đơn trong 5 phút. Giảm 10/2 kg.")
    assert parse_courses(course_dir)[0].lessons[0].law is False


@pytest.mark.parametrize(
    "front, line, words",
    [
        ("reviewed: 20/11/2026\n", 3, "YYYY-MM-DD"),
        ("law: yes please\n", 3, "false"),
        ("sources: Quốc hội\n", 3, "title, issuer, date"),
        ("sources:\n  - title: Luật\n    issuer: QH\n    date: 2024-07-01\n", 4, "url"),
        (
            "sources:\n  - title: T\n    issuer: QH\n    date: 2024\n    url: https://a.vn\n",
            6,
            "YYYY-MM-DD",
        ),
        (
            "sources:\n  - title: T\n    issuer: QH\n    date: 2024-07-01\n"
            "    url: a.vn\n",
            7,
            "http",
        ),
        ("sources:\n" + SOURCE.format(day="2024-07-01") + "    page: 3\n", 8, "page"),
        # A check not made yet would keep the lesson off the list due for review.
        (f"reviewed: {AHEAD}\n", 3, "after today"),
    ],
)
def test_bad_review_front_matter_is_pointed_at(course_dir, front, line, words):
    path = lesson_file(course_dir, front=front)
    [problem] = problems_of(course_dir)
    assert problem.startswith(f"{path}:{line}: ") and words in problem


def test_review_keys_belong_in_the_vietnamese_file(course_dir):
    front = "reviewed: 2026-11-20\n"
    path = lesson_file(course_dir, name="01-first.en.md", front=front)
    [problem] = problems_of(course_dir)
    assert problem.startswith(f"{path}:3: ") and "reviewed" in problem


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_review_survives_import_export_and_import_again(app, course_dir, tmp_path):
    lesson_file(
        course_dir,
        front="reviewed: 2026-11-20\nlaw: true\nsources:\n"
        + SOURCE.format(day="2024-07-01"),
        body="Người bán phải nói rõ điều kiện đổi trả.",
    )
    assert run_import(app, course_dir) == {"created": 1}
    stored = lesson()
    assert (stored.reviewed_on, stored.law) == (date(2026, 11, 20), True)
    assert stored.sources[0]["date"] == "2024-07-01"
    course = db.session.scalar(db.select(Course))
    folder = export_course(course, tmp_path / "out", app.config["LMS_UPLOAD_DIR"])
    text = (folder / "01-first.md").read_text(encoding="utf-8")
    assert "reviewed: 2026-11-20\n" in text and "law: true\n" in text
    assert "    date: 2024-07-01\n" in text
    assert run_import(app, folder) == {"unchanged": 1}
    # Removing the review from the file clears it in the database too.
    lesson_file(course_dir, body="Người bán phải nói rõ điều kiện đổi trả.")
    assert run_import(app, course_dir) == {"updated": 1}
    assert (lesson().reviewed_on, lesson().sources, lesson().law) == (None, [], False)


def test_lesson_page_says_when_it_was_updated_and_lists_sources(
    app, client, course_dir, learner
):
    lesson_file(
        course_dir,
        front="reviewed: 2026-11-20\nlaw: true\nsources:\n"
        + SOURCE.format(day="2024-07-01"),
        body="Người bán phải nói rõ điều kiện đổi trả.",
    )
    run_import(app, course_dir)
    sign_in(client)
    page = client.get("/courses/mini/lessons/first").get_data(as_text=True)
    assert "Cập nhật tháng 11 năm 2026" in page
    assert "Luật Bảo vệ quyền lợi người tiêu dùng số 19/2023/QH15</a>" in page
    assert 'href="https://vanban.chinhphu.vn/example"' in page
    assert "Quốc hội, 1 tháng 7, 2024" in page
    client.post("/language", data={"lang": "en"})
    page = client.get("/courses/mini/lessons/first").get_data(as_text=True)
    assert "Updated November 2026" in page and "July 1, 2024" in page
    # A lesson with no review says nothing about it.
    page = client.get("/courses/mini/lessons/second").get_data(as_text=True)
    assert "Updated" not in page and "Sources" not in page


def content_due(app):
    result = app.test_cli_runner().invoke(args=["lms", "content-due"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_content_due_lists_stale_lessons_and_new_rules(app, course_dir):
    today = date.today()
    long_ago = today - timedelta(days=370)
    recent = today - timedelta(days=30)
    lesson_file(course_dir, front=f"reviewed: {long_ago}\n")
    lesson_file(
        course_dir,
        name="02-second.md",
        front=f"reviewed: {recent}\nsources:\n"
        + SOURCE.format(day=today - timedelta(days=1)),
    )
    lesson_file(
        course_dir,
        name="03-third.md",
        front=f"reviewed: {recent}\nsources:\n"
        + SOURCE.format(day=today + timedelta(days=60)),
    )
    run_import(app, course_dir)
    output = content_due(app)
    assert f"mini/first: not reviewed since {long_ago}" in output
    assert "mini/second: Luật Bảo vệ quyền lợi" in output
    assert "came after the review" in output
    assert "mini/third" not in output  # its law is not in force yet
    assert "2 of 3 lessons due for review" in output
    # Reviewed again today: nothing is due.
    for name in ("01-first.md", "02-second.md", "03-third.md"):
        lesson_file(course_dir, name=name, front=f"reviewed: {today}\n")
    run_import(app, course_dir)
    assert "0 of 3 lessons due for review" in content_due(app)


def test_content_due_counts_a_lesson_never_reviewed(app, mini_course):
    output = content_due(app)
    assert "mini/first: never reviewed" in output
    assert "3 of 3 lessons due for review" in output
