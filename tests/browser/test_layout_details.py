"""Layout details at a phone's 360 px and a laptop's 1280 px (issue 21).

On every page checked: nothing scrolls sideways and every control is at least 44 px
high; then each page's own point (text clear of borders, codes on one line...).
"""

import re

import pytest

from lms.extensions import db
from lms.models import Course
from tests.browser.conftest import CHROMIUM_FLAGS, chromium_path
from tests.browser.test_training_day import sign_in
from tests.conftest import PHONES, make_user
from tests.helpers import finish, vi
from tests.reports.province import PHONES as PROVINCE_PHONES

LONG_QUESTION = (
    "Khi đang phát trực tiếp bán vải thiều mà có người xem hỏi đi hỏi lại về giá, "
    "về cách giao hàng ra tận Hà Nội và về việc vườn có phun thuốc hay không, "
    "thì bà con nên trả lời thế nào cho khách tin?"
)
LONG_TITLE = "Chuẩn bị điện thoại, giá đỡ, ánh sáng và âm thanh trước buổi phát"
CONTROLS = (
    "main a.button, main button, main summary, main select, main textarea,"
    " main input:not([type=checkbox]):not([type=radio]):not([type=hidden])"
)


@pytest.fixture(params=[360, 1280], ids=["phone", "laptop"])
def screen(request):
    from playwright.sync_api import sync_playwright

    width = request.param
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS
        )
        context = browser.new_context(
            viewport={"width": width, "height": 740 if width == 360 else 900},
            is_mobile=width == 360,
            has_touch=width == 360,
            locale="vi-VN",
        )
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def check_layout(page):
    """Nothing scrolls sideways; every visible control is at least 44 px high."""
    viewport = page.viewport_size["width"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport, f"{page.url} scrolls sideways ({width}px)"
    small = page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector))
            .filter(e => e.offsetParent !== null && !e.closest('[hidden]'))
            .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)""",
        CONTROLS,
    )
    assert small == [], f"{page.url}: controls under 44 px: {small}"


def lines(page, selector):
    """How many lines the text of the first ``selector`` takes."""
    return page.locator(selector).first.evaluate(
        """e => { const r = document.createRange(); r.selectNodeContents(e);
            return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top)))
                .size; }"""
    )


def test_quiz_questions_stay_clear_of_their_card_border(live_server, screen):
    course = db.session.query(Course).filter_by(slug="mini").one()
    questions = [dict(q) for q in course.quiz.questions]
    questions[0]["vi"] = LONG_QUESTION
    course.quiz.questions = questions
    make_user()
    db.session.commit()
    sign_in(screen, live_server, "0912345678")
    screen.goto(live_server + "/courses/mini/quiz")
    check_layout(screen)
    screen.get_by_role("button", name=vi("Submit answers")).click()
    assert screen.locator(".question.has-error").count() == 2
    check_layout(screen)
    for card_ in screen.locator("fieldset.question").all():
        box = card_.evaluate(
            """f => { const l = f.querySelector('legend').getBoundingClientRect();
                const b = f.getBoundingClientRect(), s = getComputedStyle(f);
                return [l.top, l.left, l.right, b.top + parseFloat(s.borderTopWidth),
                        b.left, b.right]; }"""
        )
        legend_top, legend_left, legend_right, border_bottom, left, right = box
        assert legend_top >= border_bottom, "the top border runs through the question"
        assert left < legend_left and legend_right < right
    # Questions come in a shuffled order: find the long one.
    long_one = 'fieldset.question legend:has-text("Khi đang phát trực tiếp")'
    assert lines(screen, long_one) >= 2  # long enough to wrap


def test_course_page_numbers_durations_and_buttons(live_server, screen):
    course = db.session.query(Course).filter_by(slug="mini").one()
    course.active_lessons[0].title_vi = LONG_TITLE
    make_user()
    db.session.commit()
    sign_in(screen, live_server, "0912345678")
    screen.goto(live_server + "/courses/mini")
    start = screen.get_by_role("button", name=vi("Start the course"))
    save = screen.locator("[data-offline-save]")
    save.wait_for(state="visible")  # shown by offline.js where it can work
    check_layout(screen)
    gap = save.bounding_box()["y"] - (
        start.bounding_box()["y"] + start.bounding_box()["height"]
    )
    assert gap >= 8, f"the two buttons are {gap}px apart"

    for item in screen.locator("ol.steps li").all():
        assert lines(screen, "ol.steps li .meta") == 1
        tops = item.evaluate(
            """li => { const r = document.createRange();
                r.selectNodeContents(li.querySelector('a'));
                return [li.querySelector('.num').getBoundingClientRect().top,
                        r.getClientRects()[0].top,
                        li.querySelector('.meta').getBoundingClientRect().top]; }"""
        )
        number, first_line, meta = tops
        assert abs(number - first_line) <= 4, "a number sits beside a later line"
        assert (
            item.locator(".meta").evaluate("e => getComputedStyle(e).whiteSpace")
            == "nowrap"
        )
        assert meta < first_line + 24
    if screen.viewport_size["width"] == 360:
        assert lines(screen, "ol.steps li a") >= 2  # the long title wraps


def test_card_page_shows_a_scannable_qr_and_hides_the_jargon(card, live_server, screen):
    db.session.commit()  # end the setup's transaction: it holds SQLite's write lock
    sign_in(screen, live_server, PHONES["learner"])
    screen.goto(live_server + "/me/certificates")
    check_layout(screen)
    qr = screen.locator("svg.qr-card").first.bounding_box()
    assert qr["width"] >= 150 and abs(qr["width"] - qr["height"]) < 1
    badge = screen.get_by_role("link", name=re.compile(vi("Badge picture"))).first
    assert not badge.is_visible()
    screen.locator("details.more summary").first.click()
    assert badge.is_visible()
    check_layout(screen)


def test_activation_codes_stay_on_one_line(classroom, live_server, screen, tmp_path):
    class_id = classroom.id
    db.session.commit()  # reading a row after this would take the write lock again
    listed = tmp_path / "nong-dan.csv"
    listed.write_text(
        "name,phone,area\n"
        "Nguyễn Thị Thanh Hương,0987000001,\n"
        "Lò Văn Sáng,0987000002,\n",
        encoding="utf-8",
    )
    sign_in(screen, live_server, PHONES["trainer"])
    screen.goto(f"{live_server}/teach/classes/{class_id}")
    screen.get_by_label(re.compile("CSV|tệp", re.I)).set_input_files(str(listed))
    screen.get_by_role("button", name=vi("Register and print codes")).click()
    codes = screen.locator(".slip .code")  # printed as slips to cut out
    assert codes.count() == 2
    for index in range(2):
        assert re.fullmatch(r"\d{8}", codes.nth(index).inner_text().strip())
        assert lines(screen, f".slip:nth-child({index + 1}) .code") == 1
    check_layout(screen)


def test_reset_code_and_question_editor_for_a_trainer(classroom, live_server, screen):
    class_id = classroom.id
    db.session.commit()  # reading a row after this would take the write lock again
    sign_in(screen, live_server, PHONES["trainer"])
    screen.goto(f"{live_server}/teach/classes/{class_id}")
    check_layout(screen)
    screen.get_by_role("button", name=vi("Password code")).first.click()
    screen.get_by_role("link", name="Quay lại Lớp Xã An").click()
    assert screen.url.endswith(f"/teach/classes/{class_id}")

    screen.goto(live_server + "/teach/courses/mini/quiz/questions/new")
    screen.get_by_role("button", name=vi("Save question")).click()
    assert screen.locator("p.error").count() >= 3  # question, choices, explanation
    check_layout(screen)


def test_lesson_editor_writes_vietnamese_in_the_page_font(people, live_server, screen):
    course = db.session.query(Course).filter_by(slug="mini").one()
    course.owner_id = people["trainer"].id
    db.session.commit()
    sign_in(screen, live_server, PHONES["trainer"])
    screen.goto(live_server + "/teach/courses/mini")
    screen.get_by_role("link", name=vi("Add a lesson")).click()
    editor = screen.get_by_label(vi("Lesson (Vietnamese, Markdown)"))
    editor.fill("Người xem hỏi: “Vải có ngọt không?” — Trả lời thật, ưu tiên ảnh.")
    family = editor.evaluate("e => getComputedStyle(e).fontFamily")
    body = screen.evaluate("getComputedStyle(document.body).fontFamily")
    assert family == body and "mono" not in family.lower()
    check_layout(screen)


def test_report_charts_and_exports_read_well(province, live_server, screen):
    db.session.commit()
    sign_in(screen, live_server, PROVINCE_PHONES["official_p"])
    screen.goto(live_server + "/reports")
    check_layout(screen)
    sizes = screen.evaluate(
        """() => Array.from(document.querySelectorAll('figure.chart svg text'))
            .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
    )
    assert sizes and all(12 <= size <= 20 for size in sizes), sizes
    buttons = [
        screen.get_by_role("button", name=vi("Download Excel")).bounding_box(),
        screen.get_by_role("button", name=vi("Download CSV")).bounding_box(),
    ]
    first, second = buttons
    apart = max(
        second["x"] - (first["x"] + first["width"]),
        second["y"] - (first["y"] + first["height"]),
    )
    assert apart >= 8, f"the export buttons are {apart}px apart"
    screen.goto(live_server + "/reports/learners")
    check_layout(screen)


