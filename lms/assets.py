"""Static files with their content's fingerprint in the URL, cached for a year.

`url_for("static", filename="css/app.css")` becomes `/static/css/app.css?v=1a2b3c4d`;
a changed file gets a new URL, so browsers may keep every version forever.
"""

import hashlib
import os
from functools import lru_cache

from flask import current_app, request

YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _fingerprint(path, mtime_ns):
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:10]


def add_fingerprint(endpoint, values):
    """A url_defaults hook: give static URLs their file's fingerprint.

    A served process finds each file's fingerprint once: its static files are
    those of the release it started with (a new release starts new workers).
    The debug server looks at the file each time, to follow edits.
    """
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    app, filename = current_app, values["filename"]
    if app.debug:
        fingerprint = _current_fingerprint(app.static_folder, filename)
    else:
        kept = app.extensions.setdefault("static_fingerprints", {})
        fingerprint = kept.get(filename)
        if fingerprint is None:
            fingerprint = kept[filename] = _current_fingerprint(
                app.static_folder, filename
            )
    if fingerprint:  # a missing file keeps its plain URL and gets a 404
        values["v"] = fingerprint


def _current_fingerprint(folder, filename):
    path = os.path.join(folder, filename)
    try:
        return _fingerprint(path, os.stat(path).st_mtime_ns)
    except OSError:
        return ""


BUFFER_LIMIT = 2 * 1024 * 1024


def buffer_compressible_files(response):
    """An after_request hook: read small text files into the response.

    The compressor skips streamed files, and compressing a file stream would
    leave its handle open; read it here and close it. Pictures stay streamed.
    """
    compressible = current_app.config["COMPRESS_MIMETYPES"]
    if (
        response.direct_passthrough
        and response.mimetype in compressible
        and (response.content_length or 0) <= BUFFER_LIMIT
    ):
        response.direct_passthrough = False
        data = response.get_data()
        response.close()
        response.set_data(data)
    return response


def cache_fingerprinted(response):
    """An after_request hook: fingerprinted static files never change."""
    if (
        request.endpoint == "static"
        and request.args.get("v")
        and response.status_code == 200
    ):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    return response
