"""The courses shipped in courses/ import cleanly and meet the content brief."""

import re
import unicodedata
from pathlib import Path

import pytest

from lms.content.parse import parse_courses

COURSES = Path(__file__).parent.parent.parent / "courses"


@pytest.fixture(scope="module")
def courses():
    return {course.slug: course for course in parse_courses(COURSES)}


def test_three_courses_in_order(courses):
    ordered = sorted(courses.values(), key=lambda c: c.position)
    assert [c.slug for c in ordered] == [
        "livestream-selling",
        "packaging-design",
        "scene-and-camera",
    ]
    assert courses["livestream-selling"].clubs == ["koc", "kol"]


@pytest.mark.parametrize(
    "slug", ["livestream-selling", "packaging-design", "scene-and-camera"]
)
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