def test_photo_shrinking_works_without_create_image_bitmap(
    live_server, screen, tmp_path
):
    from PIL import Image

    from lms.services.authoring import save_assignment

    course = db.session.query(Course).filter_by(slug="mini").one()
    save_assignment(course, "Chụp ảnh gian hàng.", None, [("Đủ sáng", None)], True, 2)
    make_user()
    db.session.commit()
    photo = tmp_path / "IMG_0007.png"
    Image.new("RGB", (2400, 1800), (30, 140, 60)).save(photo, "PNG")
    refused = []
    screen.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security" in m.text else None,
    )
    # Without createImageBitmap (older phones' browsers); note what the form sends.
    screen.add_init_script(
        """delete window.createImageBitmap;
        const send = XMLHttpRequest.prototype.send;
        XMLHttpRequest.prototype.send = function (data) {
            if (data instanceof FormData) sessionStorage.setItem('sent', JSON.stringify(
                Array.from(data.values()).filter(v => v instanceof Blob)
                    .map(v => [v.name, v.type])));
            return send.call(this, data);
        };"""
    )
    sign_in(screen, live_server, "0912345678")
    screen.goto(live_server + "/courses/mini/practical")
    check_layout(screen)
    screen.get_by_label(vi("Photos")).set_input_files(str(photo))
    screen.get_by_role("button", name=vi("Send")).click()
    screen.locator(".flash").wait_for()
    sent = screen.evaluate("JSON.parse(sessionStorage.getItem('sent'))")
    assert sent == [["photo-1.jpg", "image/jpeg"]], "the photo was sent unshrunk"
    assert refused == []


