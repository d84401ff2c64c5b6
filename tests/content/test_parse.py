"""Every malformed course is refused with the file, the line and the reason."""

from pathlib import Path

import pytest

from lms.content.parse import ContentError, parse_courses
from tests.content.samples import ASSIGNMENT, write_assignment

BAD = Path(__file__).parent.parent / "fixtures" / "bad-courses"

# case folder -> (file inside it, line or None, words the message must contain)
CASES = {
    "missing-title": ("mini/02-second.md", 2, "“title” is missing"),
    "duplicate-lesson-slug": ("mini/04-first.md", None, "“first” is used twice"),
    "duplicate-course-slug": ("mini-copy/course.md", None, "“mini” is already used"),
    "quiz-no-correct-answer": ("mini/quiz.yaml", 3, "no correct choice"),
    "unknown-front-matter-key": ("mini/course.md", 5, "unknown key “author”"),
    "bad-encoding": ("mini/03-third.md", 2, "not UTF-8"),
    "invalid-yaml": ("mini/quiz.yaml", 14, "not valid YAML"),
    "no-front-matter": ("mini/03-third.md", 1, "must start with front matter"),
    "english-without-vietnamese": ("mini/04-extra.en.md", None, "Vietnamese lesson"),
    "missing-image": ("mini/03-third.md", 7, "images/missing.png does not exist"),
    "image-without-alt": ("mini/03-third.md", 7, "has no alt text"),
    "bad-lesson-filename": ("mini/Lesson Four.md", None, "NN-slug.md"),
    "missing-course-file": ("mini", None, "course.md is missing"),
    "empty-lesson": ("mini/03-third.md", None, "no text after the front matter"),
    "unknown-club": ("mini/course.md", 5, "unknown club “vip”"),
    "too-few-choices": ("mini/quiz.yaml", 7, "2 to 6 choices"),
    "duplicate-question-id": ("mini/quiz.yaml", 16, "“sprayed” is used twice"),
    "pass-mark-out-of-range": ("mini/quiz.yaml", 1, "from 1 to 100"),
    "assignment-unknown-key": ("mini/assignment.yaml", 15, "unknown key “deadline”"),
    "assignment-missing-instructions": (
        "mini/assignment.yaml",
        1,
        "“instructions” is missing",
    ),
    "assignment-duplicate-rubric-id": (
        "mini/assignment.yaml",
        10,
        "rubric id “clear-light” is used twice",
    ),
    "assignment-empty-rubric": ("mini/assignment.yaml", 6, "1 to 6 criteria"),
    "assignment-photos-out-of-range": ("mini/assignment.yaml", 14, "from 0 to 3"),
    "assignment-link-not-bool": ("mini/assignment.yaml", 13, "link is true or false"),
    "assignment-nothing-to-hand-in": (
        "mini/assignment.yaml",
        12,
        "nothing can be handed in",
    ),
    "assignment-invalid-yaml": ("mini/assignment.yaml", 14, "not valid YAML"),
    "assignment-bad-encoding": ("mini/assignment.yaml", 11, "not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_course_names_file_line_and_problem(case):
    path, line, words = CASES[case]
    with pytest.raises(ContentError) as raised:
        parse_courses(BAD / case)
    problems = raised.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.path == BAD / case / path
    assert problem.line == line
    assert words in str(problem.message)
    assert str(problem).startswith(
        f"{BAD / case / path}{':' + str(line) if line else ''}: "
    )


def test_every_bad_fixture_has_a_case():
    assert {p.name for p in BAD.iterdir()} == set(CASES)


def test_good_course_parses_with_order_texts_and_quiz():
    (course,) = parse_courses(BAD.parent / "courses")
    assert course.slug == "mini"
    assert [lesson.slug for lesson in course.lessons] == ["first", "second", "third"]
    first, second, _ = course.lessons
    assert (first.title_vi, first.title_en) == ("Bài một", "Lesson one")
    assert second.title_en is None and second.minutes == 7
    assert first.minutes == 1  # computed from a short text
    assert [q["id"] for q in course.quiz["questions"]] == ["sprayed", "before-live"]
    assert course.quiz["questions"][1]["choices"][1] == {
        "id": "b",
        "vi": "Ánh sáng",
        "en": "The light",
        "correct": True,
    }


def test_text_is_normalised_to_nfc(tmp_path):
    import shutil
    import unicodedata

    shutil.copytree(BAD.parent / "courses" / "mini", tmp_path / "mini")
    lesson = tmp_path / "mini" / "03-third.md"
    decomposed = unicodedata.normalize("NFD", "Bài ba - vải thiều")
    lesson.write_text(
        f"---\ntitle: {decomposed}\n---\n\n{decomposed}\n", encoding="utf-8"
    )
    (course,) = parse_courses(tmp_path)
    third = course.lessons[2]
    assert third.title_vi == "Bài ba - vải thiều"
    assert unicodedata.is_normalized("NFC", third.body_vi)


def test_course_without_assignment_file_has_none():
    (course,) = parse_courses(BAD.parent / "courses")
    assert course.assignment is None


def test_assignment_parses_with_rubric_and_hand_in(tmp_path):
    import shutil

    shutil.copytree(BAD.parent / "courses" / "mini", tmp_path / "mini")
    write_assignment(tmp_path / "mini")
    (course,) = parse_courses(tmp_path)
    assert course.assignment == ASSIGNMENT


def test_assignment_may_take_photos_only_and_plain_vietnamese(tmp_path):
    import shutil

    shutil.copytree(BAD.parent / "courses" / "mini", tmp_path / "mini")
    (tmp_path / "mini" / "assignment.yaml").write_text(
        "instructions: Chụp ảnh thùng vải đã đóng.\n"
        "rubric:\n  - id: sealed\n    vi: Thùng kín\n"
        "hand_in:\n  link: false\n  photos: 1\n",
        encoding="utf-8",
    )
    (course,) = parse_courses(tmp_path)
    assert course.assignment == {
        "instructions_vi": "Chụp ảnh thùng vải đã đóng.",
        "instructions_en": None,
        "rubric": [{"id": "sealed", "vi": "Thùng kín", "en": None}],
        "accepts_link": False,
        "max_photos": 1,
    }
