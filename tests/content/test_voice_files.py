"""A lesson's recordings travel with it in course files, both ways."""

import hashlib
import io
from pathlib import Path

import pytest

from lms.content.parse import ContentError
from lms.extensions import db
from tests.audio_files import decoded, recording
from tests.content.test_export import (
    export,
    find_course,
    fresh_app,
    run_import,
)
from tests.content.test_export import (
    snapshot as text_snapshot,
)


def voices(slug="mini"):
    return {lesson.slug: lesson.audio for lesson in find_course(slug).active_lessons}


def stored(app, audio):
    return Path(app.config["LMS_UPLOAD_DIR"]) / "audio" / audio["name"]


def test_recordings_beside_the_markdown_are_imported_once(app, course_dir):
    folder = course_dir / "mini"
    (folder / "01-first.mp3").write_bytes(recording("mp3", "libmp3lame"))
    (folder / "01-first.en.m4a").write_bytes(recording("ipod", "aac", seconds=2))
    assert run_import(app, course_dir) == {"created": 1}
    first = voices()["first"]
    assert set(first) == {"vi", "en"} and voices()["second"] is None
    assert decoded(stored(app, first["vi"]))[:3] == ("aac", "LC", 1)
    assert 3.3 < first["vi"]["seconds"] < 3.8 and 2.3 < first["en"]["seconds"] < 2.8
    assert run_import(app, course_dir) == {"unchanged": 1}
    assert voices()["first"] == first  # not encoded again


def test_a_bad_recording_file_stops_the_import_with_its_name(app, course_dir):
    (course_dir / "mini" / "02-second.m4a").write_bytes(b"not audio at all" * 50)
    with pytest.raises(ContentError) as refused:
        run_import(app, course_dir)
    db.session.rollback()
    assert "02-second.m4a" in str(refused.value)
    assert find_course() is None


def test_a_recording_made_in_the_browser_survives_an_import_without_files(
    app, as_role, owned_course, course_dir
):
    as_role("trainer").post(
        "/teach/courses/mini/lessons/first/audio/vi",
        data={"audio": (io.BytesIO(recording()), "a.wav")},
    )
    recorded = voices()["first"]
    assert recorded
    run_import(app, course_dir)
    assert voices()["first"] == recorded


def test_round_trip_keeps_the_recordings(app, config, course_dir, tmp_path):
    (course_dir / "mini" / "01-first.wav").write_bytes(recording())
    run_import(app, course_dir)
    before, text = voices(), text_snapshot()
    folder = export(app, tmp_path / "export")
    exported = folder / "01-first.m4a"
    assert exported.read_bytes() == stored(app, before["first"]["vi"]).read_bytes()
    assert sorted(p.name for p in folder.glob("*.m4a")) == ["01-first.m4a"]
    assert run_import(app, folder) == {"unchanged": 1}
    assert voices() == before
    with fresh_app(config, tmp_path) as other:
        run_import(other, folder.parent)
        copy = voices()["first"]["vi"]
        assert copy["source"] == hashlib.sha256(exported.read_bytes()).hexdigest()
        assert decoded(stored(other, copy))[:3] == ("aac", "LC", 1)
        assert abs(copy["seconds"] - before["first"]["vi"]["seconds"]) < 0.3
        assert text_snapshot() == text
