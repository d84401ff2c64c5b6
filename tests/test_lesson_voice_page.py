"""A farmer listens to the lesson: player, data saver, saving for offline."""

import io

import pytest

from lms.extensions import db
from lms.models import Lesson
from tests.audio_files import recording
from tests.conftest import DATABASES

LESSON = "/courses/mini/lessons/first"


def lesson(slug):
    return db.session.scalar(db.select(Lesson).where(Lesson.slug == slug))


def give_voice(as_role, language="vi", seconds=3):
    response = as_role("trainer").post(
        f"/teach/courses/mini/lessons/first/audio/{language}",
        data={"audio": (io.BytesIO(recording(seconds=seconds)), "a.wav")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    return response.get_json()["url"]


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_a_lesson_with_voice_has_a_player_with_length_and_size(
    app, as_role, owned_course
):
    url = give_voice(as_role)
    farmer = as_role("learner")
    page = farmer.get(LESSON).get_data(as_text=True)
    assert f'src="{url}"' in page and 'preload="metadata"' in page
    assert "Nghe bài học · 0:04 · 13 KB" in page
    assert "/static/js/voice.js" in page
    other = farmer.get("/courses/mini/lessons/second").get_data(as_text=True)
    assert "<audio" not in other and "voice.js" not in other  # no weight without voice
    with farmer.get(url, headers={"Range": "bytes=0-99"}) as part:
        assert part.status_code == 206 and len(part.data) == 100  # seeking works


def test_with_data_saver_the_recording_loads_only_when_tapped(
    app, as_role, owned_course
):
    give_voice(as_role)
    farmer = as_role("learner")
    farmer.post("/data-saver", data={"on": "1", "next": "/me/learning"})
    page = farmer.get(LESSON).get_data(as_text=True)
    assert 'preload="none"' in page and 'preload="metadata"' not in page


def test_english_page_plays_english_voice_or_the_vietnamese_one(
    app, as_role, owned_course
):
    vi = give_voice(as_role)
    farmer = as_role("learner")
    farmer.post("/language", data={"lang": "en", "next": LESSON})
    page = farmer.get(LESSON).get_data(as_text=True)
    assert f'src="{vi}" lang="vi"' in page
    en = give_voice(as_role, "en")
    page = farmer.get(LESSON).get_data(as_text=True)
    assert f'src="{en}"' in page and vi not in page


def test_saving_for_offline_takes_the_recordings_and_counts_them(
    app, as_role, owned_course
):
    farmer = as_role("learner")
    before = farmer.get("/api/v1/courses/mini/offline").get_json()
    vi = give_voice(as_role)
    en = give_voice(as_role, "en", seconds=2)
    after = farmer.get("/api/v1/courses/mini/offline").get_json()
    audio = lesson("first").audio
    assert vi in after["urls"] and en in after["urls"]
    assert any(url.startswith("/static/js/voice.js") for url in after["urls"])
    voice_js = farmer.get(next(u for u in after["urls"] if "voice.js" in u))
    added = audio["vi"]["bytes"] + audio["en"]["bytes"]
    assert after["bytes"] - before["bytes"] >= added
    assert after["bytes"] - before["bytes"] <= added + len(voice_js.data) + 100
