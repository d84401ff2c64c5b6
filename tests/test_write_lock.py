"""SQLite's one write lock is held only while a request writes.

Reading, rendering, hashing and file work happen before a request's first write,
outside the lock, so one slow request never makes every other write wait, then
fail with "database is locked".
"""

import threading

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Area, Lesson, LessonProgress, User
from lms.services.authoring import save_assignment
from tests.conftest import WriteLockProbe, jpeg

SLOW_FOR_AT_MOST = 30  # seconds the slow request waits for the others


@pytest.mark.parametrize("new", [False, True], ids=["edited", "new"])
def test_farmers_write_while_a_slow_lesson_save_is_under_way(
    app, as_role, owned_course, monkeypatch, new
):
    """A trainer saves a long lesson, edited or new, whose rendering is slow
    (deliberately held here until the others are done); meanwhile farmers
    complete lessons and a newcomer signs up, and none of them waits for it."""
    from lms.services import authoring

    rendering, others_done = threading.Event(), threading.Event()
    render = authoring.render_markdown

    def slow_render(text):
        rendering.set()
        others_done.wait(SLOW_FOR_AT_MOST)
        return render(text)

    monkeypatch.setattr(authoring, "render_markdown", slow_render)
    area = db.session.scalar(sa.select(Area.id).where(Area.code == "P-A"))
    trainer, farmers = as_role("trainer"), [as_role("learner"), as_role("classmate")]
    saved = {}

    def save_lesson():
        with app.app_context():
            saved["response"] = trainer.post(
                "/teach/courses/mini/lessons/" + ("new" if new else "first/edit"),
                data={
                    "title_vi": "Bài mới" if new else "Bài một",
                    "body_vi": "\n\n".join(["Rất dài " * 100] * 10),
                    "version": "1",
                },
            )

    saving = threading.Thread(target=save_lesson)
    saving.start()
    try:
        assert rendering.wait(SLOW_FOR_AT_MOST)
        answers = [
            farmer.post(f"/courses/mini/lessons/{lesson}/complete").status_code
            for farmer in farmers
            for lesson in ("first", "second")
        ]
        signup = app.test_client().post(
            "/signup",
            data={
                "name": "Lò Văn Sáng",
                "phone": "0987000111",
                "password": "ớt chỉ thiên",
                "area": area,
            },
        )
    finally:
        others_done.set()
        saving.join(SLOW_FOR_AT_MOST)
    assert answers == [302] * 4
    assert signup.status_code == 302
    assert saved["response"].status_code == 302
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress)) == 4
    )
    assert db.session.scalar(sa.select(User).where(User.name == "Lò Văn Sáng"))
    slug = "bai-moi" if new else "first"
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.slug == slug))
    assert lesson.title_vi == ("Bài mới" if new else "Bài một")
    assert lesson.version == (1 if new else 2)


def watch(monkeypatch, module, name, probe):
    """Make ``module.name`` ask ``probe`` whether another worker can write."""
    original = getattr(module, name)

    def watched(*args, **kwargs):
        probe()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, watched)


def test_a_lesson_preview_leaves_the_database_free(
    app, as_role, owned_course, monkeypatch
):
    from lms.views.teach import lessons

    another_worker_writes = WriteLockProbe(app)
    watch(monkeypatch, lessons, "render_markdown", another_worker_writes)
    response = as_role("trainer").post("/teach/preview", data={"text": "**đậm**"})
    assert response.status_code == 200 and "<strong>" in response.get_json()["html"]
    assert another_worker_writes.answers == [True]


@pytest.mark.parametrize("where", ["lesson picture", "practical photo"])
def test_pictures_are_encoded_with_the_database_free(
    app, as_role, classroom, monkeypatch, where
):
    """Re-encoding a phone's photo takes a second on a small server."""
    from lms.services import images

    save_assignment(
        classroom.courses[0], "Quay thử.", None, [("Đủ sáng", None)], True, 3
    )
    db.session.commit()
    another_worker_writes = WriteLockProbe(app)
    watch(monkeypatch, images, "_decode", another_worker_writes)
    if where == "lesson picture":
        response = as_role("trainer").post(
            "/teach/courses/mini/images",
            data={"image": (jpeg(), "a.jpg"), "alt": "Vườn vải"},
        )
        assert response.status_code == 200
    else:
        response = as_role("learner").post(
            "/courses/mini/practical", data={"photos": (jpeg(), "a.jpg")}
        )
        assert response.status_code == 302
    assert another_worker_writes.answers and all(another_worker_writes.answers)


def test_a_save_that_lost_the_race_while_rendering_is_a_conflict(
    app, as_role, owned_course, people, monkeypatch
):
    """Another trainer saved the lesson while this save was rendering, before it
    took the lock: this one is refused as a conflict, the other's text kept."""
    from lms.services import authoring

    owned_course.editors.append(people["other_trainer"])
    db.session.commit()
    rendering, other_saved = threading.Event(), threading.Event()
    render = authoring.render_markdown

    def first_render_waits(text):
        if not rendering.is_set():
            rendering.set()
            other_saved.wait(SLOW_FOR_AT_MOST)
        return render(text)

    monkeypatch.setattr(authoring, "render_markdown", first_render_waits)
    url = "/teach/courses/mini/lessons/first/edit"
    hoa, tung = as_role("trainer"), as_role("other_trainer")
    saved = {}

    def hoa_saves():
        with app.app_context():
            saved["hoa"] = hoa.post(
                url,
                data={"title_vi": "Của Hoa", "body_vi": "Bản của Hoa", "version": "1"},
            )

    saving = threading.Thread(target=hoa_saves)
    saving.start()
    try:
        assert rendering.wait(SLOW_FOR_AT_MOST)
        tung_saves = tung.post(
            url,
            data={"title_vi": "Của Tùng", "body_vi": "Bản của Tùng", "version": "1"},
        )
    finally:
        other_saved.set()
        saving.join(SLOW_FOR_AT_MOST)
    assert tung_saves.status_code == 302
    assert saved["hoa"].status_code == 409
    assert "Bản của Tùng" in saved["hoa"].get_data(as_text=True)
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "first"))
    assert lesson.body_vi == "Bản của Tùng\n" and lesson.version == 2
