"""Database engine settings that the URL alone cannot carry."""

from contextlib import contextmanager

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import event

from lms.extensions import db

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def configure_engine(engine):
    """Make SQLite safe for several workers: WAL, foreign keys, immediate writes."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLite's lower() knows only ASCII; searches fold Vietnamese case with this.
        dbapi_connection.create_function(
            "casefold", 1, _casefold, deterministic=True
        )

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A transaction that will write takes the write lock at once, so two
        # workers never deadlock upgrading read locks ("database is locked").
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes() else "BEGIN")


@contextmanager
def reading():
    """Run a block that only reads in a read transaction of its own, then end it.

    On SQLite a POST's transactions take the write lock as they begin. Slow work
    that only reads, such as checking a password (argon2 takes a tenth of a second
    or more), must not hold it: every other worker's write would queue behind it
    until SQLite gives up with "database is locked". Whatever the block changes is
    rolled back; inside a transaction that is already open it runs as it is.
    """
    if db.session().in_transaction():
        yield
        return
    g.lms_reading = True
    try:
        yield
    finally:
        g.lms_reading = False
        db.session.rollback()


def _casefold(text):
    return text.casefold() if isinstance(text, str) else text


def _writes():
    if has_app_context() and g.get("lms_reading", False):
        return False  # a request's or a background job's read (see reading())
    if not has_request_context():
        return True
    return request.method not in READ_METHODS
