"""Structured logs: a JSON line per request, tied to the response by its id."""

import re

from flask import abort

from tests.conftest import sign_in
from tests.helpers import vi


def request_lines(lines):
    return [line for line in lines if line["logger"] == "lms.request"]


def test_each_request_is_one_json_line_with_the_id_of_its_response(client, json_log):
    response = client.get("/healthz")

    (line,) = request_lines(json_log())
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["level"] == "INFO" and line["duration_ms"] >= 0
    assert "user_id" not in line and line["time"].endswith("+00:00")


def test_a_proxys_request_id_is_kept_and_a_forged_one_replaced(client, json_log):
    kept = client.get("/healthz", headers={"X-Request-ID": "7f3a9c1e-proxy.42"})
    forged = client.get(
        "/healthz", headers={"X-Request-ID": "<script>alert(1)</script> x"}
    )
    too_long = client.get("/healthz", headers={"X-Request-ID": "a" * 200})

    assert kept.headers["X-Request-ID"] == "7f3a9c1e-proxy.42"
    for response in (forged, too_long):
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    ids = [line["request_id"] for line in request_lines(json_log())]
    assert ids == [r.headers["X-Request-ID"] for r in (kept, forged, too_long)]


def test_a_signed_in_request_names_the_user(client, learner, json_log):
    sign_in(client)
    response = client.get("/me/learning")

    line = request_lines(json_log())[-1]
    assert response.status_code == 200 and line["path"] == "/me/learning"
    assert line["user_id"] == learner.id


def test_an_error_is_logged_with_its_traceback_and_the_user_sees_a_kind_page(
    app, json_log
):
    @app.get("/test/fail")
    def fail():
        raise RuntimeError("the kettle boiled over")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/test/fail")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert vi("Something went wrong on our side") in page
    assert "kettle" not in page and "Traceback" not in page
    request_id = response.headers["X-Request-ID"]
    (error,) = [line for line in json_log() if line["level"] == "ERROR"]
    assert error["request_id"] == request_id and error["path"] == "/test/fail"
    assert "RuntimeError: the kettle boiled over" in error["traceback"]
    assert request_lines(json_log())[-1]["status"] == 500


def test_a_refused_request_still_gets_an_id(app, json_log):
    @app.get("/test/forbidden")
    def forbidden():
        abort(403)

    response = app.test_client().get("/test/forbidden")
    (line,) = request_lines(json_log())
    assert line["status"] == 403 == response.status_code
    assert line["request_id"] == response.headers["X-Request-ID"]
