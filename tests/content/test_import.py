"""Importing course files: idempotent, keyed by slugs, one transaction."""

import shutil

import pytest
import sqlalchemy as sa

from lms.content.importer import import_courses
from lms.content.parse import ContentError
from lms.extensions import db
from lms.models import Course, Lesson, LessonProgress, Quiz
from lms.services.learning import complete_lesson
from tests.conftest import FIXTURES, count, make_user


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
