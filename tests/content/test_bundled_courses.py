"""The courses shipped in courses/ import cleanly and meet the content brief."""

import re
import unicodedata
from pathlib import Path

import pytest

from lms.content.parse import parse_courses

COURSES = Path(__file__).parent.parent.parent / "courses"
SLUGS = [
    "livestream-selling",
    "packaging-design",
    "scene-and-camera",
    "delivery-payment-returns",
]
# A worked sum in an explanation: "288.000 : 6", "18 × 40.000", "6,4 − 0,6".
SUM = re.compile(r"\d ?[×:−÷] ?\d")
# The shape of every lesson (CONTENT.md), in this order, in both languages.
HEADINGS = {
    "vi": [
        "Học xong bài này, anh chị làm được gì",
        "Vì sao quan trọng",
        "Cách làm",
        "Danh sách kiểm tra",
        "Lỗi hay gặp",
        "Thử ngay",
    ],
    "en": [
        "What you will be able to do",
        "Why it matters",
        "How to do it",
        "Checklist",
        "Common mistakes",
        "Try it now",
    ],
}


@pytest.fixture(scope="module")
def courses():
    return {course.slug: course for course in parse_courses(COURSES)}


def test_four_courses_in_order(courses):
    ordered = sorted(courses.values(), key=lambda c: c.position)
    assert [c.slug for c in ordered] == SLUGS
    assert courses["livestream-selling"].clubs == ["koc", "kol"]
    assert courses["delivery-payment-returns"].title_vi == (
        "Giao hàng, thanh toán và đổi trả"
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_course_has_six_lessons_in_both_languages_and_a_real_quiz(courses, slug):
    course = courses[slug]
    assert course.title_en and course.summary_en
    assert len(course.lessons) >= 6
    for lesson in course.lessons:
        assert lesson.title_en and lesson.body_en, lesson.slug
        words = len(re.findall(r"\w+", lesson.body_vi))
        assert 250 <= words <= 700, (lesson.slug, words)
        assert unicodedata.is_normalized("NFC", lesson.body_vi)
    questions = course.quiz["questions"]
    assert len(questions) >= 8
    for question in questions:
        assert (
            question["en"] and question["explanation_vi"] and question["explanation_en"]
        )
        assert any(choice["correct"] for choice in question["choices"])
    assert course.assignment["rubric"]


@pytest.mark.parametrize("slug", SLUGS)
def test_every_lesson_has_the_same_headings_and_a_review_date(courses, slug):
    for lesson in courses[slug].lessons:
        for language, body in (("vi", lesson.body_vi), ("en", lesson.body_en)):
            headings = re.findall(r"^## (.+)$", body, re.MULTILINE)
            assert headings == HEADINGS[language], (lesson.slug, language)
        assert lesson.reviewed is not None, lesson.slug


def test_lessons_that_state_a_law_say_what_it_rests_on(courses):
    law = {
        (course.slug, lesson.slug): lesson.sources
        for course in courses.values()
        for lesson in course.lessons
        if lesson.law
    }
    assert {
        ("packaging-design", "cost-per-box"),
        ("packaging-design", "label-essentials"),
        ("packaging-design", "traceability-codes"),
        ("livestream-selling", "after-sale-and-honest-claims"),
        ("livestream-selling", "honest-selling-and-disclosure"),
        ("delivery-payment-returns", "damage-returns-and-disputes"),
        ("delivery-payment-returns", "protect-buyers-data"),
    } <= law.keys()
    for sources in law.values():
        assert sources and all(s["url"].startswith("https://") for s in sources)


@pytest.mark.parametrize(
    "slug", ["livestream-selling", "packaging-design", "delivery-payment-returns"]
)
def test_quizzes_ask_for_sums_and_the_answer_is_not_always_first(courses, slug):
    questions = courses[slug].quiz["questions"]
    sums = [q for q in questions if SUM.search(q["explanation_vi"])]
    assert len(sums) >= 2
    positions = {
        index
        for q in questions
        for index, choice in enumerate(q["choices"])
        if choice["correct"]
    }
    assert len(positions) >= 3


def diagram_labels(course, ref):
    svg = (COURSES / course.folder.name / ref).read_text(encoding="utf-8")
    return svg, re.findall(r"<text[^>]*>([^<]+)</text>", svg)


VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.I)


def test_each_language_shows_diagrams_labelled_in_it(courses):
    """A diagram in an English lesson has English labels only, and one in a
    Vietnamese lesson has Vietnamese labels; each is small enough for a phone."""
    seen = 0
    for course in courses.values():
        for lesson in course.lessons:
            for language, body in (("vi", lesson.body_vi), ("en", lesson.body_en)):
                for ref in re.findall(r"\]\((images/[^)]+\.svg)\)", body):
                    seen += 1
                    svg, labels = diagram_labels(course, ref)
                    assert len(svg.encode()) <= 8_000 and "viewBox" in svg, ref
                    words = [t for t in labels if re.search(r"[^\W\d_]", t)]
                    vietnamese = [t for t in words if VIETNAMESE_LETTERS.search(t)]
                    if language == "en":
                        assert not vietnamese, (lesson.slug, ref, vietnamese)
                    elif words:
                        assert vietnamese, (lesson.slug, ref)
    assert seen >= 12  # packing, light, phone height and framing, in both languages
