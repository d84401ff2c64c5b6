"""Read a courses/ folder into plain data, or say exactly what is wrong (pure)."""

import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l

from lms.content.assignment import parse_assignment
from lms.content.fields import (
    SLUG,
    Invalid,
    Problem,
    front_matter,
    localised_field,
    only_keys,
    positive,
    read_text,
    required,
    slug_field,
    text_field,
)
from lms.content.quiz import parse_quiz
from lms.content.quiz_checks import position_warning
from lms.content.render import markdown_problem
from lms.content.review import REVIEW_KEYS, check_law_sources, review_fields

LESSON_FILE = re.compile(r"^(\d+)-(.+?)(\.en)?\.md$")
IMAGE_REF = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".webp", ".svg"}
IMAGE_MAX_BYTES = 1024 * 1024
CLUBS = ("koc", "kol")
STATUSES = ("published", "draft")
WORDS_PER_MINUTE = 180  # unhurried reading on a phone


class ContentError(Exception):
    """The content cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class LessonData:
    slug: str
    position: int
    title_vi: str
    body_vi: str
    minutes: int
    title_en: str | None = None
    body_en: str | None = None
    files: dict = field(default_factory=dict)  # "vi"/"en" -> file, for messages
    reviewed: date | None = None
    sources: list = field(default_factory=list)  # [{title, issuer, date, url}]
    law: bool = False


@dataclass
class CourseData:
    folder: Path
    slug: str
    position: int
    minutes: int
    clubs: list
    status: str
    title_vi: str
    title_en: str | None
    summary_vi: str
    summary_en: str | None
    lessons: list = field(default_factory=list)
    quiz: dict | None = None
    assignment: dict | None = None
    images: dict = field(default_factory=dict)  # reference in the text -> file
    warnings: list = field(default_factory=list)  # Problems that do not refuse


def parse_courses(root):
    """Parse every course folder under ``root``; ContentError lists all problems."""
    root = Path(root)
    problems = []
    if not root.is_dir():
        raise ContentError([Problem(root, _l("no such folder"))])
    folders = sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )
    if (root / "course.md").is_file():  # a single course's folder
        folders = [root]
    courses = []
    for folder in folders:
        course = _parse_course(folder, problems)
        if course:
            courses.append(course)
    seen = {}
    for course in courses:
        if course.slug in seen:
            problems.append(
                Problem(
                    course.folder / "course.md",
                    _l(
                        "the course slug “%(slug)s” is already used by %(other)s",
                        slug=course.slug,
                        other=seen[course.slug].name,
                    ),
                )
            )
        seen[course.slug] = course.folder
    if problems:
        raise ContentError(problems)
    return courses


def _parse_course(folder, problems):
    # Imported here: assignment.py builds on this module's YAML helpers.
    course_file = folder / "course.md"
    if not course_file.is_file():
        problems.append(Problem(folder, _l("course.md is missing")))
        return None
    before = len(problems)
    meta, body = front_matter(course_file, problems)
    course = None
    if meta is not None:
        try:
            only_keys(
                meta,
                {"slug", "order", "minutes", "clubs", "status", "title", "summary"},
            )
            if body.strip():
                raise Invalid(
                    _l("course.md takes front matter only; put the text in summary"),
                    meta.line,
                )
            title_vi, title_en = localised_field(meta, "title")
            summary_vi, summary_en = localised_field(meta, "summary")
            clubs = required(meta, "clubs", list)
            for club in clubs:
                if club not in CLUBS:
                    raise Invalid(
                        _l("unknown club “%(club)s” (use koc or kol)", club=club),
                        meta.lines["clubs"],
                    )
            status = meta.get("status", "published")
            if status not in STATUSES:
                raise Invalid(
                    _l("status must be published or draft"), meta.lines["status"]
                )
            course = CourseData(
                folder=folder,
                slug=slug_field(meta, "slug"),
                position=required(meta, "order", int),
                minutes=positive(meta, "minutes"),
                clubs=list(dict.fromkeys(clubs)),
                status=status,
                title_vi=title_vi,
                title_en=title_en,
                summary_vi=summary_vi,
                summary_en=summary_en,
            )
        except Invalid as invalid:
            problems.append(Problem(course_file, invalid.message, invalid.line))
    lessons = _parse_lessons(folder, problems)
    quiz = parse_quiz(folder / "quiz.yaml", problems)
    assignment = parse_assignment(folder / "assignment.yaml", problems)
    if course is None or len(problems) > before:
        return None
    course.lessons = lessons
    course.quiz = quiz
    course.assignment = assignment
    course.images = _images(folder, lessons, problems)
    warning = quiz and position_warning(quiz["questions"])
    if warning:
        course.warnings.append(Problem(folder / "quiz.yaml", warning))
    return course


def _parse_lessons(folder, problems):
    by_slug = {}
    for path in sorted(folder.glob("*.md")):
        if path.name == "course.md":
            continue
        match = LESSON_FILE.match(path.name)
        if not match or not SLUG.match(match.group(2)):
            problems.append(
                Problem(
                    path,
                    _l(
                        "a lesson file is named NN-slug.md (digits, then lower-case "
                        "letters, digits and hyphens)"
                    ),
                )
            )
            continue
        number, slug, english = int(match.group(1)), match.group(2), match.group(3)
        entry = by_slug.setdefault(slug, {"number": number})
        if entry["number"] != number:
            problems.append(
                Problem(
                    path,
                    _l("the lesson slug “%(slug)s” is used twice", slug=slug),
                )
            )
            continue
        entry["en" if english else "vi"] = path
    lessons = []
    for slug, entry in sorted(by_slug.items(), key=lambda item: item[1]["number"]):
        if "vi" not in entry:
            problems.append(
                Problem(entry["en"], _l("the Vietnamese lesson file is missing"))
            )
            continue
        vi = _parse_lesson_file(entry["vi"], problems)
        en = _parse_lesson_file(entry["en"], problems) if "en" in entry else None
        if vi is None or ("en" in entry and en is None):
            continue
        if not check_law_sources(entry, vi[3], problems):
            continue
        lessons.append(
            LessonData(
                slug=slug,
                position=entry["number"],
                title_vi=vi[0],
                body_vi=vi[1],
                minutes=vi[2],
                title_en=en[0] if en else None,
                body_en=en[1] if en else None,
                files={lang: entry[lang] for lang in ("vi", "en") if lang in entry},
                **vi[3],
            )
        )
    if not lessons and not any(p.path.parent == folder for p in problems):
        problems.append(Problem(folder, _l("the course has no lessons")))
    return lessons


def _parse_lesson_file(path, problems):
    """(title, body, minutes, review fields); review keys only in the Vietnamese."""
    meta, body = front_matter(path, problems)
    if meta is None:
        return None
    english = path.name.endswith(".en.md")
    try:
        only_keys(meta, {"title", "minutes"} | (set() if english else REVIEW_KEYS))
        review = {} if english else review_fields(meta)
        title = text_field(meta, "title")
        if not body.strip():
            raise Invalid(_l("the lesson has no text after the front matter"))
        if (problem := markdown_problem(body)) is not None:
            raise Invalid(problem)
        words = len(body.split())
        minutes = (
            positive(meta, "minutes")
            if "minutes" in meta
            else max(1, math.ceil(words / WORDS_PER_MINUTE))
        )
    except Invalid as invalid:
        problems.append(Problem(path, invalid.message, invalid.line))
        return None
    return title, body.strip() + "\n", minutes, review


def _images(folder, lessons, problems):
    images = {}
    for lesson in lessons:
        for source in lesson.files.values():
            text = read_text(source, problems) or ""
            for number, line in enumerate(text.split("\n"), 1):
                for alt, ref in IMAGE_REF.findall(line):
                    message = _image_problem(folder, alt, ref)
                    if message:
                        problems.append(Problem(source, message, number))
                    elif not re.match(r"^[a-z]+:", ref, re.IGNORECASE):
                        images[ref] = folder / ref
    return images


def _image_problem(folder, alt, ref):
    """Say what is wrong with one image reference, or None."""
    if not alt.strip():
        return _l("the image %(ref)s has no alt text", ref=ref)
    if re.match(r"^[a-z]+:", ref, re.IGNORECASE):
        return None  # a full URL: the renderer's allowlist decides
    path = (folder / ref).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return _l("the image %(ref)s does not exist", ref=ref)
    if path.suffix.lower() not in IMAGE_TYPES:
        return _l("the image %(ref)s is not PNG, JPEG, WebP or SVG", ref=ref)
    if path.stat().st_size > IMAGE_MAX_BYTES:
        return _l("the image %(ref)s is over 1 MB", ref=ref)
    return None
