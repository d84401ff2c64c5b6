"""Database engine settings that the URL alone cannot carry.

SQLite allows one writer at a time. Every transaction here begins as a reader
(``BEGIN``, which never waits in WAL mode); the first statement that writes ends
that read snapshot and takes the write lock (``BEGIN IMMEDIATE``, which waits up
to the busy timeout). So a request holds the lock from its first write to its
commit, not while it reads, renders, hashes or copies files before that.

What was read before the first write may have changed by the time the lock is
taken, exactly as between two statements on PostgreSQL (READ COMMITTED): checks
that must hold at the moment of writing are made by the writing statement itself
(a unique constraint, ``UPDATE ... WHERE``, a version column).

A savepoint is not a write: savepoints opened while reading are opened again, in
the same order, in the write transaction (nothing was written in them, so they
mark the same state). A request that opens one per event, or per insert that may
already exist, holds the lock from its first INSERT, not from its first savepoint.
"""

import errno
import functools
import unicodedata
from contextlib import contextmanager

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from lms.collation import unaccent
from lms.extensions import db

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
SAVEPOINTS = "lms_savepoints"  # the savepoints opened while reading, in order

# The reasons a database cannot take a write just now, by SQLite result code
# (the primary code: the low byte) and by PostgreSQL SQLSTATE.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL = 5, 6, 13
POSTGRES_BUSY = {"40001", "40P01", "55P03"}  # serialization, deadlock, lock timeout
POSTGRES_FULL = {"53100"}  # disk full
VERSION_TABLE = "alembic_version"  # where Alembic keeps the schema's revision


