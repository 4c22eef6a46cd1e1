"""Engine setup: SQLite pragmas (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE for writes),
Alembic upgrade, and the lock that keeps a second daemon off the same SQLite database."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import DatabaseLockedError, StoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


def create_store_engine(url: str) -> Engine:
    """An engine for `url`; on SQLite every connection gets the pragmas a long-running writer needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions take the write lock up front (BEGIN IMMEDIATE on SQLite).

    In WAL mode a deferred transaction that reads and then writes fails at once with "database is locked"
    when another connection wrote in between, whatever the busy timeout; IMMEDIATE waits for the lock instead.
    """
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN is always DEFERRED).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


# The newest revision in migrations/versions; a test checks it against Alembic's own view of the head.
HEAD_REVISION = "0006"


def upgrade_database(url: str, engine: Engine | None = None) -> None:
    """Alembic upgrade to head (creates the schema on a new database).

    A database already at head is recognised with one query, without importing Alembic: that import costs
    more CPU than the rest of a `monitor once` start-up.
    """
    if engine is not None and current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config as AlembicConfig

    alembic_config = AlembicConfig()
    alembic_config.set_main_option("script_location", str(MIGRATIONS_DIR))
    alembic_config.attributes["database_url"] = url
    try:
        command.upgrade(alembic_config, "head")
    except SQLAlchemyError as error:
        raise StoreError(f"cannot upgrade the database {_safe_url(url)}: {error}") from error


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at; None for a new database."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


class DaemonLock:
    """An exclusive lock beside a SQLite database, held for the life of one `monitor run`.

    flock is released by the kernel when the process dies (even on kill -9), so a stale lock never blocks.
    """

    def __init__(self, database_url: str) -> None:
        parsed = make_url(database_url)
        self.path: Path | None = None
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            self.path = Path(str(parsed.database) + ".lock")
        self._file: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock; True when the previous holder did not release it (a crash or kill -9)."""
        if self.path is None:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_file = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open until release()
        try:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "another process"
            lock_file.close()
            raise DatabaseLockedError(
                f"another monitor daemon ({holder}) is already running on {self.path.with_suffix('')}; "
                "stop it first or point this one at another database"
            ) from None
        lock_file.seek(0)
        unclean = bool(lock_file.read().strip())
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(f"pid {os.getpid()}")
        lock_file.flush()
        self._file = lock_file
        return unclean

    def release(self) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()  # an empty lock file tells the next daemon we stopped cleanly
            self._file.flush()
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
