"""Running it for real: the README's commands as real processes."""

import json
import multiprocessing
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def environment(tmp_path):
    """What an operator exports: a database, a secret, an upload folder."""
    return os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'lms.sqlite3'}",
        "SECRET_KEY": "the same on every machine",
        "LMS_UPLOAD_DIR": str(tmp_path / "uploads"),
    }


def flask(environment, *args):
    return subprocess.run(
        [BIN / "flask", "--app", "app", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_first_steps_migrate_then_create_the_first_admin(environment):
    upgraded = flask(environment, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    admin = flask(
        environment,
        *("lms", "create-user", "--role", "admin", "--phone", "0912345678"),
        *("--name", "Quản trị viên", "--password", PASSWORD),
    )
    assert admin.returncode == 0, admin.stderr
    assert "Created admin Quản trị viên (+84912345678)." in admin.stdout
    again = flask(environment, "db", "upgrade")  # every release runs it again
    assert again.returncode == 0, again.stderr


@pytest.fixture
def set_up(environment):
    upgraded = flask(environment, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr


SERVERS = {
    "gunicorn": lambda port: [BIN / "gunicorn", "-c", "gunicorn.conf.py", "app:app"],
    "flask run": lambda port: [BIN / "flask", "--app", "app", "run", "--port", port],
}


@pytest.fixture
def serve(environment, tmp_path):
    """serve("gunicorn" or "flask run") on a free port -> (url, stop); stopped after."""
    started = []

    def start(kind):
        port = str(free_port())
        out, err = tmp_path / "access.log", tmp_path / "error.log"
        with out.open("w") as stdout, err.open("w") as stderr:
            server = subprocess.Popen(
                SERVERS[kind](port),
                cwd=ROOT,
                env=environment
                | {"LMS_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
                stdout=stdout,
                stderr=stderr,
            )
        started.append(server)
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, server, err)
        return url, lambda: stop(server, out, err, kind == "gunicorn")

    yield start
    for server in started:
        if server.poll() is None:
            server.kill()
            server.wait()


@pytest.fixture
def gunicorn(serve):
    """`gunicorn -c gunicorn.conf.py app:app` on a free port; stopped after."""
    return serve("gunicorn")


def wait_until_serving(url, server, err):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server stopped: {err.read_text()}")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers, healthy or not
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer: {err.read_text()}")


def answer(url, **headers):
    """(status, headers, text) of a GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.mark.parametrize("kind", SERVERS)
def test_a_server_on_a_database_never_set_up_says_so(environment, serve, kind):
    url, stop_server = serve(kind)
    assert answer(f"{url}/healthz")[0] == 503
    status, headers, page = answer(f"{url}/")
    assert status == 503 and "Trang web chưa được thiết lập" in page
    assert int(headers["Retry-After"]) > 0
    status, _, page = answer(f"{url}/login", **{"Accept-Language": "en"})
    assert status == 503 and "The site is not set up yet" in page

    set_up = flask(environment, "lms", "setup")
    assert set_up.returncode == 0, set_up.stderr
    assert answer(f"{url}/healthz")[0] == 200  # no restart needed
    assert answer(f"{url}/")[0] == 200
    _, error_log = stop_server()
    assert "flask --app app lms setup" in error_log


def stop(server, out, err, graceful=True):
    """Stop the server; gunicorn stops gracefully (0), Flask's by the signal."""
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == (0 if graceful else -signal.SIGTERM)
    return out.read_text(), err.read_text()


def test_gunicorn_serves_and_logs_each_request_with_its_id(set_up, gunicorn):
    url, stop_server = gunicorn
    request = urllib.request.Request(f"{url}/healthz")
    request.add_header("X-Request-ID", "nginx-7f3a9c1e0b")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response) == {"status": "ok"}
        assert response.headers["X-Request-ID"] == "nginx-7f3a9c1e0b"
    with urllib.request.urlopen(f"{url}/login", timeout=10) as response:
        generated = response.headers["X-Request-ID"]

    access_log, error_log = stop_server()
    access = access_log.splitlines()
    assert any(
        "GET /healthz" in line and "request_id=nginx-7f3a9c1e0b" in line
        for line in access
    )
    assert any(
        "GET /login" in line and f"request_id={generated}" in line for line in access
    )
    app_lines = [
        json.loads(line) for line in error_log.splitlines() if line.startswith("{")
    ]
    (healthz,) = [
        line for line in app_lines if line["request_id"] == "nginx-7f3a9c1e0b"
    ]
    assert (healthz["path"], healthz["status"]) == ("/healthz", 200)
    assert "Booting worker" in error_log  # gunicorn's own log stays on stderr


def settings(monkeypatch, **variables):
    """The gunicorn settings that gunicorn.conf.py makes from these variables."""
    for name in ("LMS_BIND", "WEB_CONCURRENCY", "LMS_PROXY_HOPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_settings_follow_the_environment(monkeypatch):
    default = settings(monkeypatch)
    assert default["bind"] == ["127.0.0.1:8000"]
    assert 3 <= default["workers"] <= 12
    assert default["timeout"] > 0 and default["graceful_timeout"] > 0
    chosen = settings(monkeypatch, LMS_BIND="0.0.0.0:80", WEB_CONCURRENCY="4")
    assert (chosen["bind"], chosen["workers"]) == (["0.0.0.0:80"], 4)
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be a whole number"):
        settings(monkeypatch, WEB_CONCURRENCY="many")


def test_gunicorn_believes_forwarded_headers_only_behind_a_proxy(monkeypatch):
    alone = settings(monkeypatch)
    assert alone["forwarded_allow_ips"] == "" and alone["secure_scheme_headers"] == {}
    proxied = settings(monkeypatch, LMS_PROXY_HOPS="1")
    assert proxied["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert "secure_scheme_headers" not in proxied  # gunicorn's: X-Forwarded-Proto


def _start_worker(barrier, key_file, keys):
    from lms.config import _kept_secret

    barrier.wait()
    keys.put(_kept_secret(key_file))


def test_workers_starting_together_share_one_generated_secret_key(tmp_path):
    """Without SECRET_KEY, every worker must sign sessions with the same key."""
    context = multiprocessing.get_context("fork")
    for attempt in range(10):
        key_file = tmp_path / f"secret_key_{attempt}"
        barrier, keys = context.Barrier(12), context.Queue()
        workers = [
            context.Process(target=_start_worker, args=(barrier, key_file, keys))
            for _ in range(12)
        ]
        for worker in workers:
            worker.start()
        found = {keys.get(timeout=30) for _ in workers}
        for worker in workers:
            worker.join(timeout=30)
        assert len(found) == 1 and found == {key_file.read_text()}
        assert key_file.stat().st_mode & 0o077 == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            f"secret_key_{n}" for n in range(attempt + 1)
        )


SERVE_ONE_REQUEST = """
from lms import create_app
create_app().test_client().get("/healthz", headers={"X-Request-ID": "probe-123456"})
"""


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_logs_are_json_lines_unless_a_person_reads_them(environment, log_format):
    served = subprocess.run(
        [sys.executable, "-c", SERVE_ONE_REQUEST],
        cwd=ROOT,
        env=environment | {"LMS_LOG_FORMAT": log_format},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 0, served.stderr
    lines = [line for line in served.stderr.splitlines() if "probe-123456" in line]
    if log_format == "json":
        assert json.loads(lines[0])["path"] == "/healthz"
    else:
        assert lines == []  # Flask's defaults: errors only, in plain text


def test_an_unknown_log_format_is_refused_clearly(monkeypatch, config):
    from lms import create_app
    from lms.config import ConfigurationError

    monkeypatch.setenv("LMS_LOG_FORMAT", "xml")
    with pytest.raises(ConfigurationError, match="LMS_LOG_FORMAT must be json or text"):
        create_app(config)