def test_a_finished_course_with_a_new_lesson_and_a_sign_up_refused(live_server, screen):
    """A farmer who finished before a lesson was added: completed, the new step
    named, two buttons clear of each other. And the sign-up refused for a
    number already registered: the sign-in button beside it fits."""
    from lms.models import Lesson

    learner = make_user()
    course = db.session.query(Course).filter_by(slug="mini").one()
    finish(learner, course)
    course.lessons.append(
        Lesson(slug="fourth", position=4, title_vi=LONG_TITLE, html_vi="<p>Mới.</p>")
    )
    db.session.commit()
    sign_in(screen, live_server, "0912345678")
    screen.goto(live_server + "/courses/mini")
    check_layout(screen)
    assert screen.locator(".done-banner").first.is_visible()
    certificates = screen.get_by_role("link", name=vi("See your certificates"))
    new = screen.get_by_role("button", name=vi("See what is new"))
    gap = new.bounding_box()["y"] - (
        certificates.bounding_box()["y"] + certificates.bounding_box()["height"]
    )
    assert gap >= 8, f"the two buttons are {gap}px apart"
    new.click()
    screen.wait_for_url("**/lessons/fourth")

    screen.context.clear_cookies()
    screen.goto(live_server + "/signup")
    screen.get_by_label(vi("Phone number")).fill("0912345678")
    screen.get_by_role("button", name=vi("Create account")).click()
    way_in = screen.get_by_role("link", name=vi("Sign in with this number"))
    way_in.wait_for()
    check_layout(screen)
    way_in.click()
    screen.wait_for_url("**/login")
