"""The installable app: service worker, manifest, offline page, page hooks."""

import io
import re

from PIL import Image

from tests.helpers import vi


def test_service_worker_is_served_from_the_root_and_never_cached(client):
    with client.get("/sw.js") as response:
        assert response.status_code == 200
        assert response.mimetype in ("text/javascript", "application/javascript")
        assert response.headers["Service-Worker-Allowed"] == "/"
        assert "no-cache" in response.headers["Cache-Control"]
        assert b'addEventListener("fetch"' in response.data


def test_manifest_describes_an_installable_vietnamese_app(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.get_json()
    assert data["lang"] == "vi" and data["display"] == "standalone"
    assert data["start_url"] and data["scope"] == "/"
    sizes = set()
    for icon in data["icons"]:
        with client.get(icon["src"]) as response:
            image = Image.open(io.BytesIO(response.data))
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_offline_page_speaks_vietnamese(client):
    html = client.get("/offline").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert vi("No internet connection") in html


def test_pages_carry_the_offline_hooks(signed_in, mini_course):
    base = signed_in.get("/courses/mini").get_data(as_text=True)
    assert 'rel="manifest"' in base and 'name="csrf-token"' in base
    assert "data-sync-status" in base and "/static/js/offline.js" in base
    assert (
        "data-offline-save" in base
        and 'data-manifest="/api/v1/courses/mini/offline"' in base
    )
    lesson = signed_in.get("/courses/mini/lessons/first").get_data(as_text=True)
    assert 'data-offline-event="lesson.complete"' in lesson
    quiz = signed_in.get("/courses/mini/quiz").get_data(as_text=True)
    assert 'data-offline-event="quiz.submit"' in quiz


def test_the_page_and_the_service_worker_name_the_same_saved_courses_cache(client):
    page = client.get("/offline").get_data(as_text=True)
    name = re.search(r'data-saved-cache="([^"]+)"', page).group(1)
    with client.get("/sw.js") as worker:
        assert f'var SAVED = "{name}";' in worker.get_data(as_text=True)
        etag = worker.headers["ETag"]
    assert client.get("/sw.js", headers={"If-None-Match": etag}).status_code == 304


def scripts(html):
    return set(re.findall(r'<script src="(/static/js/[^"]+)"', html))


def test_a_saved_course_keeps_every_script_its_pages_load(signed_in, mini_course):
    pages = ["/courses/mini", "/courses/mini/lessons/first", "/courses/mini/quiz"]
    loaded = set().union(
        *(scripts(signed_in.get(p).get_data(as_text=True)) for p in pages)
    )
    saved = set(signed_in.get("/api/v1/courses/mini/offline").get_json()["urls"])
    assert loaded and loaded <= saved


def test_each_page_loads_only_the_offline_scripts_it_uses(signed_in, mini_course):
    def names(path):
        html = signed_in.get(path).get_data(as_text=True)
        return {url.split("/")[-1].split("?")[0] for url in scripts(html)}

    every_page = {"app.js", "offline.js", "sync.js"}
    assert names("/me/learning") == every_page
    assert names("/courses/mini") == every_page | {"save-course.js"}
    assert names("/courses/mini/lessons/first") == every_page | {"offline-forms.js"}
    assert names("/courses/mini/quiz") == every_page | {"offline-forms.js"}
