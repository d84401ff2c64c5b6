"""The baseline for throughput: bare Flask rendering the application's own templates.

``GET /lesson``, ``/course`` and ``/verify`` render the app's lesson, course and
certificate-check templates (``templates/``, with the base layout) in Vietnamese
from fixed data: the JSON file named by ``LMS_BARE_PAGES``, written by the
throughput part from the bench database (``fixed_pages``). Translations are a
plain Jinja i18n extension over the compiled catalogue, loaded once; ``url_for``
is Flask's, over the app's own routes (endpoints and rules, written into the
fixed data), which nothing serves. No database, session, sign-in, CSRF,
compression, headers or log line: what is left is Flask and the template, so the
ratio measures what the application adds.

``GET /page?bytes=N`` renders templates/bare.html with paragraphs of Vietnamese
text until the page is about N bytes (for page weight and Lighthouse).
``POST /events`` reads a JSON body and answers a small JSON one, beside the sync
endpoint.
"""

import json
import os
from pathlib import Path

from babel.support import Translations
from flask import Flask, abort, jsonify, render_template, request
from markupsafe import Markup

from lms.views.pwa import SAVED_CACHE  # the name the layout hands offline.js

ROOT = Path(__file__).resolve().parents[2]
PARAGRAPH = (
    "Trước khi lên sóng, hãy chuẩn bị sản phẩm, giá bán và cách giao hàng; "
    "nói thật về cách trồng và chăm sóc để khách tin tưởng."
)
LAYOUT_BYTES = 420  # the template around the paragraphs
TOKEN = "bare" * 22  # as long as a Flask-WTF token
CSRF_INPUT = Markup(
    f'<input id="csrf_token" name="csrf_token" type="hidden" value="{TOKEN}">'
)

app = Flask(
    __name__,
    template_folder=str(ROOT / "templates"),
    static_folder=str(ROOT / "static"),
)
app.jinja_loader.searchpath.append(str(Path(__file__).parent / "templates"))
app.jinja_env.add_extension("jinja2.ext.i18n")
app.jinja_env.install_gettext_translations(
    Translations.load(str(ROOT / "lms" / "translations"), ["vi"]), newstyle=True
)
app.jinja_env.filters["dateformat"] = str  # the fixed data holds them formatted


def _nowhere(**_):
    abort(404)


def _load_pages():
    path = os.environ.get("LMS_BARE_PAGES")
    if not path:
        return {}
    pages = json.loads(Path(path).read_text())
    if "verify" in pages:
        pages["verify"]["qr"] = Markup(pages["verify"]["qr"])
    return pages


PAGES = _load_pages()
DONE = set(PAGES.get("course", {}).get("context", {}).get("done", ()))


def _loc(obj, field):
    return obj[f"{field}_vi"]


def _common(user):
    return {
        "locale": "vi",
        "loc": _loc,
        "csrf_token": lambda: TOKEN,
        "current_user": user,
        "language_form": {"csrf_token": CSRF_INPUT},
        "data_saver": False,
        # The layout's menu asks who the reader is, as the app's permissions do.
        "is_staff": lambda u: u.get("role") in ("trainer", "admin"),
        "can_read_reports": lambda u: u.get("role") in ("official", "admin"),
        "is_admin": lambda u: u.get("role") == "admin",
        "saved_cache": SAVED_CACHE,
    }


ANONYMOUS = {"is_authenticated": False}


@app.get("/lesson")
def lesson():
    page = PAGES["lesson"]
    return render_template(
        "learn/lesson.html",
        **_common(page["user"]),
        **page["context"],
        form={"csrf_token": CSRF_INPUT},
    )


@app.get("/course")
def course():
    page = PAGES["course"]
    return render_template(
        "learn/course.html",
        **_common(page["user"]),
        **{**page["context"], "done": DONE},
        form={"csrf_token": CSRF_INPUT},
    )


@app.get("/verify")
def verify():
    page = PAGES["verify"]
    qr = page["qr"]
    return render_template(
        "certificates/verify.html",
        **_common(ANONYMOUS),
        **page["context"],
        qr_svg=lambda url, label: qr,
    )


@app.get("/page")
def page():
    size = request.args.get("bytes", 5000, type=int)
    count = max(1, (size - LAYOUT_BYTES) // (len(PARAGRAPH.encode()) + 8))
    return render_template("bare.html", title="Bài học", paragraphs=[PARAGRAPH] * count)


@app.post("/events")
def events():
    body = request.get_json(silent=True) or {}
    results = [{"id": e.get("id"), "status": "applied"} for e in body.get("events", [])]
    return jsonify(results=results)


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


# Added last: where a path is both the app's and the baseline's (/healthz), the
# baseline's own view is the one that answers.
for endpoint, rule in PAGES.get("routes", ()):
    app.add_url_rule(rule, endpoint, _nowhere)
