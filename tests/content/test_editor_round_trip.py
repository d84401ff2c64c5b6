"""Whatever the editor can make survives export and import into an empty database."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.content.export import export_course
from lms.content.parse import ContentError, parse_courses
from lms.extensions import db
from lms.services.authoring import (
    CourseFields,
    create_course,
    ensure_quiz,
    save_assignment,
    save_lesson,
    save_question,
)
from tests.conftest import FIXTURES, make_user
from tests.content.test_export import fresh_app, run_import, snapshot

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "áàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
LETTERS = VIETNAMESE + VIETNAMESE.upper() + "fjwzFJWZ0123456789"
PUNCTUATION = " .,;:!?-–—_()[]{}'\"“”‘’/\\#*&%@+=<>|~`^$…"
ALPHABET = LETTERS + PUNCTUATION


def words(max_size):
    """A line of Vietnamese and English letters, digits and punctuation."""
    return st.text(alphabet=ALPHABET, min_size=1, max_size=max_size).filter(
        lambda text: text.strip()
    )


def optional(strategy):
    return st.one_of(st.just(""), strategy)


paragraphs = st.lists(words(120), min_size=1, max_size=4).map("\n\n".join)
lessons = st.lists(
    st.tuples(words(100), paragraphs, optional(st.tuples(words(100), paragraphs))),
    min_size=1,
    max_size=3,
)
choices = st.lists(
    st.tuples(words(60), optional(words(60)), st.booleans()), min_size=2, max_size=6
).filter(lambda rows: any(correct for *_, correct in rows))
questions = st.lists(
    st.tuples(
        words(120), optional(words(120)), choices, words(120), optional(words(80))
    ),
    min_size=1,
    max_size=3,
)
criteria = st.lists(st.tuples(words(80), optional(words(80))), min_size=1, max_size=6)
courses = st.fixed_dictionaries(
    {
        "title_vi": words(120),
        "title_en": optional(words(120)),
        "summary_vi": words(200),
        "summary_en": optional(words(200)),
        "minutes": st.integers(1, 600),
        "clubs": st.sets(st.sampled_from(["koc", "kol"])).map(tuple),
        "lessons": lessons,
        "questions": questions,
        "pass_mark": st.integers(1, 100),
        "criteria": criteria,
        "instructions": st.tuples(paragraphs, optional(paragraphs)),
        "photos": st.integers(0, 3),
    }
)


def build(owner, spec):
    """Make the course as a trainer would, through the editor's services."""
    fields = {k: spec[k] for k in CourseFields.__dataclass_fields__}
    course = create_course(owner, CourseFields(**fields))
    for title_vi, body_vi, english in spec["lessons"]:
        title_en, body_en = english or ("", "")
        save_lesson(course, None, title_vi, body_vi, title_en, body_en, None)
    quiz = ensure_quiz(course)
    quiz.pass_mark = spec["pass_mark"]
    for text_vi, text_en, rows, explanation_vi, explanation_en in spec["questions"]:
        save_question(
            quiz, None, text_vi, text_en, rows, explanation_vi, explanation_en
        )
    instructions_vi, instructions_en = spec["instructions"]
    photos = spec["photos"]
    save_assignment(
        course, instructions_vi, instructions_en, spec["criteria"], not photos, photos
    )
    db.session.commit()
    return course


def test_every_course_the_editor_makes_imports_back_the_same(app, config):
    owner = make_user(role="trainer")

    @given(spec=courses)
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    def round_trip(spec):
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            course = build(owner, spec)
            original = snapshot(course.slug)
            exported = export_course(course, folder / "export", folder / "uploads")
            try:
                parse_courses(exported.parent)
            except ContentError as error:
                pytest.fail("\n".join(str(p) for p in error.problems))
            with app.app_context(), fresh_app(config, folder) as other:
                assert run_import(other, exported.parent) == {"created": 1}
                copy = snapshot(course.slug)
            copy["course"]["position"] = original["course"]["position"]
            assert copy == original

    round_trip()


ZALO_QUESTION = "Khi khách hỏi giá trên Zalo, bạn nên làm gì? (chọn mọi đáp án đúng)"


def test_a_long_question_title_makes_an_id_that_imports_back(app, config, tmp_path):
    spec = {
        "title_vi": "Bán hàng qua Zalo",
        "title_en": "",
        "summary_vi": "Trả lời khách nhanh và rõ.",
        "summary_en": "",
        "minutes": 20,
        "clubs": ("koc",),
        "lessons": [("Chào khách", "Chào khách bằng tên.", "")],
        "questions": [
            (
                ZALO_QUESTION,
                "",
                [("Báo giá rõ", "", True), ("Im lặng", "", False)],
                "Khách cần biết giá.",
                "",
            )
        ],
        "pass_mark": 50,
        "criteria": [("Trả lời trong 5 phút", "")],
        "instructions": ("Chụp màn hình một cuộc trò chuyện.", ""),
        "photos": 1,
    }
    course = build(make_user(role="trainer"), spec)
    question_id = course.quiz.questions[0]["id"]
    assert question_id == "khi-khach-hoi-gia-tren-zalo-ban-nen-lam"
    exported = export_course(course, tmp_path / "export", tmp_path / "uploads")
    original = snapshot(course.slug)
    with fresh_app(config, tmp_path) as other:
        assert run_import(other, exported.parent) == {"created": 1}
        assert snapshot(course.slug)["quiz"] == original["quiz"]


def quiz_with_id(course_dir, question_id):
    original = (FIXTURES / "courses" / "mini" / "quiz.yaml").read_text()
    quiz = course_dir / "mini" / "quiz.yaml"
    quiz.write_text(original.replace("id: sprayed", f"id: {question_id}"))


def import_problems(app, course_dir):
    from lms.content.importer import import_courses

    with pytest.raises(ContentError) as error:
        import_courses(course_dir, app.config["LMS_UPLOAD_DIR"])
    db.session.rollback()
    return str(error.value)


def test_an_id_made_by_an_earlier_editor_still_imports(app, course_dir):
    """Learners' answers key on question ids, so one ending in "-" keeps working."""
    quiz_with_id(course_dir, "khi-khach-hoi-gia-tren-zalo-ban-nen-lam-")
    assert run_import(app, course_dir) == {"created": 1}


def test_a_wrong_id_is_refused_with_the_rule_it_breaks(app, course_dir):
    quiz_with_id(course_dir, "câu-hỏi-1")
    problems = import_problems(app, course_dir)
    assert "quiz.yaml:3:" in problems
    assert "không dấu" in problems and "“câu-hỏi-1”" in problems
    quiz_with_id(course_dir, "x" * 81)
    assert "81" in import_problems(app, course_dir)
