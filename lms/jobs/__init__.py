"""The job queue: long work (exports) done in the background, with Huey.

``LMS_JOB_QUEUE_URL`` chooses the queue's storage:

- ``sqlite:///path`` (the default, a file under instance/): the process that
  serves pages also runs the jobs, in a thread started with the first job or
  job page (``python app.py`` starts it at once). Nothing else to install or run.
- ``redis://host:6379/1``: jobs wait in Redis and ``flask --app app lms worker``
  runs them, on any machine; web processes only queue them.

The queue carries only a job's id; the ``job`` row says what to do and how far it
got. A worker that dies mid-job leaves a row whose heartbeat stops; any worker
looking after the jobs (every minute, and as it starts) queues it again, and the
first to claim it runs it. See lms.jobs.runner.
"""

import threading

from huey import RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from lms.jobs import runner

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class JobQueue:
    """One application's queue: the Huey instance, its tasks, its consumer."""

    def __init__(self, app, url):
        self.app = app
        self.url = url
        self.embedded = not url.startswith(REDIS_SCHEMES)
        self.consumer = None
        self._huey = None
        self._lock = threading.RLock()

    @property
    def huey(self):
        """The Huey instance, made on first use (a SQLite queue is a file)."""
        with self._lock:
            if self._huey is None:
                self._huey = self._make_huey()
        return self._huey

    def describe(self):
        """Where the queue is, for people: the file or the Redis host, no password."""
        if self.embedded:
            return self.url.removeprefix("sqlite:///")
        return self.url.rsplit("@", 1)[-1]

    def _make_huey(self):
        if self.embedded:
            filename = self.url.removeprefix("sqlite:///")
            huey = SqliteHuey("lms-jobs", filename=filename, results=False)
        else:
            huey = RedisHuey("lms-jobs", url=self.url, results=False)
        self.run_task = huey.task(name="run_job")(self._run)
        self.look_after_task = huey.periodic_task(
            crontab(minute="*"), name="look_after_jobs"
        )(self._look_after)
        return huey

    def _run(self, job_id):
        runner.run_job(self.app, job_id)

    def _look_after(self):
        for job_id in runner.look_after(self.app):
            self.run_task(job_id)

    def enqueue(self, job_id):
        self.huey.enqueue(self.run_task.s(job_id))
        if self.embedded:
            self.start_embedded()

    def start_embedded(self):
        """Run jobs in this process, in threads (once; for the embedded queue)."""
        huey = self.huey
        with self._lock:
            if self.consumer is None:
                self.consumer = EmbeddedConsumer(
                    huey, workers=1, worker_type="thread", max_delay=1.0
                )
                self.consumer.start()
                huey.enqueue(self.look_after_task.s())  # what a past run left

    def stop(self):
        with self._lock:
            if self.consumer is not None:
                self.consumer.stop(graceful=True)
                self.consumer = None

    def worker(self, workers):
        """A consumer for ``lms worker``: the main thread, stopped by a signal."""
        self.huey.enqueue(self.look_after_task.s())
        return Consumer(self.huey, workers=workers, worker_type="thread", max_delay=1.0)


class EmbeddedConsumer(Consumer):
    """A consumer inside the web server, which keeps its own signal handlers."""

    def _set_signal_handlers(self):
        pass


def init_app(app):
    app.extensions["lms_jobs"] = JobQueue(app, app.config["LMS_JOB_QUEUE_URL"])


def queue(app):
    return app.extensions["lms_jobs"]
