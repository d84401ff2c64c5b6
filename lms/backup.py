"""Back up and restore the database while the application runs.

SQLite goes through its online backup API, which copies a consistent snapshot
page by page while other processes read and write. PostgreSQL goes through
`pg_dump -Fc` and `pg_restore`, which must be installed (postgresql-client).
"""

import os
import re
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRES_MAGIC = b"PGDMP"
# A table every database of this application has: a backup without it is
# some other program's.
MARKER_TABLE = "user"
KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore that could not be done; nothing was changed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def database_kind(url):
    """ "SQLite" or "PostgreSQL" for a SQLAlchemy URL; BackupError for others."""
    backend = make_url(url).get_backend_name()
    if backend not in KINDS:
        raise BackupError(f"cannot back up a {backend} database")
    return KINDS[backend]


def backup_database(url, path):
    """Write a backup of the database at ``url`` to ``path``; return its kind."""
    kind = database_kind(url)
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(f"there is no folder {path.parent}: nothing was backed up")
    partial = path.with_name(path.name + ".partial")
    try:
        if kind == "SQLite":
            _sqlite_backup(_sqlite_file(url), partial)
            _standalone(partial)
        else:
            _postgres(url, "pg_dump", "--format=custom", f"--file={partial}")
        partial.chmod(0o600)  # phone numbers and password hashes: owner only
        os.replace(partial, path)  # a backup file is always a complete one
    finally:
        partial.unlink(missing_ok=True)
    return kind


def check_backup(url, path):
    """Raise BackupError unless ``path`` is a backup this database can restore."""
    kind = database_kind(url)
    with open(path, "rb") as file:
        start = file.read(len(SQLITE_MAGIC))
    not_ours = BackupError(
        f"{path} is not a backup of a {kind} database of this application: "
        "nothing was restored"
    )
    if kind == "SQLite":
        if not start.startswith(SQLITE_MAGIC) or not _sqlite_is_ours(path):
            raise not_ours
    else:
        if not start.startswith(POSTGRES_MAGIC):
            raise not_ours
        listing = _postgres_listing(path)
        if not re.search(rf'^\d+; .* TABLE \S+ "?{MARKER_TABLE}"? ', listing, re.M):
            raise not_ours
    return kind


def restore_database(url, path):
    """Replace the database at ``url`` with the backup in ``path``, all or nothing."""
    kind = check_backup(url, path)
    if kind == "SQLite":
        _sqlite_backup(str(path), _sqlite_file(url))
    else:
        _postgres(
            url,
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(path),
        )
    return kind


def _sqlite_file(url):
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _sqlite_backup(source_file, target_file):
    """Copy one SQLite database onto another through the online backup API."""
    try:
        source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True, timeout=30)
        target = sqlite3.connect(target_file, timeout=30)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite: {error}") from None
    try:
        source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite: {error}") from None
    finally:
        target.close()
        source.close()


def _standalone(path):
    """Make a copied SQLite file one self-contained file (no -wal beside it)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def _sqlite_is_ours(path):
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            checked = connection.execute("PRAGMA quick_check").fetchone()[0]
            found = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                (MARKER_TABLE,),
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return False
    return checked == "ok" and found is not None


def _postgres_listing(path):
    result = _run(["pg_restore", "--list", str(path)], os.environ)
    return result.stdout if result.returncode == 0 else ""


def _postgres(url, program, *arguments):
    """Run a PostgreSQL client program on the database at ``url``."""
    url = make_url(url)
    # libpq reads the password from the environment, not the visible command line.
    environment = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    conninfo = url.set(drivername="postgresql", password=None)
    dbname = conninfo.render_as_string(hide_password=False)
    result = _run([program, *arguments, f"--dbname={dbname}"], environment)
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()}")


def _run(command, environment):
    try:
        return subprocess.run(
            command, env=environment, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} was not found: install the PostgreSQL client programs"
        ) from None
