"""A trainer gives a lesson their voice: upload, listen back, replace, remove."""

import io
import re
from pathlib import Path

import pytest
from flask.testing import EnvironBuilder

from lms.extensions import db
from lms.models import Lesson
from tests.audio_files import INPUTS, decoded, long_wav, recording
from tests.conftest import DATABASES

NOT_AUDIO = (
    "Tệp này không phải bản ghi âm đọc được. Hãy chọn tệp m4a, mp3, ogg, webm hoặc wav."
)
SILENT = "Bản ghi âm không có tiếng. Hãy kiểm tra micrô rồi ghi âm lại."
EDIT = "/teach/courses/mini/lessons/first/edit"
UPLOAD = "/teach/courses/mini/lessons/first/audio/{}"


def upload(client, data, name, language="vi", json=True):
    builder = EnvironBuilder(
        client.application,
        UPLOAD.format(language),
        method="POST",
        data={"audio": (io.BytesIO(data), name)},
        headers={"Accept": "application/json"} if json else {},
    )
    environ = builder.get_environ()
    try:  # a big body is spooled to a temporary file: close it
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def first_lesson():
    return db.session.scalar(db.select(Lesson).where(Lesson.slug == "first"))


def stored_files(app):
    folder = Path(app.config["LMS_UPLOAD_DIR"]) / "audio"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("fmt, codec, name", INPUTS)
def test_every_input_format_becomes_small_even_aac(
    app, as_role, owned_course, fmt, codec, name
):
    trainer = as_role("trainer")
    response = upload(trainer, recording(fmt, codec, seconds=3, silence=1), name)
    assert response.status_code == 200, response.get_json()
    url = response.get_json()["url"]
    [path] = stored_files(app)
    assert re.fullmatch(r"/media/audio/[0-9a-f]{32}\.m4a", url) and url.endswith(
        path.name
    )
    codec_name, profile, channels, seconds, loudness = decoded(path)
    assert (codec_name, profile, channels) == ("aac", "LC", 1)
    # 1 s of silence either side is trimmed to a quarter second.
    assert 3.3 < seconds < 3.8
    assert path.stat().st_size / (seconds / 60) <= 250_000
    assert -23 < loudness < -17
    audio = first_lesson().audio["vi"]
    assert audio["name"] == path.name and audio["bytes"] == path.stat().st_size
    with trainer.get(url) as served:
        assert served.status_code == 200 and served.mimetype == "audio/mp4"


def test_quiet_and_loud_recordings_play_at_the_same_volume(app, as_role, owned_course):
    trainer = as_role("trainer")
    levels = []
    for amplitude in (0.02, 0.8):
        upload(trainer, recording(amplitude=amplitude, silence=0.5), "a.wav")
        levels.append(
            decoded(stored_files(app)[-1] if len(levels) == 0 else _newest(app))[4]
        )
    assert abs(levels[0] - levels[1]) < 2


def _newest(app):
    name = first_lesson().audio["vi"]["name"]
    return Path(app.config["LMS_UPLOAD_DIR"]) / "audio" / name


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"<?php echo 1; ?>" * 100, "bai-1.mp3", NOT_AUDIO),
        (b"", "bai-1.m4a", NOT_AUDIO),
        (recording(amplitude=0.0), "im-lang.wav", SILENT),
        (b"RIFF\xff\xff\xff\xffWAVEfmt " + b"\x00" * 200, "hong.wav", NOT_AUDIO),
        (recording("mp3", "libmp3lame")[:40], "cut-short.mp3", NOT_AUDIO),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "anh.ogg", NOT_AUDIO),
    ],
    ids=[
        "text-named-mp3",
        "zero-length",
        "silent",
        "corrupt-header",
        "cut-short",
        "png",
    ],
)
def test_what_is_not_a_recording_is_refused_and_nothing_stored(
    app, as_role, owned_course, data, name, message
):
    trainer = as_role("trainer")
    response = upload(trainer, data, name)
    assert response.status_code == 400
    assert response.get_json()["error"] == message
    assert first_lesson().audio is None
    assert stored_files(app) == []
    # The same through the plain form: a message on the edit page, in Vietnamese.
    page = trainer.get(
        upload(trainer, data, name, json=False).headers["Location"]
    ).get_data(as_text=True)
    assert message in page
    assert stored_files(app) == []


def test_longer_than_15_minutes_is_refused(app, as_role, owned_course):
    response = upload(as_role("trainer"), long_wav(16), "ca-buoi.wav")
    assert response.status_code == 400
    assert response.get_json()["error"] == (
        "Bản ghi âm dài quá 15 phút. Hãy chia nhỏ bài học hoặc ghi âm ngắn hơn."
    )
    assert stored_files(app) == [] and first_lesson().audio is None


def test_larger_than_the_upload_limit_is_refused(app, as_role, owned_course):
    app.config["MAX_CONTENT_LENGTH"] = 20_000
    response = upload(as_role("trainer"), recording(), "a.wav")
    assert response.status_code == 413
    assert stored_files(app) == [] and first_lesson().audio is None


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_listen_back_replace_and_remove(app, as_role, owned_course):
    trainer = as_role("trainer")
    upload(trainer, recording(), "vi.wav", json=False)
    upload(trainer, recording("ogg", "libopus"), "en.ogg", language="en", json=False)
    first = first_lesson().audio
    page = trainer.get(EDIT).get_data(as_text=True)
    for language in ("vi", "en"):
        assert f'src="/media/audio/{first[language]["name"]}"' in page
    assert "0:04 · 13 KB" in page  # 3.5 s once trimmed, and its size

    response = upload(trainer, recording(seconds=2), "lan-2.wav", json=False)
    assert response.status_code == 303
    replaced = first_lesson().audio
    assert replaced["vi"]["name"] != first["vi"]["name"]
    assert replaced["en"] == first["en"]
    assert first["vi"]["name"] not in trainer.get(EDIT).get_data(as_text=True)

    trainer.post("/teach/courses/mini/lessons/first/audio/vi/remove")
    assert first_lesson().audio == {"en": first["en"]}
    trainer.post("/teach/courses/mini/lessons/first/audio/en/remove")
    assert first_lesson().audio is None
    assert "/media/audio/" not in trainer.get(EDIT).get_data(as_text=True)


def test_only_the_courses_trainers_may_change_its_voice(app, as_role, owned_course):
    for role, status in [("other_trainer", 403), ("learner", 403), (None, 302)]:
        client = as_role(role)
        assert upload(client, recording(), "a.wav").status_code == status
        assert client.post(UPLOAD.format("vi") + "/remove").status_code == status
    assert (
        upload(as_role("trainer"), recording(), "a.wav", language="fr").status_code
        == 404
    )
    assert stored_files(app) == [] and first_lesson().audio is None


def test_the_course_page_shows_which_lessons_have_voice(app, as_role, owned_course):
    trainer = as_role("trainer")
    page = trainer.get("/teach/courses/mini").get_data(as_text=True)
    assert "0/3 bài học đã có giọng đọc." in page
    assert page.count("chưa có giọng đọc") == 3
    upload(trainer, recording(), "a.wav")
    page = trainer.get("/teach/courses/mini").get_data(as_text=True)
    assert "1/3 bài học đã có giọng đọc." in page
    first = page.split('id="lesson-first"')[1].split("</li>")[0]
    assert "có giọng đọc" in first and "chưa có giọng đọc" not in first
    assert page.count("chưa có giọng đọc") == 2
