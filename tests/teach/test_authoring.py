"""A trainer writes a course in the browser: the learner sees exactly that."""

import re
from datetime import timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Certificate, Enrollment, Lesson, LessonProgress
from lms.services.learning import complete_lesson, submit_quiz
from tests.conftest import count, course_by_slug, jpeg
from tests.helpers import RIGHT


def text(response):
    return response.get_data(as_text=True)


def new_course(client, **fields):
    data = {"title_vi": "Bán vải trên Zalo", "summary_vi": "Tóm tắt", "minutes": 30}
    data.update(fields)
    return client.post("/teach/courses/new", data=data)


def new_lesson(client, slug, **fields):
    data = {"title_vi": "Bài một", "body_vi": "## Xin chào\n\nNội dung **đậm**."}
    data.update(fields)
    return client.post(f"/teach/courses/{slug}/lessons/new", data=data)


def test_new_course_is_a_draft_owned_by_its_trainer(as_role, people):
    trainer = as_role("trainer")
    response = new_course(trainer, clubs=["koc"])
    assert response.headers["Location"] == "/teach/courses/ban-vai-tren-zalo"
    course = course_by_slug("ban-vai-tren-zalo")
    assert (course.status, course.owner_id, course.clubs) == (
        "draft",
        people["trainer"].id,
        ["koc"],
    )
    learner = as_role("learner")
    assert learner.get("/courses/ban-vai-tren-zalo").status_code == 404
    assert "ban-vai-tren-zalo" not in text(learner.get("/"))


def test_course_needs_a_vietnamese_title(as_role):
    response = new_course(as_role("trainer"), title_vi="  ")
    assert response.status_code == 400 and 'id="title_vi-error"' in text(response)


def test_lesson_written_in_the_browser_is_what_learners_read(as_role):
    trainer = as_role("trainer")
    new_course(trainer)
    response = new_lesson(
        trainer,
        "ban-vai-tren-zalo",
        title_en="Lesson one",
        body_en="## Hello\n\nText <script>alert(1)</script>",
    )
    assert response.status_code == 302
    assert trainer.post("/teach/courses/ban-vai-tren-zalo/publish").status_code == 302
    learner = as_role("learner")
    html = text(learner.get("/courses/ban-vai-tren-zalo/lessons/bai-mot"))
    assert "<h2>Xin chào</h2>" in html and "<strong>đậm</strong>" in html
    lesson = db.session.scalar(sa.select(Lesson))
    assert "<script" not in lesson.html_en and "alert" not in lesson.html_en


def test_publishing_needs_a_lesson(as_role):
    trainer = as_role("trainer")
    new_course(trainer)
    trainer.post("/teach/courses/ban-vai-tren-zalo/publish")
    assert course_by_slug("ban-vai-tren-zalo").status == "draft"


def test_preview_uses_the_learners_sanitiser(as_role):
    response = as_role("trainer").post(
        "/teach/preview",
        data={
            "text": "**hi** <script>x()</script> [a](javascript:x()) <iframe></iframe>"
        },
    )
    html = response.get_json()["html"]
    assert "<strong>hi</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "iframe" not in html


def test_picture_is_shrunk_renamed_and_inserted(app, as_role, owned_course):
    trainer = as_role("trainer")
    response = trainer.post(
        "/teach/courses/mini/images",
        data={
            "alt": "Thùng vải [mở]",
            "image": (jpeg(2400, 1200), "../../evil.php.jpg"),
        },
        headers={"Accept": "application/json"},
    )
    data = response.get_json()
    pattern = r"!\[Thùng vải mở\]\(/media/lessons/[0-9a-f]{32}\.webp\)"
    assert re.fullmatch(pattern, data["markdown"])
    assert "evil" not in data["markdown"]
    with trainer.get(data["url"]) as image:
        assert image.status_code == 200 and image.mimetype == "image/webp"
        import io

        from PIL import Image

        assert Image.open(io.BytesIO(image.data)).size[0] <= 960


def test_picture_without_javascript_gets_a_page_with_the_line_to_copy(
    as_role, owned_course
):
    response = as_role("trainer").post(
        "/teach/courses/mini/images",
        data={"alt": "Vườn vải", "image": (jpeg(), "a.jpg")},
    )
    assert response.status_code == 200
    assert "![Vườn vải](/media/lessons/" in text(response)


