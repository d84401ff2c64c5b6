"""Exporting a course writes files the importer reads back to the same course."""

import io
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.clock import utcnow
from lms.content.export import export_course, export_course_zip
from lms.content.importer import image_urls, import_courses, rewrite_image_refs
from lms.content.parse import parse_courses
from lms.extensions import db
from lms.models import Course
from tests.conftest import FIXTURES
from tests.content.samples import write_assignment

COURSES = Path(__file__).parent.parent.parent / "courses"
COURSE_FIELDS = (
    "slug",
    "position",
    "minutes",
    "clubs",
    "status",
    "title_vi",
    "title_en",
    "summary_vi",
    "summary_en",
    "archived_at",
)
LESSON_FIELDS = (
    "slug",
    "position",
    "minutes",
    "title_vi",
    "title_en",
    "body_vi",
    "body_en",
    "html_vi",
    "html_en",
    "reviewed_on",
    "sources",
    "law",
)
QUIZ_FIELDS = ("pass_mark", "questions", "archived_at")
ASSIGNMENT_FIELDS = (
    "instructions_vi",
    "instructions_en",
    "rubric",
    "accepts_link",
    "max_photos",
    "archived_at",
)


def run_import(app, directory):
    counts = import_courses(directory, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    return counts


def find_course(slug="mini"):
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))


def fields(obj, names):
    return None if obj is None else {name: getattr(obj, name) for name in names}


def snapshot(slug="mini"):
    """What a learner can see of a course, as plain values to compare."""
    course = find_course(slug)
    return {
        "course": fields(course, COURSE_FIELDS),
        "lessons": [fields(lesson, LESSON_FIELDS) for lesson in course.active_lessons],
        "quiz": fields(course.quiz, QUIZ_FIELDS),
        "assignment": fields(course.assignment, ASSIGNMENT_FIELDS),
    }


def export(app, target, slug="mini"):
    return export_course(find_course(slug), target, app.config["LMS_UPLOAD_DIR"])


@contextmanager
def fresh_app(config, tmp_path):
    """A second app on its own empty database and upload folder."""
    other = create_app(
        config
        | {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
            "LMS_UPLOAD_DIR": str(tmp_path / "fresh-uploads"),
        }
    )
    with other.app_context():
        db.create_all()
        try:
            yield other
        finally:
            db.session.rollback()
            db.drop_all()
            db.engine.dispose()


@pytest.fixture
def full_mini(app, course_dir):
    """The mini course with an assignment, imported."""
    write_assignment(course_dir / "mini")
    run_import(app, course_dir)
    return find_course()


def test_round_trip_into_a_fresh_database(app, config, full_mini, tmp_path):
    folder = export(app, tmp_path / "export")
    assert folder == tmp_path / "export" / "mini"
    original = snapshot()
    assert original["assignment"] and original["quiz"]
    with fresh_app(config, tmp_path) as other:
        assert run_import(other, folder.parent) == {"created": 1}
        copy = snapshot()
        src = copy["lessons"][0]["html_vi"].split('src="')[1].split('"')[0]
        served = Path(other.config["LMS_UPLOAD_DIR"]) / src.removeprefix("/media/")
        diagram = (FIXTURES / "courses/mini/images/diagram.svg").read_bytes()
        assert served.read_bytes() == diagram
    assert copy["course"] == original["course"]
    for copied, lesson in zip(copy["lessons"], original["lessons"], strict=True):
        assert copied == lesson
    assert copy["quiz"] == original["quiz"]
    assert copy["assignment"] == original["assignment"]


def test_reimporting_the_export_changes_nothing(app, full_mini, tmp_path):
    before = snapshot()
    versions = [lesson.version for lesson in full_mini.lessons]
    folder = export(app, tmp_path / "export")
    assert run_import(app, folder) == {"unchanged": 1}
    assert snapshot() == before
    assert [lesson.version for lesson in full_mini.lessons] == versions


def test_export_writes_the_documented_format(app, full_mini, tmp_path):
    folder = export(app, tmp_path / "export")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "01-first.en.md",
        "01-first.md",
        "02-second.md",
        "03-third.md",
        "assignment.yaml",
        "course.md",
        "images",
        f"images/{image_name(full_mini)}",
        "quiz.yaml",
    ]
    course_md = (folder / "course.md").read_text(encoding="utf-8")
    assert course_md.startswith("---\nslug: mini\norder: 1\nminutes: 20\nclubs:\n")
    keys = [line.split(":")[0] for line in course_md.split("\n") if line[:1].isalpha()]
    assert keys == ["slug", "order", "minutes", "clubs", "status", "title", "summary"]
    assert "status: published" in course_md
    assert (
        (folder / "02-second.md")
        .read_text(encoding="utf-8")
        .startswith("---\ntitle: Bài hai\nminutes: 7\n---\n\nBài hai có **chữ đậm**")
    )
    quiz = (folder / "quiz.yaml").read_text(encoding="utf-8")
    assert quiz.count("correct: true") == 3 and "correct: false" not in quiz
    assignment = (folder / "assignment.yaml").read_text(encoding="utf-8")
    assert "  vi: |-\n    Quay một đoạn video" in assignment  # a block, not "\n"
    assert "  - id: honest-claims\n    vi: Nói thật về cách chăm vườn\n" in assignment
    assert "hand_in:\n  link: true\n  photos: 3\n" in assignment