def configure_engine(engine, busy_timeout_ms=5000):
    """Make SQLite safe for several workers: WAL, foreign keys, late write lock.

    A write waits up to ``busy_timeout_ms`` for the lock, then the request
    answers 503 with Retry-After (lms.views.availability).
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let the "begin" listener below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLite's lower() knows only ASCII; searches fold Vietnamese case with this.
        dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)
        dbapi_connection.create_function("unaccent", 1, _unaccent, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")
        connection.info["lms_writing"] = False
        connection.info[SAVEPOINTS] = []

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection):
        connection.info["lms_writing"] = True  # no transaction: nothing to upgrade

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(connection, cursor, statement, _params, context, _many):
        if connection.info.get("lms_writing", True):
            return
        if _savepoint(connection.info.setdefault(SAVEPOINTS, []), statement):
            return
        if not _writes(statement, context):
            return
        if not cursor.connection.in_transaction:  # the connection commits each one
            return
        # Upgrading a read transaction in place would fail at once, without
        # waiting, whenever another worker holds the lock or has committed since
        # the snapshot: end the read and begin a write transaction that waits.
        opened = connection.info[SAVEPOINTS]
        cursor.execute("COMMIT")
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except connection.dialect.dbapi.Error:
            # Busy for too long: read on as before, savepoints and all, so that
            # rolling back to them works; the error says why the write failed.
            cursor.execute("BEGIN")
            _open(cursor, opened)
            raise
        connection.info["lms_writing"] = True
        _open(cursor, opened)


def _open(cursor, savepoints):
    for name in savepoints:
        cursor.execute(f"SAVEPOINT {name}")


def _savepoint(opened, statement):
    """Keep ``opened`` up to date if ``statement`` opens, releases or rolls back
    to a savepoint (True), while the transaction only reads."""
    if not statement[:12].lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLL")):
        return False  # most statements: no need to split them into words
    words = statement.split()
    if len(words) == 2 and words[0].upper() == "SAVEPOINT":
        opened.append(words[1])
        return True
    if len(words) >= 2 and words[0].upper() in ("RELEASE", "ROLLBACK"):
        name = words[-1]
        if words[-2].upper() == "SAVEPOINT" and name in opened:
            # RELEASE ends the savepoint and those opened after it; ROLLBACK TO
            # keeps the savepoint itself.
            del opened[opened.index(name) + (words[0].upper() == "ROLLBACK") :]
            return True
    return False


def _writes(statement, context):
    if context is not None and (
        context.isinsert or context.isupdate or context.isdelete
    ):
        return True
    return statement.lstrip().upper().startswith(WRITES)


@contextmanager
def reading():
    """Run a block that only reads in a transaction of its own, then end it.

    Whatever the block changes is rolled back; inside a transaction that is
    already open it runs as it is. (Reading never holds SQLite's write lock: see
    the module's docstring.)
    """
    if db.session().in_transaction():
        yield
        return
    try:
        yield
    finally:
        db.session.rollback()


def insert_once(row):
    """Add ``row`` in a savepoint; False, and nothing added, if a unique constraint
    says it exists (a double submit, or another request at the same moment)."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def unavailable_reason(error):
    """'busy', 'lost' or 'full' when ``error`` says the database cannot write
    just now ('lost': the server dropped the connection; the next request gets a
    new one).

    The reason may be further down the chain: after SQLITE_FULL, SQLite rolls
    the whole transaction back, and releasing a savepoint then fails too.
    """
    seen = 0
    while error is not None and seen < 10:
        reason = _reason(error)
        if reason:
            return reason
        error, seen = error.__cause__ or error.__context__, seen + 1
    return None


def _reason(error):
    if isinstance(error, OSError):
        return "full" if error.errno == errno.ENOSPC else None
    if getattr(error, "connection_invalidated", False):
        return "lost"  # the server dropped the connection: the pool makes new ones
    original = getattr(error, "orig", error)
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        code &= 0xFF
        if code in (SQLITE_BUSY, SQLITE_LOCKED):
            return "busy"
        return "full" if code == SQLITE_FULL else None
    state = getattr(original, "sqlstate", None)
    if state in POSTGRES_BUSY:
        return "busy"
    return "full" if state in POSTGRES_FULL else None


@functools.cache
def latest_revisions(directory):
    """The head revisions of the migrations in ``directory``."""
    config = Config()
    config.set_main_option("script_location", str(directory))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def schema_is_current(engine, directory):
    """Is the database's schema at the latest migration? (Errors propagate.)"""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(VERSION_TABLE):
            return False
        current = connection.scalars(
            sa.text(f"SELECT version_num FROM {VERSION_TABLE}")
        )
        return frozenset(current) == latest_revisions(directory)


def _casefold(text):
    return text.casefold() if isinstance(text, str) else text


def _unaccent(text):
    return unaccent(text) if isinstance(text, str) else text


def _marked_letters():
    """{composed letter with marks: its bare ASCII letter}, Vietnamese's and the
    other Latin ones, both cases: what PostgreSQL's translate() takes off."""
    pairs = {}
    for letter in map(chr, range(0x00C0, 0x1EFA)):
        bare = unaccent(letter)
        if len(bare) == 1 and bare.isascii() and bare != letter.casefold():
            pairs[letter] = bare
    return pairs


_MARKED = _marked_letters()


def unaccented(column):
    """``column`` in lower case without Vietnamese marks ("Đỗ Thị Ánh" -> "do thi
    anh"), for searches typed without them; the same on both databases."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.unaccent(column)
    # Marks off first, then lower(): what is left is ASCII, whatever the locale.
    marked, bare = "".join(_MARKED), "".join(_MARKED.values())
    return sa.func.lower(sa.func.translate(column, marked, bare))


def casefolded(column):
    """``column`` in lower case, Vietnamese letters too, for searches by name.

    PostgreSQL's lower() folds every letter; SQLite's only ASCII, so there each
    connection has ``casefold`` (above)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.casefold(column)
    return sa.func.lower(column)


def name_contains(column, word):
    """A filter: the name in ``column`` contains the typed ``word`` in any case.

    A word typed without tone marks ("duc", or "đuc" with only its đ) matches
    with or without them ("Đức", "Duc"); one typed with marks matches them
    exactly ("Đức" only). Typed decomposed, as some phones send, it is composed
    first, as names are kept.
    """
    word = unicodedata.normalize("NFC", word).casefold()
    plain = unaccent(word)
    if plain == word.replace("đ", "d"):  # no marks but perhaps the đ
        return unaccented(column).contains(plain, autoescape=True)
    return casefolded(column).contains(word, autoescape=True)


def lock_person(user_id):
    """Wait for any other transaction that holds this person, then hold them.

    What is decided from a person's rows (certificates issued, revoked) must not
    interleave with another request deciding the same: each waits its turn and
    then reads what the other committed."""
    lock_row("user", user_id, "session_version")


def lock_row(table, row_id, unused_column):
    """Wait for any other transaction that holds this row, then hold it until
    the end of the transaction; what is read next includes what the other
    committed (objects already loaded must be read again: ``Session.refresh``).

    PostgreSQL locks the row; SQLite has one write lock, and any write takes it
    with a fresh view (see ``configure_engine``), so a write that changes
    nothing does: ``unused_column``, one no key or index uses, is set to itself.
    """
    row = sa.table(table, sa.column("id"), sa.column(unused_column))
    if db.session.get_bind().dialect.name == "sqlite":
        same = {unused_column: row.c[unused_column]}
        statement = sa.update(row).where(row.c.id == row_id).values(same)
    else:
        statement = sa.select(row.c.id).where(row.c.id == row_id).with_for_update()
    db.session.execute(statement)
