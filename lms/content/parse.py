"""Read a courses/ folder into plain data, or say exactly what is wrong (pure)."""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE = re.compile(r"^(\d+)-(.+?)(\.en)?\.md$")
IMAGE_REF = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".webp", ".svg"}
IMAGE_MAX_BYTES = 1024 * 1024
CLUBS = ("koc", "kol")
STATUSES = ("published", "draft")
WORDS_PER_MINUTE = 180  # unhurried reading on a phone


@dataclass
class Problem:
    """One thing wrong with one file, at a line where it can be told."""

    path: Path
    message: str
    line: int | None = None

    def __str__(self):
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


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
    sources: dict = field(default_factory=dict)  # "vi"/"en" -> file, for messages


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
    images: dict = field(default_factory=dict)  # reference in the text -> file


class _Mapping(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line = None

    def __init__(self):
        super().__init__()
        self.lines = {}


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise _Invalid(_l("keys must be text"), key_node.start_mark.line + 1)
        if key in mapping:
            raise _Invalid(
                _l("the key “%(key)s” appears twice", key=key),
                key_node.start_mark.line + 1,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


class _Invalid(Exception):
    def __init__(self, message, line=None):
        super().__init__(str(message))
        self.message = message
        self.line = line


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
    course_file = folder / "course.md"
    if not course_file.is_file():
        problems.append(Problem(folder, _l("course.md is missing")))
        return None
    before = len(problems)
    meta, body = _front_matter(course_file, problems)
    course = None
    if meta is not None:
        try:
            _only_keys(
                meta,
                {"slug", "order", "minutes", "clubs", "status", "title", "summary"},
            )
            if body.strip():
                raise _Invalid(
                    _l("course.md takes front matter only; put the text in summary"),
                    meta.line,
                )
            title_vi, title_en = _localised(meta, "title")
            summary_vi, summary_en = _localised(meta, "summary")
            clubs = _required(meta, "clubs", list)
            for club in clubs:
                if club not in CLUBS:
                    raise _Invalid(
                        _l("unknown club “%(club)s” (use koc or kol)", club=club),
                        meta.lines["clubs"],
                    )
            status = meta.get("status", "published")
            if status not in STATUSES:
                raise _Invalid(
                    _l("status must be published or draft"), meta.lines["status"]
                )
            course = CourseData(
                folder=folder,
                slug=_slug(meta, "slug"),
                position=_required(meta, "order", int),
                minutes=_positive(meta, "minutes"),
                clubs=list(dict.fromkeys(clubs)),
                status=status,
                title_vi=title_vi,
                title_en=title_en,
                summary_vi=summary_vi,
                summary_en=summary_en,
            )
        except _Invalid as invalid:
            problems.append(Problem(course_file, invalid.message, invalid.line))
    lessons = _parse_lessons(folder, problems)
    quiz = _parse_quiz(folder / "quiz.yaml", problems)
    if course is None or len(problems) > before:
        return None
    course.lessons = lessons
    course.quiz = quiz
    course.images = _images(folder, lessons, problems)
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
        lessons.append(
            LessonData(
                slug=slug,
                position=entry["number"],
                title_vi=vi[0],
                body_vi=vi[1],
                minutes=vi[2],
                title_en=en[0] if en else None,
                body_en=en[1] if en else None,
                sources={lang: entry[lang] for lang in ("vi", "en") if lang in entry},
            )
        )
    if not lessons and not any(p.path.parent == folder for p in problems):
        problems.append(Problem(folder, _l("the course has no lessons")))
    return lessons


def _parse_lesson_file(path, problems):
    meta, body = _front_matter(path, problems)
    if meta is None:
        return None
    try:
        _only_keys(meta, {"title", "minutes"})
        title = _text(meta, "title")
        if not body.strip():
            raise _Invalid(_l("the lesson has no text after the front matter"))
        words = len(body.split())
        minutes = (
            _positive(meta, "minutes")
            if "minutes" in meta
            else max(1, math.ceil(words / WORDS_PER_MINUTE))
        )
    except _Invalid as invalid:
        problems.append(Problem(path, invalid.message, invalid.line))
        return None
    return title, body.strip() + "\n", minutes


def _parse_quiz(path, problems):
    if not path.is_file():
        return None
    text = _read(path, problems)
    if text is None:
        return None
    try:
        data = _yaml(text)
        if not isinstance(data, _Mapping):
            raise _Invalid(
                _l("quiz.yaml must be a mapping with pass_mark and questions")
            )
        _only_keys(data, {"pass_mark", "questions"})
        pass_mark = _required(data, "pass_mark", int)
        if not 1 <= pass_mark <= 100:
            raise _Invalid(
                _l("pass_mark is a percentage from 1 to 100"), data.lines["pass_mark"]
            )
        raw_questions = _required(data, "questions", list)
        if not raw_questions:
            raise _Invalid(_l("the quiz has no questions"), data.lines["questions"])
        questions, ids = [], set()
        for raw in raw_questions:
            question = _question(raw, data.lines["questions"])
            if question["id"] in ids:
                raise _Invalid(
                    _l("the question id “%(id)s” is used twice", id=question["id"]),
                    raw.line,
                )
            ids.add(question["id"])
            questions.append(question)
    except _Invalid as invalid:
        problems.append(Problem(path, invalid.message, invalid.line))
        return None
    return {"pass_mark": pass_mark, "questions": questions}


def _question(raw, line):
    if not isinstance(raw, _Mapping):
        raise _Invalid(
            _l("each question is a mapping with id, question, choices"), line
        )
    _only_keys(raw, {"id", "question", "choices", "explanation"})
    question_vi, question_en = _localised(raw, "question")
    explanation_vi, explanation_en = _localised(raw, "explanation")
    raw_choices = _required(raw, "choices", list)
    if not 2 <= len(raw_choices) <= 6:
        raise _Invalid(_l("a question has 2 to 6 choices"), raw.lines["choices"])
    choices = []
    for index, choice in enumerate(raw_choices):
        if not isinstance(choice, _Mapping):
            raise _Invalid(
                _l("each choice is a mapping with vi, en and correct"), raw.line
            )
        _only_keys(choice, {"vi", "en", "correct"})
        correct = choice.get("correct", False)
        if not isinstance(correct, bool):
            raise _Invalid(_l("correct is true or false"), choice.lines["correct"])
        choices.append(
            {
                "id": "abcdef"[index],
                "vi": _text(choice, "vi"),
                "en": _text(choice, "en") if "en" in choice else None,
                "correct": correct,
            }
        )
    if not any(choice["correct"] for choice in choices):
        raise _Invalid(_l("the question has no correct choice"), raw.line)
    return {
        "id": _slug(raw, "id"),
        "vi": question_vi,
        "en": question_en,
        "choices": choices,
        "explanation_vi": explanation_vi,
        "explanation_en": explanation_en,
    }


def _images(folder, lessons, problems):
    images = {}
    for lesson in lessons:
        for source in lesson.sources.values():
            text = _read(source, problems) or ""
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


def _read(path, problems):
    """Read UTF-8 text normalised to NFC, or record where the bad bytes are."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(
            Problem(path, _l("the file is not UTF-8 text (save it as UTF-8)"), line)
        )
        return None
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))


def _front_matter(path, problems):
    """Split a Markdown file into its front matter mapping and its body."""
    text = _read(path, problems)
    if text is None:
        return None, None
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(
            Problem(
                path, _l("the file must start with front matter between --- lines"), 1
            )
        )
        return None, None
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    except StopIteration:
        problems.append(
            Problem(path, _l("the front matter has no closing --- line"), 1)
        )
        return None, None
    try:
        meta = _yaml("\n".join(lines[1:end]), offset=1)
    except _Invalid as invalid:
        problems.append(Problem(path, invalid.message, invalid.line))
        return None, None
    if not isinstance(meta, _Mapping):
        problems.append(
            Problem(path, _l("the front matter must be key: value lines"), 2)
        )
        return None, None
    return meta, "\n".join(lines[end + 1 :])


def _yaml(text, offset=0):
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except _Invalid as invalid:
        invalid.line = invalid.line + offset if invalid.line else None
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise _Invalid(
            _l("this is not valid YAML: %(problem)s", problem=error.problem or ""),
            mark.line + 1 + offset if mark else None,
        ) from None
    if isinstance(data, _Mapping) and offset:
        _shift_lines(data, offset)
    return data


def _shift_lines(value, offset):
    if isinstance(value, _Mapping):
        value.line += offset
        value.lines = {key: line + offset for key, line in value.lines.items()}
        for child in value.values():
            _shift_lines(child, offset)
    elif isinstance(value, list):
        for child in value:
            _shift_lines(child, offset)


def _only_keys(mapping, allowed):
    for key in mapping:
        if key not in allowed:
            raise _Invalid(
                _l(
                    "unknown key “%(key)s” (allowed: %(allowed)s)",
                    key=key,
                    allowed=", ".join(sorted(allowed)),
                ),
                mapping.lines[key],
            )


def _required(mapping, key, kind):
    if key not in mapping or mapping[key] is None:
        raise _Invalid(_l("“%(key)s” is missing", key=key), mapping.line)
    value = mapping[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = {int: _l("a whole number"), list: _l("a list"), str: _l("text")}
        raise _Invalid(
            _l("“%(key)s” must be %(kind)s", key=key, kind=names[kind]),
            mapping.lines[key],
        )
    return value


def _positive(mapping, key):
    value = _required(mapping, key, int)
    if value < 1:
        raise _Invalid(_l("“%(key)s” must be at least 1", key=key), mapping.lines[key])
    return value


def _text(mapping, key):
    value = mapping.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if key in mapping and not isinstance(value, str):
        raise _Invalid(_l("“%(key)s” must be text", key=key), mapping.lines[key])
    if not value or not value.strip():
        raise _Invalid(
            _l("“%(key)s” is missing", key=key), mapping.lines.get(key, mapping.line)
        )
    return value.strip()


def _slug(mapping, key):
    value = _text(mapping, key)
    if not SLUG.match(value) or len(value) > 80:
        raise _Invalid(
            _l(
                "“%(key)s” must be lower-case letters, digits and hyphens",
                key=key,
            ),
            mapping.lines[key],
        )
    return value


def _localised(mapping, key):
    """Read ``key: text`` (Vietnamese) or ``key: {vi: ..., en: ...}``."""
    value = mapping.get(key)
    if isinstance(value, _Mapping):
        _only_keys(value, {"vi", "en"})
        return _text(value, "vi"), (_text(value, "en") if "en" in value else None)
    return _text(mapping, key), None
