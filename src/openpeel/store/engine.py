"""Opening the workspace store: which database, how its connections behave, and migrations.

SQLite (the default, one file in the home folder) runs in WAL mode, so readers never wait for a
writer, with a busy timeout so writers queue instead of failing, and foreign keys on. Writers
start with BEGIN IMMEDIATE: two processes appending to the audit chain take turns instead of
both reading the same chain head. On PostgreSQL a transaction-scoped advisory lock does the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from openpeel.core.errors import OpenpeelError, StorageError, storage_error
from openpeel.store.keys import AuditKeys, attach

StoreConnection = sa.Connection
BUSY_TIMEOUT_MS = 30_000
# Any constant: the key of the one advisory lock every PostgreSQL writer takes.
WRITE_LOCK_KEY = 0x6F70656E7065656C % (2**63)
_WRITE = "openpeel_write"
_READ_ONLY = "openpeel_read_only"
_NO_SAVEPOINTS = "openpeel_no_savepoints"
_AFTER_COMMIT = "openpeel_after_commit"


def _driver_url(url: str) -> sa.URL:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise OpenpeelError(
            f"not a database URL: {url!r}; use e.g. postgresql://user@host:5432/openpeel or sqlite:///path/workspace.sqlite"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        # A plain postgresql:// URL means psycopg 3, the driver openpeel installs.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise OpenpeelError(f"unsupported workspace store {parsed.drivername!r}: use sqlite or postgresql")
    return parsed


def _sqlite_events(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself (pysqlite's own handling would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get(_WRITE) else "BEGIN")


def _require_psycopg() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise OpenpeelError(
            "a PostgreSQL workspace store needs the psycopg driver: pip install 'openpeel[postgres]'"
        ) from None


# SQLite's words and PostgreSQL's SQLSTATEs for a write the disk or the database refused.
_SQLITE_FULL = ("database or disk is full",)
_SQLITE_READ_ONLY = ("attempt to write a readonly database", "readonly database")
_SQLITE_CANT_OPEN = ("unable to open database file",)
_PG_FULL = {"53100", "53200"}  # disk_full, out_of_memory
_PG_REFUSED = {"42501", "25006"}  # insufficient_privilege, read_only_sql_transaction


def _refused(exc: sa.exc.DBAPIError, where: str, backend: str) -> StorageError | None:
    """A full disk or a refused write as one line naming the store and what is needed."""
    text = str(exc.orig).lower()
    state = getattr(exc.orig, "sqlstate", None)
    if any(w in text for w in _SQLITE_FULL) or state in _PG_FULL:
        needed = (
            "the disk it is on is full: free some space there (or move the store: --store or "
            "OPENPEEL_STORE) and run the command again"
            if backend == "sqlite"
            else "the database server is out of disk space: its administrator needs to free some"
        )
    elif any(w in text for w in _SQLITE_READ_ONLY):
        needed = (
            "it is read-only to this user: openpeel needs write access to the file and to its folder "
            "(SQLite writes -wal and -shm files beside it)"
        )
    elif any(w in text for w in _SQLITE_CANT_OPEN):
        needed = "it cannot be opened: its folder must exist and be writable by the user running openpeel"
    elif state in _PG_REFUSED:
        needed = (
            "the database refused the write (a read-only server or transaction, or no privilege): the "
            "role in the store URL needs to write openpeel's tables"
        )
    else:
        return None
    return StorageError(f"cannot write the workspace store {where}: {needed}; nothing was changed")


class Store:
    """The workspace database: `write()` for a transaction that changes it, `read()` to look."""

    def __init__(self, url: str, *, audit_key: str | None = None, head_log: Path | None = None) -> None:
        parsed = _driver_url(url)
        self.url = url
        self.backend = parsed.get_backend_name()
        if self.backend == "sqlite" and parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                problem = storage_error(exc, "create the workspace store's folder")
                if problem is None:
                    raise
                raise problem from None
        kwargs: dict[str, Any]
        if self.backend == "postgresql":
            _require_psycopg()
            # Enough connections for the web app's worker threads (40) without queueing for one.
            kwargs = {"pool_size": 10, "max_overflow": 40, "pool_timeout": 60, "pool_pre_ping": True}
        else:
            # An SQLite connection is a file handle: opening one costs microseconds, and without a
            # pool no request can wait for a connection another request holds.
            kwargs = {"poolclass": sa.pool.NullPool}
        self.engine = sa.create_engine(parsed, **kwargs)
        if self.backend == "sqlite":
            _sqlite_events(self.engine)
        self.keys = AuditKeys.for_store(url, audit_key)
        self.head_log = head_log
        attach(self.engine, self.keys, head_log)

    def describe(self) -> str:
        """The URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def where(self) -> str:
        """The store's file (SQLite) or its URL without the password, for messages."""
        database = make_url(self.url).database
        return database if self.backend == "sqlite" and database else self.describe()

    @contextmanager
    def refusals(self) -> Iterator[None]:
        """A full disk or a refused write, in any store transaction, as one StorageError."""
        try:
            yield
        except sa.exc.DBAPIError as exc:
            # A full SQLite database may roll the whole transaction back, so the error that
            # reaches here can be a later one ("no such savepoint"): look at what led to it too.
            seen: BaseException | None = exc
            while seen is not None:
                if isinstance(seen, sa.exc.DBAPIError):
                    problem = _refused(seen, self.where(), self.backend)
                    if problem is not None:
                        raise problem from None
                seen = seen.__cause__ or seen.__context__
            raise

    @contextmanager
    def write(self, *, savepoints: bool = True, lock: bool = True) -> Iterator[sa.Connection]:
        """One all-or-nothing transaction; writers take turns.

        `savepoints=False` is for a caller that lets every error end the whole transaction (a
        web form's action): the nested blocks inside then need no savepoint of their own. On
        PostgreSQL each savepoint costs two round trips while every other writer waits.
        `lock=False` (PostgreSQL) skips the writers' turn, for statements that are atomic on their
        own and append nothing to the audit chain (sign-in failure counts).
        """
        with self.refusals(), self.engine.connect() as conn:
            conn.info[_WRITE] = True
            conn.info[_NO_SAVEPOINTS] = not savepoints
            conn.info[_AFTER_COMMIT] = []
            try:
                with conn.begin():
                    if self.backend == "postgresql" and lock:
                        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
                    yield conn
                hooks = conn.info.get(_AFTER_COMMIT) or []
            finally:
                conn.info.pop(_WRITE, None)
                conn.info.pop(_NO_SAVEPOINTS, None)
                conn.info.pop(_AFTER_COMMIT, None)
            for hook in hooks:
                hook()

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection for reading; a write through it is refused."""
        with self.refusals(), self.engine.connect() as conn:
            conn.info[_READ_ONLY] = True
            try:
                yield conn
            finally:
                conn.info.pop(_READ_ONLY, None)
                conn.rollback()

    @contextmanager
    def snapshot(self) -> Iterator[sa.Connection]:
        """A read-only transaction in which every query sees the store as it stood at the first:
        one consistent state, read without the writers' turn, so writers carry on meanwhile.
        SQLite in WAL mode gives each read transaction its snapshot; PostgreSQL needs REPEATABLE
        READ (its default, READ COMMITTED, gives each statement its own)."""
        with self.refusals(), self.engine.connect() as conn:
            if self.backend == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            conn.info[_READ_ONLY] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info.pop(_READ_ONLY, None)

    def dispose(self) -> None:
        self.engine.dispose()


def after_commit(conn: sa.Connection, hook: Callable[[], None]) -> None:
    """Run `hook` once the write transaction `conn` is in has committed (not at all if it rolls
    back); outside `Store.write`, at once. Files written outside the database (the audit head
    log) must never name an event that was rolled back."""
    pending = conn.info.get(_AFTER_COMMIT)
    if isinstance(pending, list):
        pending.append(hook)
    else:
        hook()


def pending_after_commit(conn: sa.Connection) -> list[Callable[[], None]]:
    """The hooks waiting for `conn`'s transaction to commit (empty outside `Store.write`)."""
    pending = conn.info.get(_AFTER_COMMIT)
    return list(pending) if isinstance(pending, list) else []


@contextmanager
def transaction(conn: sa.Connection) -> Iterator[sa.Connection]:
    """All-or-nothing inside whatever transaction `conn` is in (a savepoint), or in one of its own:
    a failure inside leaves the store as it was before the block."""
    if conn.info.get(_READ_ONLY):
        raise RuntimeError("a change was attempted through a read-only workspace connection")
    if conn.in_transaction():
        if conn.info.get(_NO_SAVEPOINTS):
            yield conn
            return
        with conn.begin_nested():
            yield conn
        return
    with conn.begin():
        yield conn