def test_files_that_are_not_pictures_are_refused(app, as_role, owned_course):
    trainer = as_role("trainer")
    import io

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for payload, name in [
        (svg, "a.svg"),
        (b"<?php echo 1;", "photo.jpg"),
        (b"", "x.png"),
    ]:
        response = trainer.post(
            "/teach/courses/mini/images",
            data={"alt": "x", "image": (io.BytesIO(payload), name)},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 400, name
        assert response.get_json()["error"]
    from pathlib import Path

    folder = Path(app.config["LMS_UPLOAD_DIR"]) / "lessons"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_oversized_upload_is_refused_before_reading(app, as_role, owned_course):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = as_role("trainer").post(
        "/teach/courses/mini/images", data={"alt": "x", "image": (jpeg(), "a.jpg")}
    )
    assert response.status_code == 413


def test_reorder_and_retire_lessons(as_role, owned_course, people):
    trainer = as_role("trainer")
    trainer.post("/teach/courses/mini/lessons/third/move", data={"direction": "up"})
    assert [lesson.slug for lesson in course_by_slug("mini").active_lessons] == [
        "first",
        "third",
        "second",
    ]
    complete_lesson(people["learner"], owned_course.lessons[0])
    db.session.commit()
    trainer.post("/teach/courses/mini/lessons/first/archive", data={"confirmed": "yes"})
    assert [lesson.slug for lesson in course_by_slug("mini").active_lessons] == [
        "third",
        "second",
    ]
    assert count(LessonProgress) == 1  # the learner keeps what they did


def test_retiring_the_last_lesson_left_finishes_the_course(
    as_role, owned_course, people
):
    """A farmer who did every lesson but one, and passed the quiz, has finished
    when the trainer retires that lesson: the course is complete, with its
    certificate, as the course page says; a farmer with more left has not."""
    learner, classmate = people["learner"], people["classmate"]
    first, second = owned_course.lessons[:2]
    for lesson in (first, second):
        complete_lesson(learner, lesson)
    complete_lesson(classmate, first)
    for person in (learner, classmate):
        submit_quiz(person, owned_course.quiz, RIGHT)
    db.session.commit()
    assert completed_courses() == set()

    as_role("trainer").post(
        "/teach/courses/mini/lessons/third/archive", data={"confirmed": "yes"}
    )
    assert completed_courses() == {(learner.id, owned_course.id)}
    held = db.session.scalars(sa.select(Certificate.user_id)).all()
    assert held == [learner.id]


def test_deleting_every_quiz_question_finishes_the_course(
    as_role, owned_course, people
):
    learner = people["learner"]
    for lesson in owned_course.lessons:
        complete_lesson(learner, lesson)
    db.session.commit()
    trainer = as_role("trainer")
    for question in list(owned_course.quiz.questions):
        assert completed_courses() == set()
        trainer.post(
            f"/teach/courses/mini/quiz/questions/{question['id']}/delete",
            data={"confirmed": "yes"},
        )
    assert completed_courses() == {(learner.id, owned_course.id)}
    assert count(Certificate) == 1


def completed_courses():
    db.session.expire_all()
    return set(
        db.session.execute(
            sa.select(Enrollment.user_id, Enrollment.course_id).where(
                Enrollment.completed_at.is_not(None)
            )
        ).all()
    )


def test_editing_a_completed_lesson_keeps_it_completed(as_role, owned_course, people):
    first = owned_course.lessons[0]
    complete_lesson(people["learner"], first)
    db.session.commit()
    version = first.version
    as_role("trainer").post(
        "/teach/courses/mini/lessons/first/edit",
        data={
            "title_vi": "Bài một (sửa)",
            "body_vi": "Nội dung mới",
            "version": version,
        },
    )
    html = text(as_role("learner").get("/courses/mini"))
    assert "Bài một (sửa)" in html and "✓" in html


def test_two_trainers_saving_the_same_lesson_do_not_overwrite_silently(
    as_role, owned_course, people
):
    owned_course.editors.append(people["other_trainer"])
    db.session.commit()
    version = owned_course.lessons[0].version
    url = "/teach/courses/mini/lessons/first/edit"
    first = as_role("trainer").post(
        url,
        data={"title_vi": "Sửa của Hoa", "body_vi": "Bản của Hoa", "version": version},
    )
    assert first.status_code == 302
    second = as_role("other_trainer").post(
        url,
        data={
            "title_vi": "Sửa của Tùng",
            "body_vi": "Bản của Tùng",
            "version": version,
        },
    )
    assert second.status_code == 409
    html = text(second)
    assert "Bản của Hoa" in html and "Bản của Tùng" in html  # both versions shown
    db.session.expire_all()
    assert owned_course.lessons[0].body_vi == "Bản của Hoa\n"


def test_quiz_editor_single_and_multiple_answers(as_role, owned_course):
    trainer = as_role("trainer")
    url = "/teach/courses/mini/quiz/questions/new"
    response = trainer.post(
        url,
        data={
            "text_vi": "Trời nắng gắt, làm gì?",
            "choices-0-text_vi": "Quay trong bóng râm",
            "choices-0-correct": "y",
            "choices-1-text_vi": "Dùng tấm hắt sáng",
            "choices-1-correct": "y",
            "choices-2-text_vi": "Quay ngược nắng",
            "explanation_vi": "Ánh sáng dịu giúp thấy rõ mặt.",
        },
    )
    assert response.status_code == 302
    question = course_by_slug("mini").quiz.questions[-1]
    assert [c["correct"] for c in question["choices"]] == [True, True, False]
    html = text(as_role("learner").get("/courses/mini/quiz"))
    assert f'type="checkbox" name="{question["id"]}"' in html


def test_quiz_question_without_a_right_answer_is_refused(as_role, owned_course):
    before = list(course_by_slug("mini").quiz.questions)
    response = as_role("trainer").post(
        "/teach/courses/mini/quiz/questions/new",
        data={
            "text_vi": "Câu hỏi",
            "choices-0-text_vi": "A",
            "choices-1-text_vi": "B",
            "explanation_vi": "Vì",
        },
    )
    assert response.status_code == 400 and 'role="alert"' in text(response)
    db.session.expire_all()
    assert course_by_slug("mini").quiz.questions == before


def test_assignment_editor_and_practical_step(as_role, owned_course):
    trainer = as_role("trainer")
    response = trainer.post(
        "/teach/courses/mini/assignment",
        data={
            "instructions_vi": "Quay một đoạn 1 phút giới thiệu vườn.",
            "criteria-0-text_vi": "Đủ sáng",
            "criteria-1-text_vi": "Nghe rõ",
            "accepts_link": "y",
            "max_photos": "2",
        },
    )
    assert response.status_code == 302
    assignment = course_by_slug("mini").assignment
    assert [c["id"] for c in assignment.rubric] == ["du-sang", "nghe-ro"]
    html = text(as_role("learner").get("/courses/mini"))
    assert "/courses/mini/practical" in html


def test_assignment_must_ask_for_something(as_role, owned_course):
    response = as_role("trainer").post(
        "/teach/courses/mini/assignment",
        data={
            "instructions_vi": "Làm gì đó",
            "criteria-0-text_vi": "Tốt",
            "max_photos": "0",
        },
    )
    assert response.status_code == 400
    assert course_by_slug("mini").assignment is None


def test_owner_can_share_a_course_with_another_trainer(as_role, owned_course, people):
    other = as_role("other_trainer")
    assert other.get("/teach/courses/mini").status_code == 403
    as_role("trainer").post(
        "/teach/courses/mini/editors", data={"phone": "0912 000 003"}
    )
    assert other.get("/teach/courses/mini").status_code == 200
    as_role("trainer").post("/teach/courses/mini/editors", data={"phone": "0912000001"})
    assert people["learner"] not in course_by_slug("mini").editors


def test_after_a_conflict_the_trainer_sees_their_own_preview_and_who_saved(
    as_role, owned_course, people
):
    owned_course.editors.append(people["other_trainer"])
    db.session.commit()
    version = owned_course.lessons[0].version
    url = "/teach/courses/mini/lessons/first/edit"
    as_role("other_trainer").post(
        url,
        data={
            "title_vi": "Sửa của Tùng",
            "body_vi": "Bản **của Tùng**",
            "version": version,
        },
    )
    saved_at = owned_course.lessons[0].updated_at
    refused = as_role("trainer").post(
        url,
        data={
            "title_vi": "Sửa của Hoa",
            "body_vi": "Bản **của Hoa**",
            "version": version,
        },
    )
    assert refused.status_code == 409
    html = text(refused)
    banner = html.split('id="conflict-title">')[1].split("</h2>")[0]
    local = saved_at + timedelta(hours=7)  # Asia/Ho_Chi_Minh
    assert "Other Trainer" in banner and local.strftime("%H:%M, %d/%m/%Y") in banner
    preview = html.split('id="preview-vi"')[1].split("</div>")[0]
    assert "<strong>của Hoa</strong>" in preview and "Tùng" not in preview


def test_a_conflict_with_a_course_files_import_says_so(
    app, as_role, owned_course, course_dir
):
    from lms.content.importer import import_courses

    url = "/teach/courses/mini/lessons/first/edit"
    trainer = as_role("trainer")
    version = owned_course.lessons[0].version
    trainer.post(
        url, data={"title_vi": "Bài một", "body_vi": "Của Hoa", "version": version}
    )
    opened = owned_course.lessons[0].version
    lesson_file = course_dir / "mini" / "01-first.md"
    lesson_file.write_text(lesson_file.read_text() + "\nThêm một dòng từ tệp.\n")
    import_courses(course_dir, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    refused = trainer.post(
        url, data={"title_vi": "Bài một", "body_vi": "Của Hoa, sửa", "version": opened}
    )
    assert refused.status_code == 409
    banner = text(refused).split('id="conflict-title">')[1].split("</h2>")[0]
    assert "Lần nhập tệp khoá học" in banner and "Trainer" not in banner


def test_form_messages_are_in_the_page_language(as_role, owned_course):
    """WTForms has no Vietnamese: its own messages (lengths, numbers, dates)
    come from the application's catalogue, in English on English pages."""
    trainer = as_role("trainer")
    refused = new_course(trainer, title_vi="V" * 201, minutes="ba mươi")
    assert refused.status_code == 400
    page = text(refused)
    assert "Không được dài quá 200 ký tự." in page
    assert "Hãy nhập một số nguyên." in page
    assert "Field cannot" not in page and "Not a valid" not in page
    long_summary = new_course(trainer, summary_vi="Tóm tắt. " * 200)
    assert long_summary.status_code == 400
    assert "Không được dài quá 1000 ký tự." in text(long_summary)
    trainer.set_cookie("lang", "en")
    english = text(new_course(trainer, title_vi="V" * 201))
    assert "Field cannot be longer than 200 characters." in english


def test_a_picture_too_large_for_the_editor_says_why(app, as_role, owned_course):
    """The editor's script uploads with Accept: application/json; a body over the
    limit answered an HTML page it could not read ("could not be added")."""
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    trainer = as_role("trainer")

    def send(headers):
        # The body as bytes, not files: a multipart body this big would be
        # spooled by the test client to a file the request never reads.
        return trainer.post(
            "/teach/courses/mini/images",
            data=b"0" * (2 << 20),
            content_type="multipart/form-data; boundary=vuon",
            headers=headers,
        )

    answer = send({"Accept": "application/json"})
    assert answer.status_code == 413
    assert "tối đa 1 MB" in answer.get_json()["error"]
    page = send({"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 413 and page.mimetype == "text/html"


def test_a_conflict_with_my_own_other_tab_says_it_was_me(as_role, owned_course):
    url = "/teach/courses/mini/lessons/first/edit"
    version = owned_course.lessons[0].version
    phone, tablet = as_role("trainer"), as_role("trainer")
    phone.post(
        url,
        data={"title_vi": "Bài một", "body_vi": "Từ điện thoại", "version": version},
    )
    refused = tablet.post(
        url,
        data={"title_vi": "Bài một", "body_vi": "Từ máy tính bảng", "version": version},
    )
    assert refused.status_code == 409
    banner = text(refused).split('id="conflict-title">')[1].split("</h2>")[0]
    assert banner.startswith("Bạn đã lưu bài này lúc") and "Trainer" not in banner
    section = text(refused).split('class="conflict"')[1].split("</section>")[0]
    assert "người khác" not in section  # the other save was mine


def test_a_new_lesson_is_checked_today_unless_its_author_says_otherwise(
    as_role, owned_course
):
    from lms.clock import utcnow
    from lms.models.activity import local_day

    page = text(as_role("trainer").get("/teach/courses/mini/lessons/new"))
    today = local_day(utcnow()).isoformat()
    assert f'name="reviewed_on" type="date" value="{today}"' in page
    edit = text(as_role("trainer").get("/teach/courses/mini/lessons/first/edit"))
    first = owned_course.lessons[0].reviewed_on
    assert (f'value="{first.isoformat()}"' in edit) if first else today not in edit


def test_a_check_dated_in_the_future_is_refused(as_role, owned_course):
    from lms.clock import utcnow

    url = "/teach/courses/mini/lessons/first/edit"
    lesson = owned_course.lessons[0]
    fields = {"title_vi": lesson.title_vi, "body_vi": lesson.body_vi}
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    refused = as_role("trainer").post(
        url, data={**fields, "version": lesson.version, "reviewed_on": tomorrow}
    )
    assert refused.status_code == 400
    assert "Ngày kiểm tra không thể ở tương lai." in text(refused)
    db.session.expire_all()
    assert lesson.reviewed_on is None
    today = utcnow().date().isoformat()
    saved = as_role("trainer").post(
        url, data={**fields, "version": lesson.version, "reviewed_on": today}
    )
    assert saved.status_code == 302
