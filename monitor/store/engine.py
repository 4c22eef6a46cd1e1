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

from monitor.errors import DatabaseLockedError, DatabaseUnavailableError, StoreError

# An installed wheel carries the revisions as monitor/_migrations (setup.py); a source checkout (and an
# editable install) reads them from the top-level migrations/ where they are written.
_PACKAGED_MIGRATIONS = Path(__file__).resolve().parent.parent / "_migrations"
_SOURCE_MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


def create_store_engine(url: str) -> Engine:
    """An engine for `url`; on SQLite every connection gets the pragmas a long-running writer needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No server-side prepared statements (psycopg prepares a query from its 5th run): they are session
        # state, which PgBouncer in transaction mode does not keep.
        connect_args = {"prepare_threshold": None} if parsed.get_driver_name() == "psycopg" else {}
        try:
            return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
        except ImportError as error:
            raise DatabaseUnavailableError(
                f"cannot open {_safe_url(url)}: its driver is not installed ({error.name or error}); "
                "pip install 'monitor[postgres]'"
            ) from None
    database = parsed.database
    if database and database != ":memory:":
        check_sqlite_path(Path(database))
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def check_sqlite_path(database: Path) -> None:
    """Create the database's folder; raise one clear error when the file or its folder cannot be written."""
    folder = database.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailableError(
            f"cannot create the database folder {folder}: {error.strerror or error}"
        ) from None
    # SQLite in WAL mode writes the -wal and -shm files beside the database: the folder must be writable.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseUnavailableError(
            f"cannot write the database {database}: its folder {folder} is read-only"
        )
    if database.exists() and not os.access(database, os.R_OK | os.W_OK):
        raise DatabaseUnavailableError(f"cannot write the database {database}: the file is read-only")


def migrations_dir() -> Path:
    """The folder of the Alembic environment: the packaged copy when installed, else the source tree's."""
    for candidate in (_PACKAGED_MIGRATIONS, _SOURCE_MIGRATIONS):
        if (candidate / "env.py").is_file():
            return candidate
    raise StoreError(
        f"the Alembic revisions are missing (looked in {_PACKAGED_MIGRATIONS}); reinstall monitor"
    )


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
HEAD_REVISION = "0008"


def upgrade_database(url: str, engine: Engine | None = None) -> None:
    """Alembic upgrade to head (creates the schema on a new database).

    A database already at head is recognised with one query, without importing Alembic: that import costs
    more CPU than the rest of a `monitor once` start-up.
    """
    if engine is not None and current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.util import CommandError

    alembic_config = AlembicConfig()
    alembic_config.set_main_option("script_location", str(migrations_dir()))
    alembic_config.attributes["database_url"] = url
    try:
        command.upgrade(alembic_config, "head")
    except SQLAlchemyError as error:
        reason = getattr(error, "orig", None) or error
        raise DatabaseUnavailableError(
            f"cannot open or upgrade the database {safe_database_url(url)}: {reason}"
        ) from None
    except CommandError as error:
        # The usual cause: a newer monitor upgraded this database; this one does not know its revision.
        found = _revision_at(url, engine)
        newer = f" (at revision {found}; this monitor knows up to {HEAD_REVISION})" if found else ""
        raise StoreError(
            f"the database {safe_database_url(url)} has a schema this monitor does not know{newer}: "
            f"run the newer monitor that upgraded it, or a new database ({error})"
        ) from None


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at; None for a new database."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def _revision_at(url: str, engine: Engine | None) -> str | None:
    if engine is not None:
        return current_revision(engine)
    own_engine = create_store_engine(url)
    try:
        return current_revision(own_engine)
    finally:
        own_engine.dispose()


def safe_database_url(url: str) -> str:
    """The URL with its password hidden, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


_safe_url = safe_database_url


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
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock_file = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open until release()
        except OSError as error:
            raise self._unavailable(error) from None
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
        except OSError as error:
            lock_file.close()
            raise self._unavailable(error) from None
        try:
            lock_file.seek(0)
            unclean = bool(lock_file.read().strip())
            lock_file.seek(0)
            lock_file.truncate()
            lock_file.write(f"pid {os.getpid()}")
            lock_file.flush()
            os.fsync(lock_file.fileno())
        except OSError as error:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)
            _close_quietly(lock_file)
            raise self._unavailable(error) from None
        self._file = lock_file
        return unclean

    def _unavailable(self, error: OSError) -> DatabaseUnavailableError:
        return DatabaseUnavailableError(f"cannot write the lock file {self.path}: {error.strerror or error}")

    def release(self) -> None:
        if self._file is not None:
            try:
                self._file.seek(0)
                self._file.truncate()  # an empty lock file tells the next daemon we stopped cleanly
                self._file.flush()
            except OSError:
                pass  # a full disk: the next daemon sees a "pid" and checks integrity, which is safe
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            _close_quietly(self._file)
            self._file = None


def _close_quietly(lock_file: IO[str]) -> None:
    """Close a lock file whose buffered write may fail again (a full disk); the lock goes either way."""
    try:
        lock_file.close()
    except OSError:
        pass