def image_name(course):
    src = course.lessons[0].html_vi.split('src="')[1].split('"')[0]
    return src.rsplit("/", 1)[1]


def test_archived_lessons_quiz_and_assignment_are_left_out(app, full_mini, tmp_path):
    full_mini.lessons[1].archived_at = utcnow()
    full_mini.quiz.archived_at = utcnow()
    full_mini.assignment.archived_at = utcnow()
    db.session.commit()
    folder = export(app, tmp_path / "export")
    assert sorted(p.name for p in folder.glob("*.*")) == [
        "01-first.en.md",
        "01-first.md",
        "03-third.md",
        "course.md",
    ]
    assert run_import(app, folder) == {"unchanged": 1}


def test_a_quiz_without_questions_is_left_out(app, full_mini, tmp_path):
    full_mini.quiz.questions = []
    db.session.commit()
    folder = export(app, tmp_path / "export")
    assert not (folder / "quiz.yaml").exists()
    assert (folder / "assignment.yaml").exists()


def test_uploaded_images_are_copied_into_the_folder(app, mini_course, tmp_path):
    uploads = Path(app.config["LMS_UPLOAD_DIR"])
    for folder, data in [
        ("lessons", b"RIFF a photo of a box"),
        ("content", b"RIFF another box"),
        ("submissions", b"RIFF a learner's photo"),
    ]:
        (uploads / folder).mkdir(parents=True, exist_ok=True)
        (uploads / folder / "box.webp").write_bytes(data)
    lesson = mini_course.lessons[2]
    lesson.body_vi += (
        "\n![Thùng vải](/media/lessons/box.webp)\n"
        "![Thùng khác](/media/content/box.webp) ![Lần nữa](/media/lessons/box.webp)\n"
        "![Không còn](/media/lessons/gone.webp) [tệp](/media/lessons/box.webp)\n"
        "![Ảnh của học viên](/media/submissions/box.webp)\n"
        "![Lối tắt](/media/lessons/../submissions/box.webp)\n"
    )
    db.session.commit()

    folder = export(app, tmp_path / "export")
    assert sorted(p.name for p in (folder / "images").iterdir()) == sorted(
        ["box-2.webp", "box.webp", image_name(mini_course)]
    )
    assert (folder / "images/box.webp").read_bytes() == b"RIFF a photo of a box"
    assert (folder / "images/box-2.webp").read_bytes() == b"RIFF another box"
    body = (folder / "03-third.md").read_text(encoding="utf-8")
    assert "![Thùng vải](images/box.webp)" in body
    assert "![Thùng khác](images/box-2.webp) ![Lần nữa](images/box.webp)" in body
    # Left alone: a missing file, a link (only images travel with the course),
    # and anything outside the public folders.
    assert (
        "![Không còn](/media/lessons/gone.webp) [tệp](/media/lessons/box.webp)" in body
    )
    assert "![Ảnh của học viên](/media/submissions/box.webp)" in body
    assert "![Lối tắt](/media/lessons/../submissions/box.webp)" in body


def test_export_of_an_uploaded_image_imports_as_course_content(
    app, mini_course, tmp_path
):
    uploads = Path(app.config["LMS_UPLOAD_DIR"])
    (uploads / "lessons").mkdir(parents=True)
    (uploads / "lessons" / "box.webp").write_bytes(b"RIFF a box")
    mini_course.lessons[2].body_vi = "Xem ảnh.\n\n![Thùng](/media/lessons/box.webp)\n"
    db.session.commit()
    folder = export(app, tmp_path / "export")
    assert run_import(app, folder) == {"updated": 1}
    body = find_course().lessons[2].body_vi
    src = body.split("](")[1].rstrip(")\n")
    assert src.startswith("/media/content/") and src.endswith(".webp")
    assert (uploads / src.removeprefix("/media/")).read_bytes() == b"RIFF a box"
    assert run_import(app, folder) == {"unchanged": 1}


