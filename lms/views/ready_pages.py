"""Public pages kept ready, compressed, for the visitors who open them again and again.

A KOL shows their card's QR code on a livestream and hundreds of viewers scan it
within a minute: each scan would load the card with its holder, commune, course
or club, issuer and revocation, render the same page and compress it again. A
page made for one visitor is kept and sent to the next, as long as nothing it is
made from has changed.

The caller says what the page is made from: its ``source``, every column of
every row the page reads (one query) and anything else it depends on. The key
is a digest of that, with what the request asks that the page shows (path and
query, language, data saver) and the ``Accept-Encoding`` sent: a change to any
row, even to a column the page does not show, makes a new page. Nothing is kept
or sent for anyone signed in or with a message to show; the debug server (whose
static files change under it) keeps nothing.

Each process keeps its own last ``size`` pages (the bytes of a few KB each):
processes never disagree for long, since each checks the rows on every use.
"""

import hashlib
import threading
from collections import OrderedDict

from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

from lms.extensions import compress
from lms.views.core import data_saver_on


class ReadyPages:
    """The last pages made for visitors, by a digest of what each is made from."""

    def __init__(self, size=64):
        self.size = size
        self._pages = OrderedDict()
        self._lock = threading.Lock()

    def usable(self):
        """Whether this request may get, and give, a kept page: a visitor with
        nothing flashed, not on the debug server."""
        return (
            not current_app.debug
            and not current_user.is_authenticated
            and not _has_flashes()
        )

    def key(self, source):
        """The digest of ``source`` with what the request asks of the page."""
        asked = (
            request.full_path,
            str(get_locale()),
            data_saver_on(),
            request.headers.get("Accept-Encoding", ""),
        )
        return hashlib.blake2b(repr((source, asked)).encode(), digest_size=20).digest()

    def get(self, key):
        """The kept response for ``key`` (a new response object), else None."""
        with self._lock:
            kept = self._pages.get(key)
            if kept is None:
                return None
            self._pages.move_to_end(key)
        encoding, body = kept
        response = current_app.response_class(body, mimetype="text/html")
        if encoding:
            response.headers["Content-Encoding"] = encoding
        # As the page made afresh says: it differs by encoding, and by who asks.
        response.vary.update(("Accept-Encoding", "Cookie"))
        return response

    def keep(self, key, response):
        """Compress ``response`` (a 200 page) as it would be, keep it, return it."""
        response = compress.after_request(response)
        if response.status_code == 200 and not response.is_streamed:
            kept = (response.headers.get("Content-Encoding"), response.get_data())
            with self._lock:
                self._pages[key] = kept
                self._pages.move_to_end(key)
                while len(self._pages) > self.size:
                    self._pages.popitem(last=False)
        return response

    def clear(self):
        with self._lock:
            self._pages.clear()


def _has_flashes():
    # Peeking without taking them: the page made afresh shows and takes them.
    return bool(session.get("_flashes"))
