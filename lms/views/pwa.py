"""The installable web app: service worker, web app manifest, offline page."""

import json
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)

bp = Blueprint("pwa", __name__)

ICONS = [
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
]
# The cache of courses a learner saved, filled by static/js/save-course.js and
# read by the service worker; the server writes this one name into both (the
# page hands it to static/js/offline.js).
SAVED_CACHE = "lms-saved-v1"
GREEN = "#1d6b3a"  # --green in static/css/app.css
BACKGROUND = "#fafaf7"  # --bg in static/css/app.css


@bp.get("/sw.js")
def service_worker():
    """Serve the service worker from the root so that it may control every page."""
    source = Path(current_app.static_folder, "sw.js").read_text(encoding="utf-8")
    response = make_response(source.replace("__SAVED_CACHE__", SAVED_CACHE))
    response.mimetype = "text/javascript"
    response.add_etag()  # a browser checking for a new worker gets a 304
    response.make_conditional(request)
    response.headers["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker on navigation; never let a stale one linger.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    document = {
        "id": "/",
        "name": "Học viện Số cho Nhà nông",
        "short_name": "Học viện Số",
        "lang": "vi",
        "start_url": url_for("learn.my_learning"),
        "scope": "/",
        "display": "standalone",
        "theme_color": GREEN,
        "background_color": BACKGROUND,
        "icons": [
            {
                "src": url_for("static", filename=path),
                "sizes": sizes,
                "type": "image/png",
                "purpose": purpose,
            }
            for path, sizes, purpose in ICONS
        ],
    }
    response = make_response(json.dumps(document, ensure_ascii=False))
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/offline")
def offline():
    """The page the service worker shows for a page that was not saved."""
    return render_template("offline.html")