def test_export_refuses_a_folder_that_is_not_empty(app, mini_course, tmp_path):
    (tmp_path / "export" / "mini").mkdir(parents=True)
    (tmp_path / "export" / "mini" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        export(app, tmp_path / "export")
    assert [p.name for p in (tmp_path / "export" / "mini").iterdir()] == ["notes.txt"]
    (tmp_path / "export" / "mini" / "notes.txt").unlink()
    assert export(app, tmp_path / "export").is_dir()  # an empty folder is fine


def test_tricky_texts_survive_the_round_trip(app, config, full_mini, tmp_path):
    tricky = [
        "yes",
        "123",
        "a: b # not a comment",
        "'quoted' and \"double\"",
        "- looks like a list",
        "first line\n  indented line\n\nlast line",
        "line with trailing spaces   \nnext",
        "tab\there, and a colon at the end:",
        "Bà con hỏi: “vải có ngọt không?”",
    ]
    questions = list(full_mini.quiz.questions)
    questions[0] = questions[0] | {"vi": tricky[0], "explanation_en": tricky[5]}
    choices = questions[0]["choices"]
    questions[0]["choices"] = [
        choice | {"vi": text}
        for choice, text in zip(choices, tricky[: len(choices)], strict=True)
    ]
    questions[1] = questions[1] | {"en": tricky[6], "explanation_vi": tricky[7]}
    full_mini.quiz.questions = questions
    full_mini.assignment.instructions_en = tricky[-1]
    full_mini.title_en = tricky[2]
    full_mini.summary_vi = tricky[5]
    full_mini.summary_en = "Above a rule\n---\nand below it"
    full_mini.lessons[0].title_vi = tricky[3]
    full_mini.lessons[1].title_en = tricky[4]
    full_mini.lessons[1].body_en = "- yes\n- 123\n"
    db.session.commit()
    original = snapshot()
    folder = export(app, tmp_path / "export")
    with fresh_app(config, tmp_path) as other:
        run_import(other, folder)
        copy = snapshot()
    for part in ("course", "quiz", "assignment"):
        assert copy[part] == original[part], part
    for name in ("title_vi", "title_en", "body_vi", "body_en", "minutes"):
        assert [lesson[name] for lesson in copy["lessons"]] == [
            lesson[name] for lesson in original["lessons"]
        ], name


def test_zip_holds_the_course_folder(app, full_mini, tmp_path):
    data = export_course_zip(full_mini, app.config["LMS_UPLOAD_DIR"])
    assert data == export_course_zip(full_mini, app.config["LMS_UPLOAD_DIR"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert all(name.startswith("mini/") for name in names)
        assert "mini/course.md" in names and "mini/assignment.yaml" in names
        archive.extractall(tmp_path / "unzipped")
    assert run_import(app, tmp_path / "unzipped") == {"unchanged": 1}


def comparable(data):
    """A parsed course with bodies as the importer stores them."""
    urls = image_urls(data.images)

    def served(body):
        return rewrite_image_refs(body, urls) if body else body

    return {
        "course": {name: getattr(data, name) for name in COURSE_FIELDS[:-1]},
        "lessons": [
            (
                lesson.slug,
                lesson.position,
                lesson.minutes,
                lesson.title_vi,
                lesson.title_en,
                served(lesson.body_vi),
                served(lesson.body_en),
                lesson.reviewed,
                lesson.sources,
                lesson.law,
            )
            for lesson in data.lessons
        ],
        "quiz": data.quiz,
        "assignment": data.assignment,
    }


def test_bundled_courses_round_trip(app, tmp_path):
    run_import(app, COURSES)
    originals = {data.slug: data for data in parse_courses(COURSES)}
    for slug in originals:
        export(app, tmp_path / "export", slug)
    exported = {data.slug: data for data in parse_courses(tmp_path / "export")}
    assert exported.keys() == originals.keys()
    for slug, data in originals.items():
        assert comparable(exported[slug]) == comparable(data), slug
    assert run_import(app, tmp_path / "export") == {"unchanged": 4}


def test_cli_exports_and_refuses_a_folder_that_is_not_empty(app, mini_course, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "out"
    result = runner.invoke(args=["lms", "export-course", "mini", str(target)])
    assert result.exit_code == 0, result.output
    assert f"exported to {target / 'mini'}" in result.output
    assert (target / "mini" / "course.md").is_file()

    before = sorted(p.name for p in (target / "mini").iterdir())
    result = runner.invoke(args=["lms", "export-course", "mini", str(target)])
    assert result.exit_code == 1
    assert f"{target / 'mini'} is not empty" in result.output
    assert sorted(p.name for p in (target / "mini").iterdir()) == before


def test_cli_says_when_the_course_does_not_exist(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "export-course", "nope", str(tmp_path)])
    assert result.exit_code == 1
    assert "no course has the slug nope" in result.output
    assert not (tmp_path / "nope").exists()


def test_cli_export_has_help(app):
    result = app.test_cli_runner().invoke(args=["lms", "export-course", "--help"])
    assert result.exit_code == 0
    assert "DIRECTORY/SLUG/" in result.output
