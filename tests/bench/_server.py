"""A fresh database with people in it, and real gunicorn serving it.

Used by the load and fault bench (tests/bench/load.py); not collected by pytest.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
# Picked up when present (command-line options still win: workers and bind).
CONFIG_FILE = ROOT / "gunicorn.conf.py"
PASSWORD = "vải thiều chín đỏ"
FARMER_PHONE = "+8491{:07d}"
TRAINER_PHONE = "+8498{:07d}"
OFFICIAL_PHONE = "+8497{:07d}"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def drop_everything(url):
    """Empty a PostgreSQL database: drop and recreate its public schema."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def server_environment(database_url, upload_dir, redis_url):
    """The environment gunicorn and the CLI run with (one secret for every start)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        LMS_UPLOAD_DIR=str(upload_dir),
        LMS_RATELIMIT_STORAGE_URI=redis_url,
        PYTHONPATH=str(ROOT),
    )
    return env


def run_setup(env):
    """`flask --app app lms setup`: migrations, sample areas, bundled courses."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "lms", "setup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"lms setup failed:\n{done.stdout}{done.stderr}")


def populate(app, farmers, trainers, officials):
    """Create the accounts the load needs, in bulk, and the trainers' classes.

    Every account has the same password, hashed once with the production
    parameters, so signing in costs what it costs for real. Farmers are split
    between the trainers' classes, which enrol them in every course.
    """
    from lms.collation import name_sort_keys
    from lms.extensions import db
    from lms.models import Area, Course, User
    from lms.services.classes import create_class, join_class
    from lms.services.passwords import hash_password

    with app.app_context():
        communes = db.session.scalars(
            sa.select(Area).where(Area.kind == "commune").order_by(Area.code)
        ).all()
        province = db.session.scalar(sa.select(Area).where(Area.parent_id.is_(None)))
        courses = [
            course
            for course in db.session.scalars(
                sa.select(Course).order_by(Course.position)
            )
            if course.is_published
        ]
        password_hash = hash_password(PASSWORD)

        def commune(i):
            return communes[i % len(communes)]

        def rows(phone, count, role, name, area_of):
            return [
                {
                    "phone": phone.format(i),
                    "name": f"{name} {i}",
                    **name_sort_keys(f"{name} {i}"),
                    "role": role,
                    "area_id": area_of(i).id,
                    "password_hash": password_hash,
                }
                for i in range(count)
            ]

        db.session.execute(
            sa.insert(User),
            rows(FARMER_PHONE, farmers, "learner", "Nông dân", commune)
            + rows(
                TRAINER_PHONE, trainers, "trainer", "Giảng viên", communes.__getitem__
            )
            + rows(OFFICIAL_PHONE, officials, "official", "Cán bộ", lambda i: province),
        )
        people = {u.phone: u for u in db.session.scalars(sa.select(User))}
        classes = []
        for t in range(trainers):
            trainer = people[TRAINER_PHONE.format(t)]
            classes.append(
                create_class(trainer, f"Lớp {t}", None, "", trainer.area, courses)
            )
        for f in range(farmers):
            join_class(people[FARMER_PHONE.format(f)], classes[f % trainers])
        db.session.commit()
        return {
            "farmers": [FARMER_PHONE.format(f) for f in range(farmers)],
            "trainers": [
                (TRAINER_PHONE.format(t), classes[t].id) for t in range(trainers)
            ],
            "officials": [OFFICIAL_PHONE.format(o) for o in range(officials)],
            "courses": [_course_plan(course) for course in courses],
        }


def _course_plan(course):
    quiz = course.live_quiz
    return {
        "slug": course.slug,
        "lessons": [lesson.slug for lesson in course.active_lessons],
        "questions": {q["id"]: [c["id"] for c in q["choices"]] for q in quiz.questions}
        if quiz
        else {},
    }


class Gunicorn:
    """Real gunicorn on 127.0.0.1, started, killed and restarted on one port."""

    def __init__(self, env, log_path, workers=4, port=None):
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def command(self):
        command = [sys.executable, "-m", "gunicorn"]
        if CONFIG_FILE.exists():
            command += ["-c", str(CONFIG_FILE)]
        return command + [
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "app:app",
        ]

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready()

    def wait_ready(self, timeout=60):
        """Wait until /healthz answers and every worker is up."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                healthy = requests.get(self.url + "/healthz", timeout=5).ok
            except requests.RequestException:
                healthy = False
            if healthy and len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not get ready; see {self.log_path}")

    def worker_pids(self):
        return [pid for pid in _live_pids() if _parent(pid) == self.process.pid]

    def kill_worker(self):
        """kill -9 one worker and wait for the master to replace it."""
        victim = self.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        end = time.monotonic() + 60
        while victim in self.worker_pids() and time.monotonic() < end:
            time.sleep(0.05)
        self.wait_ready()
        return victim

    def kill_server(self):
        """kill -9 the master and every worker, then start again on the same port."""
        victims = [self.process.pid, *self.worker_pids()]
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        self.process.wait()
        end = time.monotonic() + 30
        while set(victims) & set(_live_pids()) and time.monotonic() < end:
            time.sleep(0.05)
        self.start()
        return victims

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _live_pids():
    """Process ids that are running (zombies waiting to be reaped are not)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _state(entry.name) not in (None, "Z", "X"):
            pids.append(int(entry.name))
    return pids


def _stat(pid):
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()  # state, ppid, ...


def _state(pid):
    fields = _stat(pid)
    return fields[0] if fields else None


def _parent(pid):
    fields = _stat(pid)
    return int(fields[1]) if fields else None
