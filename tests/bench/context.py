"""What every part gets: the database, a fresh site on it, and gunicorn to serve it."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "vải thiều chín đỏ"
LEARNER_PHONE = "0912345678"
COURSE = "livestream-selling"
# One phone signs in and then loads the pages: Flask-Login ties the session to the
# browser (basic protection), and a session signed in by another browser would be
# written again, Set-Cookie and all, on every request of the load.
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
LESSON = "plan-your-session"


@dataclass
class Site:
    """A prepared database: what the parts visit and sign in with."""

    config: dict
    certificate: str  # a real certificate's code
    learners: int
    progress_rows: int
    course: str = COURSE
    lesson: str = LESSON
    phone: str = LEARNER_PHONE
    password: str = PASSWORD
    # Phones that send lessons by sync, enrolled in every course with nothing
    # done, and every (course, lesson) they can send: each event a new lesson.
    sync_phones: list = field(default_factory=list)
    sync_lessons: list = field(default_factory=list)


@dataclass
class Server:
    """A gunicorn serving one WSGI app on 127.0.0.1."""

    process: subprocess.Popen
    url: str
    log: Path

    def worker_pids(self):
        pid = self.process.pid
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in text.split()]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Context:
    db: str  # "sqlite" or "postgres"
    database_url: str
    quick: bool
    workdir: Path
    learners: int | None = None  # reports: the big size (None: the part's default)
    provinces: int = 3  # reports: provinces of the official map the learners live in
    existing: bool = False  # reports: measure the database as it is, already filled
    notes: dict = field(default_factory=dict)  # figures one part leaves for another
    _site: Site | None = None

    def site(self):
        """The fresh database with the bundled courses and learners, made once."""
        if self._site is None:
            from tests.bench.dataset import prepare

            self._site = prepare(self)
        return self._site

    def bench_config(self):
        return {
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "LMS_UPLOAD_DIR": str(self.workdir / "uploads"),
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }

    def serve(self, target, workers=2, threads=1):
        """Start gunicorn on ``target`` ("module:app") on a free port; wait for it.

        ``threads`` above 1 gives gthread workers, for a browser talking to
        gunicorn with no nginx in front (see the lighthouse part).
        """
        port = free_port()
        command = [sys.executable, "-m", "gunicorn", "-w", str(workers)]
        if threads > 1:
            command += ["--threads", str(threads)]
        command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]
        command += ["--no-control-socket"]  # several may run at once
        if (ROOT / "gunicorn.conf.py").exists():
            command += ["-c", str(ROOT / "gunicorn.conf.py")]
        env = dict(os.environ, LMS_BENCH_CONFIG=json.dumps(self.bench_config()))
        # Access and request logs go to a file: a line per request would bury the
        # table, and writing them to a file is what a real server does too.
        log = self.workdir / f"gunicorn-{port}.log"
        with log.open("ab") as output:
            process = subprocess.Popen(
                [*command, target],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        server = Server(process, f"http://127.0.0.1:{port}", log)
        wait_until_up(server)
        return server

    def sign_in(self, base_url, phone=None):
        """Sign in through the real form (as the bench's learner, or ``phone``);
        return (cookie header, CSRF token)."""
        site = self.site()
        browser = requests.Session()
        browser.headers["User-Agent"] = PHONE_USER_AGENT
        page = browser.get(f"{base_url}/login", timeout=30).text
        answer = browser.post(
            f"{base_url}/login",
            data={
                "csrf_token": meta_or_input(page, "csrf_token"),
                "phone": phone or site.phone,
                "password": site.password,
            },
            timeout=30,
        )
        lesson = browser.get(
            f"{base_url}/courses/{site.course}/lessons/{site.lesson}", timeout=30
        )
        if answer.status_code != 200 or "logout" not in lesson.text:
            raise RuntimeError(f"sign-in failed: {answer.status_code}")
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        return cookie, meta_or_input(lesson.text, "csrf-token")


def signed_in(app, phone, password, user_agent=None, address=None):
    """A test client signed in through the sign-in form, as a person would
    (with ``user_agent`` and ``address``, the browser and address it sends
    every request with)."""
    client = app.test_client()
    if user_agent is not None:
        client.environ_base["HTTP_USER_AGENT"] = user_agent
    if address is not None:
        client.environ_base["REMOTE_ADDR"] = address
    page = client.get("/login").get_data(as_text=True)
    answer = client.post(
        "/login",
        data={
            "csrf_token": meta_or_input(page, "csrf_token"),
            "phone": phone,
            "password": password,
        },
    )
    if answer.status_code != 302 or "/login" in answer.location:
        raise RuntimeError(f"{phone} could not sign in: {answer.status_code}")
    return client


def meta_or_input(html, name):
    """The value of <meta name=...> or <input name=...> in a page."""
    import re

    pattern = rf'name="{re.escape(name)}"[^>]*?(?:content|value)="([^"]+)"'
    match = re.search(pattern, html)
    if match is None:
        raise RuntimeError(f"no {name} in the page")
    return match.group(1)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(server, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            code = server.process.returncode
            tail = server.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"gunicorn exited with {code}: {tail}")
        try:
            requests.get(server.url + "/healthz", timeout=10)
            return
        except requests.RequestException:  # not listening, or still importing
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("gunicorn did not start in time")
