"""Database engine settings that the URL alone cannot carry."""

from flask import has_request_context, request
from sqlalchemy import event

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

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A transaction that will write takes the write lock at once, so two
        # workers never deadlock upgrading read locks ("database is locked").
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes() else "BEGIN")


def _writes():
    return not has_request_context() or request.method not in READ_METHODS
