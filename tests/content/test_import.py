"""Importing course files: idempotent, keyed by slugs, one transaction."""

import shutil

import pytest
import sqlalchemy as sa

from lms.content.importer import import_courses, rewrite_image_refs
from lms.content.parse import ContentError
from lms.extensions import db
from lms.models import (
    Assignment,
    Certificate,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Quiz,
)
from lms.services.learning import complete_lesson, submit_quiz
from tests.conftest import FIXTURES, count, make_user
from tests.content.samples import ASSIGNMENT, write_assignment
from tests.helpers import RIGHT


def run_import(app, directory):
    counts = import_courses(directory, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    return counts


def lessons(course_slug="mini"):
    return db.session.scalars(
        sa.select(Lesson)
        .join(Course)
        .where(Course.slug == course_slug)
        .order_by(Lesson.position)
    ).all()


def test_import_twice_changes_nothing(app, course_dir):
    assert run_import(app, course_dir)["created"] == 1
    before = [(lesson.id, lesson.updated_at, lesson.html_vi) for lesson in lessons()]
    counts = run_import(app, course_dir)
    assert counts == {"unchanged": 1}
    assert [
        (lesson.id, lesson.updated_at, lesson.html_vi) for lesson in lessons()
    ] == before
    assert count(Course) == 1 and count(Lesson) == 3 and count(Quiz) == 1


def test_editing_a_lesson_updates_it_in_place(app, course_dir):
    run_import(app, course_dir)
    first_id = lessons()[0].id
    path = course_dir / "mini" / "01-first.md"
    path.write_text(path.read_text().replace("Đây là bài một.", "Bài một đã sửa."))
    assert run_import(app, course_dir)["updated"] == 1
    first = lessons()[0]
    assert first.id == first_id
    assert "Bài một đã sửa." in first.html_vi


def test_removed_lesson_is_archived_and_progress_survives(app, course_dir):
    run_import(app, course_dir)
    learner = make_user()
    second = lessons()[1]
    complete_lesson(learner, second)
    db.session.commit()

    (course_dir / "mini" / "02-second.md").unlink()
    counts = run_import(app, course_dir)
    assert counts["lessons archived"] == 1
    db.session.refresh(second)
    assert second.archived_at is not None
    assert [lesson.slug for lesson in second.course.active_lessons] == [
        "first",
        "third",
    ]
    assert count(LessonProgress) == 1

    # Put the file back (renumbered): the same lesson returns with its progress.
    shutil.copy(
        FIXTURES / "courses/mini/02-second.md", course_dir / "mini/05-second.md"
    )
    run_import(app, course_dir)
    db.session.refresh(second)
    assert second.archived_at is None and second.position == 5
    assert db.session.scalar(sa.select(LessonProgress.lesson_id)) == second.id


def test_one_bad_course_means_nothing_is_imported(app, tmp_path):
    directory = tmp_path / "all"
    shutil.copytree(FIXTURES / "courses/mini", directory / "mini")
    shutil.copytree(FIXTURES / "bad-courses/missing-title/mini", directory / "other")
    (directory / "other/course.md").write_text(
        (directory / "other/course.md").read_text().replace("slug: mini", "slug: other")
    )
    with pytest.raises(ContentError):
        run_import(app, directory)
    db.session.rollback()
    assert count(Course) == 0 and count(Lesson) == 0


def test_failed_reimport_keeps_the_previous_content(app, course_dir):
    run_import(app, course_dir)
    before = [lesson.html_vi for lesson in lessons()]
    (course_dir / "mini" / "01-first.md").write_text("no front matter\n")
    with pytest.raises(ContentError):
        run_import(app, course_dir)
    db.session.rollback()
    assert [lesson.html_vi for lesson in lessons()] == before


def test_lesson_html_is_sanitised(app, course_dir):
    run_import(app, course_dir)
    html = lessons()[1].html_vi
    assert "<strong>chữ đậm</strong>" in html
    assert "<script" not in html and "alert" not in html
    assert "javascript:" not in html and "onclick" not in html and "<iframe" not in html
    assert 'href="https://example.org"' in html


def test_images_are_copied_and_served(app, client, course_dir):
    run_import(app, course_dir)
    html = lessons()[0].html_vi
    src = html.split('src="')[1].split('"')[0]
    assert src.startswith("/media/content/") and src.endswith(".svg")
    with client.get(src) as response:
        assert response.status_code == 200
        assert (
            response.data == (FIXTURES / "courses/mini/images/diagram.svg").read_bytes()
        )
        assert "sandbox" in response.headers["Content-Security-Policy"]
    assert 'loading="lazy"' in html


def test_a_lesson_removed_from_the_files_finishes_the_course_of_who_did_the_rest(
    app, course_dir
):
    run_import(app, course_dir)
    learner = make_user()
    course = db.session.scalar(sa.select(Course).where(Course.slug == "mini"))
    for lesson in lessons()[:2]:
        complete_lesson(learner, lesson)
    submit_quiz(learner, course.quiz, RIGHT)
    db.session.commit()
    (course_dir / "mini" / "03-third.md").unlink()
    run_import(app, course_dir)
    enrollment = db.session.scalar(sa.select(Enrollment))
    assert enrollment.completed_at is not None
    assert count(Certificate) == 1


def test_quiz_removed_from_files_is_archived(app, course_dir):
    run_import(app, course_dir)
    (course_dir / "mini" / "quiz.yaml").unlink()
    run_import(app, course_dir)
    assert db.session.scalar(sa.select(Quiz)).archived_at is not None


def test_cli_reports_problems_and_exits_non_zero(app, tmp_path):
    runner = app.test_cli_runner()
    bad = FIXTURES / "bad-courses" / "unknown-front-matter-key"
    result = runner.invoke(args=["lms", "import-courses", str(bad)])
    assert result.exit_code == 1
    assert f"{bad / 'mini' / 'course.md'}:5:" in result.output
    assert "author" in result.output
    assert count(Course) == 0


def test_cli_imports_and_says_what_changed(app, course_dir):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "import-courses", str(course_dir)])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    result = runner.invoke(args=["lms", "import-courses", str(course_dir)])
    assert "1 unchanged" in result.output


