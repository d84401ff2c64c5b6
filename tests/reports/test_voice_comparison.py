"""Officials compare how often lessons with and without voice are completed."""

import io
import re

import pytest

from lms.extensions import db
from lms.services.learning import complete_lesson
from tests.audio_files import recording
from tests.conftest import DATABASES


def comparison(html):
    """{course title: (with voice, without voice)} from the comparison table."""
    if 'id="voice-comparison"' not in html:
        return {}
    table = html.split('id="voice-comparison"')[1].split("</table>")[0]
    rows = re.findall(
        r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', table
    )
    return {title: (voiced, silent) for title, voiced, silent in rows}


@pytest.mark.parametrize("app", DATABASES, indirect=True)
def test_completions_per_lesson_with_and_without_voice(
    app, as_role, owned_course, people
):
    official = as_role("official")
    assert comparison(official.get("/reports").get_data(as_text=True)) == {}
    as_role("trainer").post(
        "/teach/courses/mini/lessons/first/audio/vi",
        data={"audio": (io.BytesIO(recording()), "a.wav")},
    )
    first, second, _third = owned_course.active_lessons
    for person, lesson in [
        ("learner", first),
        ("classmate", first),
        ("learner", second),
    ]:
        complete_lesson(people[person], lesson)
    db.session.commit()
    [(title, (voiced, silent))] = comparison(
        official.get("/reports").get_data(as_text=True)
    ).items()
    assert voiced == "2 lượt/bài (1 bài)"
    assert silent == "0,5 lượt/bài (2 bài)"
    # Another province's official sees none of these completions.
    other = comparison(as_role("official_b").get("/reports").get_data(as_text=True))
    assert list(other.values()) == [("0 lượt/bài (1 bài)", "0 lượt/bài (2 bài)")]
