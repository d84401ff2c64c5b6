"""Entry point: `python app.py` sets up the database and serves on port 5000."""

import os

import click

from lms import create_app
from lms.jobs import queue

if __name__ == "__main__":
    os.environ.setdefault("LMS_LOG_FORMAT", "text")  # a person reads this terminal
    # Links and QR codes point where this server listens (README: LMS_PUBLIC_URL).
    host = os.environ.get("HOST", "127.0.0.1")
    host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    port = os.environ.get("PORT", "5000")
    os.environ.setdefault("LMS_PUBLIC_URL", f"http://{host}:{port}")

app = create_app()

if __name__ == "__main__":
    from lms.cli import setup

    with app.app_context():
        try:
            setup()  # migrations, sample areas, bundled courses; idempotent
        except click.ClickException as error:
            error.show()
            raise SystemExit(1) from None
    jobs = queue(app)
    if jobs.embedded:
        jobs.start_embedded()  # exports run in this process: nothing else to start
    app.run(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
    )
