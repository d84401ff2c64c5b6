"""Bulk writes of the demo data: COPY on PostgreSQL, executemany on SQLite.

The rows go to the database driver as they are, without SQLAlchemy's
per-row statement building: at a million learners (some 30 million lesson
completions) that building cost more than the database's own work. The
secondary indexes of the tables written are dropped for the load and built
again once at the end, which sorts each index once instead of inserting into it
row by row (and on PostgreSQL so are the foreign keys); all of it in the
caller's transaction.
"""

import json
from datetime import date, datetime
from operator import itemgetter

from sqlalchemy import text

from lms.extensions import db

SQLITE_CACHE_KIB = 1_000_000  # the page cache during the load, about 1 GB
PG_SORT_MEMORY = "512MB"  # for building the indexes again


def _sqlite_value(value):
    """The text SQLAlchemy stores for a date, time or JSON value on SQLite."""
    kind = type(value)
    if kind is datetime:
        written = value.isoformat(" ")
        return written if value.microsecond else written + ".000000"
    if kind is date:
        return value.isoformat()
    if kind is dict or kind is list:
        return json.dumps(value)
    return value


def _copy_value(value):
    return json.dumps(value) if isinstance(value, dict | list) else value


class Bulk:
    """Writes rows (dicts with the same keys) straight through the driver."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.driver = connection.connection.driver_connection
        self.dropped = []
        self.keys = []  # (table, name, definition) of the foreign keys dropped
        self.cache = None

    def write(self, model, rows):
        if not rows:
            return
        table = model.__table__.name
        columns = list(rows[0])
        values = itemgetter(*columns)
        names = ", ".join(f'"{c}"' for c in columns)
        if self.postgres:
            cursor = self.driver.cursor()
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([_copy_value(v) for v in values(row)])
            return
        marks = ", ".join("?" * len(columns))
        self.driver.cursor().executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
            ([_sqlite_value(v) for v in values(row)] for row in rows),
        )

    def start(self, models):
        """Before the load: a large cache (SQLite), the secondary indexes gone and,
        on PostgreSQL, the foreign keys (checked row by row, each locking the row it
        points to), added back and checked in one pass each at the end."""
        if self.postgres:
            self.connection.exec_driver_sql(
                f"SET LOCAL maintenance_work_mem = '{PG_SORT_MEMORY}'"
            )
            self.keys = self.connection.execute(
                text(
                    "SELECT conrelid::regclass::text, conname,"
                    " pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE contype = 'f'"
                    " AND conrelid = ANY(CAST(:tables AS regclass[]))"
                    " ORDER BY 1, 2"
                ),
                {"tables": [f'"{m.__table__.name}"' for m in models]},
            ).all()
            for table, name, _ in self.keys:
                self.connection.exec_driver_sql(
                    f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'
                )
        else:
            self.cache = self.connection.exec_driver_sql("PRAGMA cache_size").scalar()
            self.connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        for model in models:
            for index in sorted(model.__table__.indexes, key=lambda i: i.name):
                if not index.unique and _exists(self.connection, index):
                    index.drop(self.connection)
                    self.dropped.append(index)

    def finish(self):
        """After the load: the indexes back, the cache as it was."""
        for index in self.dropped:
            index.create(self.connection)
        self.dropped = []
        for table, name, definition in self.keys:
            self.connection.exec_driver_sql(
                f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
            )
        self.keys = []
        if self.cache is not None:
            self.connection.exec_driver_sql(f"PRAGMA cache_size = {self.cache}")
            self.cache = None


def _exists(connection, index):
    if connection.dialect.name == "postgresql":
        sql = "SELECT 1 FROM pg_indexes WHERE indexname = :name"
    else:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :name"
    return connection.execute(text(sql), {"name": index.name}).first() is not None


def fix_sequences():
    """PostgreSQL: move the id sequences past the ids written here."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in ("user", "classroom"):
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT max(id) FROM "{table}"))'
            )
        )


def analyze():
    """After a bulk load (and its commit): refresh the planner's statistics and,
    on PostgreSQL, the visibility map, without which counts cannot be answered
    from the indexes alone (autovacuum would get there, later)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as connection:
            # Statistics from a sample of each index: minutes fewer on a big file.
            connection.execute(text("PRAGMA analysis_limit = 1000"))
            connection.execute(text("ANALYZE"))
