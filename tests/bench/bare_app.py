"""The baseline for throughput: bare Flask rendering one Jinja template.

``GET /page?bytes=N`` renders templates/bare.html with paragraphs of Vietnamese
text until the page is about N bytes, so it can stand beside an application page
of the same size. ``POST /events`` reads a JSON body and answers a small JSON one,
beside the sync endpoint. No database, no extensions, no session.
"""

from pathlib import Path

from flask import Flask, jsonify, render_template, request

PARAGRAPH = (
    "Trước khi lên sóng, hãy chuẩn bị sản phẩm, giá bán và cách giao hàng; "
    "nói thật về cách trồng và chăm sóc để khách tin tưởng."
)
LAYOUT_BYTES = 420  # the template around the paragraphs

app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))


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
