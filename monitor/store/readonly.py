"""Read-only engines for `monitor serve`: SQLite opened with mode=ro and query_only, PostgreSQL sessions
whose transactions are read-only; neither can change the database whatever a query does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, QueuePool, create_engine, event
from sqlalchemy.engine import make_url

from monitor.errors import StoreError
from monitor.store.engine import BUSY_TIMEOUT_MS, current_revision


def read_only_engine(url: str) -> Engine:
    """An engine that cannot write; StoreError when the database is missing or has no schema yet."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or not Path(database).exists():
            raise StoreError(
                f"no database at {database or url}: run `monitor db upgrade` or the daemon first"
            )
        uri = f"file:{Path(database).resolve()}?mode=ro"
        engine = create_engine(
            "sqlite://",
            creator=lambda: _sqlite_connect(uri),
            poolclass=QueuePool,
            pool_size=8,
            max_overflow=8,
        )
    else:
        engine = create_engine(url, pool_pre_ping=True)
        event.listen(engine, "connect", _postgres_read_only)
    if current_revision(engine) is None:
        engine.dispose()
        raise StoreError(
            f"{parsed.render_as_string(hide_password=True)} has no monitor schema: run the daemon"
        )
    return engine


def _sqlite_connect(uri: str) -> Any:
    import sqlite3

    connection = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute("PRAGMA query_only=ON")
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def _postgres_read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.close()
    dbapi_connection.commit()
