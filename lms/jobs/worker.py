"""`flask --app app lms worker`: run background jobs from the queue."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.jobs import queue


@click.command("worker")
@click.option(
    "--threads", default=2, show_default=True, help="Jobs run at the same time."
)
@with_appcontext
def worker_command(threads):
    """Run the jobs that web processes queue (exports), until stopped.

    Needed when LMS_JOB_QUEUE_URL is a Redis URL (several machines); start one
    or more, on any machine with the same settings. Jobs a stopped worker left
    half done are run again. SIGINT stops after the running jobs; SIGTERM at once.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    jobs = queue(current_app)
    click.echo(f"Running jobs from {jobs.describe()} with {threads} threads.")
    jobs.worker(threads).run()
