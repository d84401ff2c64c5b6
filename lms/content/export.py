"""Write a course from the database as a courses/ folder the importer reads back."""

import errno
import io
import re
import shutil
import tempfile
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import yaml

from lms.content.importer import rewrite_image_refs
from lms.content.parse import IMAGE_REF, IMAGE_TYPES
from lms.content.voice import export_recordings

# An image the app serves: /media/<folder>/<file>, with no way out of the folder.
MEDIA_REF = re.compile(r"^/media/([A-Za-z0-9_-]+)/([A-Za-z0-9][A-Za-z0-9._-]*)$")
# The folders /media/ shows to anyone (lms/views/core.py): imported course images
# and the editor's lesson images. Learners' photos must never leave with a course.
PUBLIC_MEDIA = ("content", "lessons")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same course gives the same bytes


def export_course(course, target_dir, upload_dir):
    """Write ``course`` into ``target_dir``/<slug>/ in the courses/ format.

    Only what learners can see now is written: active lessons, and the quiz
    (unless archived or empty) and the assignment (unless archived). Public
    images the lessons show from ``upload_dir`` are copied into images/ and the
    text points at them there.

    :return: the course folder.
    :raise FileExistsError: the folder exists and is not empty.
    """
    folder = Path(target_dir) / course.slug
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(errno.ENOTEMPTY, "the folder is not empty", str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    images = _ImageCopier(Path(upload_dir), folder / "images")
    _write(folder / "course.md", _front_matter(_course_meta(course)))
    for lesson in course.active_lessons:
        stem = f"{lesson.position:02d}-{lesson.slug}"
        meta = {"title": lesson.title_vi, "minutes": lesson.minutes}
        meta.update(_review_meta(lesson))
        _write(folder / f"{stem}.md", _lesson(meta, images.localise(lesson.body_vi)))
        if lesson.body_en and lesson.body_en.strip():
            meta = {"title": lesson.title_en or lesson.title_vi}
            body_en = images.localise(lesson.body_en)
            _write(folder / f"{stem}.en.md", _lesson(meta, body_en))
        export_recordings(lesson, folder, stem, upload_dir)
    quiz = course.quiz
    # An empty quiz (opened in the editor, no question yet) has no file form.
    if quiz is not None and quiz.archived_at is None and quiz.questions:
        _write(folder / "quiz.yaml", _yaml(_quiz(course.quiz)))
    if course.assignment is not None and course.assignment.archived_at is None:
        _write(folder / "assignment.yaml", _yaml(_assignment(course.assignment)))
    return folder


def export_course_zip(course, upload_dir):
    """Return ``course`` exported as a zip holding one folder named by its slug."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        folder = export_course(course, tmp, upload_dir)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo(path.relative_to(tmp).as_posix(), ZIP_DATE)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


class _ImageCopier:
    """Copy served images into the course's images/ folder, each file once."""

    def __init__(self, upload_dir, images_dir):
        self.upload_dir = upload_dir
        self.images_dir = images_dir
        self.names = {}  # source file -> name under images/

    def localise(self, text):
        """Point the text's /media/... images at copies under images/."""
        text = _nfc(text)
        new_refs = {}
        for match in IMAGE_REF.finditer(text):
            name = self._copy(match.group(2))
            if name:
                new_refs[match.group(2)] = f"images/{name}"
        return rewrite_image_refs(text, new_refs)

    def _copy(self, ref):
        match = MEDIA_REF.match(ref)
        if not match or match.group(1) not in PUBLIC_MEDIA:
            return None  # elsewhere, already a course file, or not public
        source = self.upload_dir / match.group(1) / match.group(2)
        inside = source.resolve().is_relative_to(self.upload_dir.resolve())
        if not (inside and source.is_file() and source.suffix.lower() in IMAGE_TYPES):
            return None  # left as it is: the importer will say it is missing
        if source not in self.names:
            name = _free_name(match.group(2), set(self.names.values()))
            self.images_dir.mkdir(exist_ok=True)
            shutil.copyfile(source, self.images_dir / name)
            self.names[source] = name
        return self.names[source]


def _free_name(name, taken):
    """``name``, or ``stem-2.ext`` and so on when two folders share a file name."""
    stem, dot, suffix = name.rpartition(".")
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}{dot}{suffix}", n + 1
    return candidate


def _course_meta(course):
    return {
        "slug": course.slug,
        "order": course.position,
        "minutes": course.minutes,
        "clubs": list(course.clubs or []),
        "status": course.status,
        "title": _texts(course.title_vi, course.title_en),
        "summary": _texts(course.summary_vi, course.summary_en),
    }


def _review_meta(lesson):
    """The lesson's review front matter, only the keys it has."""
    meta = {}
    if lesson.reviewed_on:
        meta["reviewed"] = lesson.reviewed_on
    if lesson.law:
        meta["law"] = True
    if lesson.sources:
        meta["sources"] = [
            {**source, "date": date.fromisoformat(source["date"])}
            for source in lesson.sources
        ]
    return meta


def _quiz(quiz):
    questions = []
    for question in quiz.questions:
        choices = []
        for choice in question["choices"]:
            written = _texts(choice["vi"], choice.get("en"))
            if choice.get("correct"):
                written["correct"] = True
            choices.append(written)
        questions.append(
            {
                "id": question["id"],
                "question": _texts(question["vi"], question.get("en")),
                "choices": choices,
                "explanation": _texts(
                    question["explanation_vi"], question.get("explanation_en")
                ),
            }
        )
    written = {"pass_mark": quiz.pass_mark}
    if quiz.draw is not None:
        written["draw"] = quiz.draw
    return {**written, "questions": questions}


def _assignment(assignment):
    return {
        "instructions": _texts(assignment.instructions_vi, assignment.instructions_en),
        "rubric": [
            {"id": criterion["id"], **_texts(criterion["vi"], criterion.get("en"))}
            for criterion in assignment.rubric
        ],
        "hand_in": {"link": assignment.accepts_link, "photos": assignment.max_photos},
    }


def _texts(vi, en):
    """``{vi, en}``, leaving out a missing English text."""
    return {"vi": vi, "en": en} if en else {"vi": vi}


def _lesson(meta, body):
    return f"{_front_matter(meta)}\n{body.strip()}\n"


def _front_matter(meta):
    return f"---\n{_yaml(meta)}---\n"


class _Dumper(yaml.SafeDumper):
    """Indent lists under their key, as the examples in courses/README.md do."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_text(dumper, text):
    """Write multi-line text as a block; PyYAML falls back to quotes if it must."""
    lines = text.split("\n")
    if len(lines) == 1:
        style = None
    elif any(line.strip() == "---" for line in lines):
        style = '"'  # one line with \n escapes: a "---" line would end front matter
    else:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def _yaml(data):
    """Dump ``data`` as YAML that loads back to the same values."""
    return yaml.dump(
        _nfc(data),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
        default_flow_style=False,
    )


def _nfc(value):
    """Normalise every text in ``value`` to NFC with Unix line ends."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    return value


def _write(path, text):
    path.write_text(_nfc(text), encoding="utf-8", newline="\n")
