"""quiz.yaml's ``draw`` (N of M questions per attempt) and the warning for right
answers written in one place: imported, exported and read back unchanged."""

import shutil

import pytest
import sqlalchemy as sa

from lms.content.export import export_course
from lms.content.importer import import_courses
from lms.extensions import db
from lms.models import Course
from tests.conftest import FIXTURES


def run(app, *args):
    return app.test_cli_runner().invoke(args=["lms", *args])


def mini_with(tmp_path, quiz_yaml, name="courses"):
    folder = tmp_path / name / "mini"
    shutil.copytree(FIXTURES / "courses" / "mini", folder)
    (folder / "quiz.yaml").write_text(quiz_yaml, encoding="utf-8")
    return folder.parent


def question(qid, right_place, choices=4):
    lines = [
        f"  - id: {qid}",
        "    question:",
        f"      vi: Câu hỏi {qid}?",
        "    choices:",
    ]
    for place in range(choices):
        lines.append(f"      - vi: Lựa chọn {place + 1} của {qid}")
        if place == right_place:
            lines.append("        correct: true")
    lines += ["    explanation:", "      vi: Vì thế.", ""]
    return "\n".join(lines)


def quiz_yaml(right_places, draw=None):
    head = "pass_mark: 60\n" + (f"draw: {draw}\n" if draw is not None else "")
    body = "".join(question(f"q{i}", place) for i, place in enumerate(right_places))
    return head + "questions:\n" + body


def mini_quiz():
    return db.session.scalar(sa.select(Course).where(Course.slug == "mini")).quiz


def test_draw_is_imported_exported_and_read_back_unchanged(app, tmp_path):
    source = mini_with(tmp_path, quiz_yaml([0, 1, 2, 3, 1, 2], draw=4))
    result = run(app, "import-courses", str(source))
    assert result.exit_code == 0, result.output
    assert mini_quiz().draw == 4 and len(mini_quiz().questions) == 6
    export_course(mini_quiz().course, tmp_path / "out", app.config["LMS_UPLOAD_DIR"])
    written = (tmp_path / "out" / "mini" / "quiz.yaml").read_text(encoding="utf-8")
    assert "draw: 4" in written
    again = import_courses(tmp_path / "out", app.config["LMS_UPLOAD_DIR"])
    assert again["unchanged"] == 1 and mini_quiz().draw == 4


def test_a_quiz_without_draw_asks_every_question(app, tmp_path):
    run(app, "import-courses", str(mini_with(tmp_path, quiz_yaml([0, 1, 2]))))
    quiz = mini_quiz()
    assert quiz.draw is None and quiz.questions_per_attempt == 3


@pytest.mark.parametrize(
    "draw, problem",
    [
        (7, "draw hỏi 7 câu mỗi lần làm bài nhưng bài kiểm tra chỉ có 6 câu"),
        (0, "“draw” phải từ 1 trở lên"),
        ("bốn", "“draw” phải là một số nguyên"),
    ],
)
def test_an_impossible_draw_is_refused_with_its_line(app, tmp_path, draw, problem):
    source = mini_with(tmp_path, quiz_yaml([0, 1, 2, 3, 1, 2], draw=draw))
    result = run(app, "import-courses", str(source))
    assert result.exit_code != 0
    assert f"quiz.yaml:2: {problem}" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Course.id))) == 0


def test_right_answers_in_one_place_are_imported_with_a_warning(app, tmp_path):
    source = mini_with(tmp_path, quiz_yaml([0, 0, 0, 0, 0, 0, 1]))
    result = run(app, "import-courses", str(source))
    assert result.exit_code == 0, result.output
    assert "quiz.yaml: Trong 6/7 câu hỏi, đáp án đúng nằm ở lựa chọn thứ 1" in (
        result.output
    )
    assert len(mini_quiz().questions) == 7


def test_right_answers_spread_out_import_without_a_warning(app, tmp_path):
    source = mini_with(tmp_path, quiz_yaml([0, 2, 1, 3, 0, 2, 1]))
    result = run(app, "import-courses", str(source))
    assert result.exit_code == 0 and "warning" not in result.output
