"""Structured logs: one JSON object per line, each tied to its request by an id."""

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context, request
from flask.logging import default_handler
from sqlalchemy import inspect

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id looks like (nginx: 32 hex digits; others: UUIDs, dotted
# hashes); anything else is replaced, so a client cannot forge log lines.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
REQUEST_LOGGER = "lms.request"
_request_logger = logging.getLogger(REQUEST_LOGGER)


def init_app(app):
    """Give every request an id, log it when done, and write logs as JSON lines."""
    root = logging.getLogger()
    if app.config["LMS_LOG_FORMAT"] == "json" and not root.handlers:
        log_json_lines(sys.stderr)  # unless the test runner or a host set logging up
    if root.handlers:  # Flask's own handler would print errors a second time
        app.logger.removeHandler(default_handler)
    app.before_request_funcs.setdefault(None, []).insert(0, _start_clock)
    app.after_request(_finish_request)


def log_json_lines(stream):
    """Send every record of the root logger to ``stream`` as one JSON line."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def request_id():
    """The id of the current request: the proxy's when valid, else a new one."""
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        valid = VALID_REQUEST_ID.fullmatch(incoming)
        g.request_id = incoming if valid else uuid.uuid4().hex
    return g.request_id


def _start_clock():
    g.request_started = time.perf_counter()


def _finish_request(response):
    response.headers[REQUEST_ID_HEADER] = request_id()
    if not _request_logger.isEnabledFor(logging.INFO):
        return response
    started = g.get("request_started", time.perf_counter())
    fields = request_fields()
    fields["status"] = response.status_code
    fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    # Made here rather than by ``info()``, which would walk the stack on every
    # request for the caller's file and line, which the line does not show.
    record = _request_logger.makeRecord(
        REQUEST_LOGGER,
        logging.INFO,
        fn=__file__,
        lno=0,
        msg="%s %s %s",
        args=(fields["method"], fields["path"], fields["status"]),
        exc_info=None,
        extra={"request_fields": fields},  # the formatter need not find them again
    )
    _request_logger.handle(record)
    return response


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object, with the request it belongs to."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "request_fields", None)
        if fields is not None:
            entry.update(fields)
        elif has_request_context():
            entry.update(request_fields())
        if record.exc_info:
            entry["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def request_fields():
    """What a log line says about the request being served."""
    fields = {
        "request_id": request_id(),
        "method": request.method,
        "path": request.path,
    }
    # Only a user already loaded: logging must never query the database,
    # which may be the very thing that failed.
    state = inspect(g.get("_login_user"), raiseerr=False)  # None when anonymous
    if state is not None and state.identity:
        fields["user_id"] = state.identity[0]
    return fields
