"""What reaches a farmer's phone: compressed, cached for good, pictures on demand."""

import gzip
import os
import re

import brotli

from tests.conftest import sign_in


def same_page(data):
    """The page without its CSRF tokens (the meta and the form's field), which
    carry the second they were made in."""
    token = rb'(name="csrf[-_]token"[^>]*?(?:content|value)=")[^"]*'
    return re.sub(token, rb"\1", data)


def test_pages_are_compressed_for_browsers_that_accept_it(client):
    plain = client.get("/login")
    assert plain.headers.get("Content-Encoding") is None
    br = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    assert br.headers["Content-Encoding"] == "br"
    assert same_page(brotli.decompress(br.data)) == same_page(plain.data)
    gz = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert same_page(gzip.decompress(gz.data)) == same_page(plain.data)
    assert "Accept-Encoding" in br.headers["Vary"]


def test_static_files_carry_their_fingerprint_and_are_kept_for_a_year(client):
    html = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{10})"', html).group(1)
    js = re.search(r'src="(/static/js/app\.js\?v=[0-9a-f]{10})"', html).group(1)
    for url in (css, js):
        with client.get(url, headers={"Accept-Encoding": "br"}) as response:
            assert response.status_code == 200
            cache = response.headers["Cache-Control"]
            assert "max-age=31536000" in cache and "immutable" in cache
            assert "no-cache" not in cache
    with client.get(css, headers={"Accept-Encoding": "br"}) as response:
        assert response.headers["Content-Encoding"] == "br"


def test_unversioned_static_urls_are_revalidated(client):
    with client.get("/static/css/app.css") as response:
        assert "max-age=31536000" not in response.headers.get("Cache-Control", "")


def test_a_changed_file_gets_a_new_url_on_the_debug_server(app, tmp_path):
    from flask import url_for

    app.static_folder = str(tmp_path)
    file = tmp_path / "a.css"
    file.write_text("a{}")

    def url():
        with app.test_request_context():
            return url_for("static", filename="a.css")

    first = url()
    assert first.startswith("/static/a.css?v=")
    file.write_text("b{}")
    os.utime(file, ns=(10**18, 10**18))  # a later time than the first write's
    # A served process keeps what it found (a new release starts new workers)...
    assert url() == first
    assert url_of_missing(app) == "/static/missing.css"
    # ... the debug server follows the edit.
    app.debug = True
    assert url() != first and url().startswith("/static/a.css?v=")


def url_of_missing(app):
    from flask import url_for

    with app.test_request_context():
        return url_for("static", filename="missing.css")


def test_data_saver_turns_pictures_into_links_with_their_size(signed_in, mini_course):
    lesson = signed_in.get("/courses/mini/lessons/first").get_data(as_text=True)
    assert "<img" in lesson and "data-tap-image" not in lesson
    signed_in.post("/data-saver", data={"on": "1", "next": "/me/learning"})
    lesson = signed_in.get("/courses/mini/lessons/first").get_data(as_text=True)
    article = lesson.split('class="lesson"')[1].split("</article>")[0]
    assert "<img" not in article
    link = re.search(
        r'<a class="tap-image" href="(/media/content/[^"]+)"[^>]*>([^<]+)<', article
    )
    assert link and "KB" in link.group(2) and "Sơ đồ đặt điện thoại" in link.group(2)
    signed_in.post("/data-saver", data={"on": "0", "next": "/me/learning"})
    assert "<img" in signed_in.get("/courses/mini/lessons/first").get_data(as_text=True)


def test_data_saver_is_per_device(app, learner, mini_course):
    phone, tablet = app.test_client(), app.test_client()
    sign_in(phone)
    sign_in(tablet)
    phone.post("/data-saver", data={"on": "1", "next": "/"})
    assert "data-tap-image" in phone.get("/courses/mini/lessons/first").get_data(
        as_text=True
    )
    assert "data-tap-image" not in tablet.get("/courses/mini/lessons/first").get_data(
        as_text=True
    )


def test_editor_pictures_come_in_a_phone_width_the_browser_can_pick(
    app, as_role, owned_course
):
    import io

    from PIL import Image

    from tests.conftest import jpeg

    trainer = as_role("trainer")
    uploaded = trainer.post(
        "/teach/courses/mini/images",
        data={"alt": "Thùng vải", "image": (jpeg(2400, 1600), "a.jpg")},
        headers={"Accept": "application/json"},
    ).get_json()
    lesson = owned_course.lessons[0]
    trainer.post(
        "/teach/courses/mini/lessons/first/edit",
        data={
            "title_vi": "Bài một",
            "body_vi": f"Xem ảnh:\n\n{uploaded['markdown']}",
            "version": lesson.version,
        },
    )
    html = as_role("learner").get("/courses/mini/lessons/first").get_data(as_text=True)
    base = uploaded["url"].removesuffix(".webp")
    srcset = re.search(r'srcset="([^"]+)"', html).group(1)
    assert srcset == f"{base}-480.webp 480w, {base}.webp 960w"
    assert 'sizes="' in html
    with as_role(None).get(f"{base}-480.webp") as narrow:
        assert Image.open(io.BytesIO(narrow.data)).width == 480


def test_data_saver_tells_nothing_about_files_outside_the_media_folder(
    app, signed_in, mini_course, tmp_path
):
    """A picture pointing outside the media folder is a link without a size."""
    from lms.content.render import render_markdown
    from lms.extensions import db

    (tmp_path / "secret.txt").write_bytes(b"x" * 5000)
    lesson = mini_course.active_lessons[0]
    lesson.html_vi = render_markdown(
        "![a](/media/lessons/../../secret.txt) ![b](/media/content/../../secret.txt)"
    )
    db.session.commit()
    signed_in.post("/data-saver", data={"on": "1", "next": "/me/learning"})
    page = signed_in.get(f"/courses/mini/lessons/{lesson.slug}").get_data(as_text=True)
    links = re.findall(r'<a class="tap-image" href="([^"]+)"[^>]*>([^<]+)<', page)
    assert len(links) == 2 and all("../" in href for href, _ in links)
    assert not any("KB" in text for _, text in links)


def test_a_course_s_offline_weight_counts_no_file_outside_the_media_folder(
    app, signed_in, mini_course, tmp_path
):
    from lms.content.render import render_markdown
    from lms.extensions import db

    def weight():
        return signed_in.get("/api/v1/courses/mini/offline").get_json()["bytes"]

    lesson = mini_course.active_lessons[0]
    lesson.html_vi = render_markdown("![a](/media/content/../../secret.bin)")
    db.session.commit()
    before = weight()
    (tmp_path / "secret.bin").write_bytes(b"x" * 50_000)
    assert weight() == before