def test_assignment_is_imported_archived_and_restored(app, course_dir):
    write_assignment(course_dir / "mini")
    run_import(app, course_dir)
    assignment = db.session.scalar(sa.select(Assignment))
    assert assignment.course.slug == "mini" and assignment.archived_at is None
    assert {name: getattr(assignment, name) for name in ASSIGNMENT} == ASSIGNMENT
    updated_at = assignment.updated_at
    assert run_import(app, course_dir) == {"unchanged": 1}
    assert assignment.updated_at == updated_at

    (course_dir / "mini" / "assignment.yaml").unlink()
    assert run_import(app, course_dir) == {"updated": 1}
    assert assignment.archived_at is not None
    assert run_import(app, course_dir) == {"unchanged": 1}

    write_assignment(course_dir / "mini")
    assert run_import(app, course_dir) == {"updated": 1}
    assert assignment.archived_at is None
    assert count(Assignment) == 1


def test_editing_the_assignment_updates_it_in_place(app, course_dir):
    write_assignment(course_dir / "mini")
    run_import(app, course_dir)
    first_id = db.session.scalar(sa.select(Assignment.id))
    path = course_dir / "mini" / "assignment.yaml"
    path.write_text(path.read_text().replace("photos: 3", "photos: 1"))
    assert run_import(app, course_dir) == {"updated": 1}
    assignment = db.session.scalar(sa.select(Assignment))
    assert assignment.id == first_id and assignment.max_photos == 1


def test_stored_body_points_at_the_served_image(app, course_dir):
    run_import(app, course_dir)
    first = lessons()[0]
    src = first.html_vi.split('src="')[1].split('"')[0]
    assert src.startswith("/media/content/")
    assert f"![Sơ đồ đặt điện thoại]({src})" in first.body_vi
    assert f"![Phone placement diagram]({src})" in first.body_en
    assert "images/diagram.svg" not in first.body_vi + first.body_en
    assert lessons()[1].body_vi.startswith("Bài hai có **chữ đậm**")


def test_rewrite_image_refs_changes_only_the_mapped_references():
    text = (
        '![a](images/a.png) ![b](<images/b.png> "B")\n'
        "[a link](images/a.png) ![c](https://example.org/c.png) ![d](images/d.png)\n"
    )
    rewritten = rewrite_image_refs(
        text, {"images/a.png": "/media/content/1.png", "images/b.png": "/media/x.png"}
    )
    assert rewritten == (
        '![a](/media/content/1.png) ![b](</media/x.png> "B")\n'
        "[a link](images/a.png) ![c](https://example.org/c.png) ![d](images/d.png)\n"
    )
