"""A lesson's recordings in course files: ``NN-slug.m4a`` and ``NN-slug.en.m4a``."""

import hashlib
import shutil
from pathlib import Path

from lms.content.parse import ContentError, Problem
from lms.services import DomainError
from lms.services.audio import store_audio

AUDIO_FOLDER = "audio"
AUDIO_TYPES = (".m4a", ".mp3", ".ogg", ".webm", ".wav")


def recording_files(lesson_data):
    """{language: path} of the recordings beside the lesson's Vietnamese file."""
    vi = lesson_data.files["vi"]
    stem = vi.name.removesuffix(".md")
    found = {}
    for language, suffix in (("vi", ""), ("en", ".en")):
        for kind in AUDIO_TYPES:
            path = vi.with_name(f"{stem}{suffix}{kind}")
            if path.is_file():
                found[language] = path
                break
    return found


def import_recordings(lesson, lesson_data, upload_dir):
    """Give ``lesson`` the recordings its files have; True when anything changed.

    A file already imported (or exported from this lesson) is not encoded again.
    A lesson without a recording file keeps the one recorded in the browser.
    """
    audio = dict(lesson.audio or {})
    changed = False
    for language, path in recording_files(lesson_data).items():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        current = audio.get(language) or {}
        if digest in (current.get("source"), current.get("sha256")):
            continue
        try:
            with open(path, "rb") as file:
                stored = store_audio(file, Path(upload_dir) / AUDIO_FOLDER)
        except DomainError as error:
            raise ContentError([Problem(path, error.message)]) from error
        audio[language] = dict(stored.as_dict(), source=digest)
        changed = True
    if changed:
        lesson.audio = audio
    return changed


def export_recordings(lesson, folder, stem, upload_dir):
    """Copy the lesson's recordings beside its Markdown files."""
    for language, audio in (lesson.audio or {}).items():
        source = Path(upload_dir) / AUDIO_FOLDER / audio["name"]
        if source.is_file():
            suffix = "" if language == "vi" else f".{language}"
            shutil.copyfile(source, Path(folder) / f"{stem}{suffix}.m4a")
