"""StoreBase: one database's engine and its write transactions, shared by the store's parts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.exc import OperationalError

from monitor.errors import StoreError
from monitor.store.engine import create_store_engine, upgrade_database, writer
from monitor.store.fencing import confirm_fence
from monitor.store.schema import articles


class StoreBase:
    """The engine of one database (SQLite or PostgreSQL) and its short write transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_store_engine(url)
        self._writer = writer(self.engine)

    def upgrade(self) -> None:
        upgrade_database(self.url, self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def transaction(self) -> AbstractContextManager[Connection]:
        """A write transaction for the store modules beside these parts (furniture.py, links.py)."""
        return self._write()

    def _write(self) -> AbstractContextManager[Connection]:
        return write_transaction(self._writer)


@contextmanager
def write_transaction(writer_engine: Engine) -> Iterator[Connection]:
    """One short write transaction on a writer engine (BEGIN IMMEDIATE on SQLite, engine.writer());
    database errors become StoreError. Under a fence (several daemons, fencing.py) the lease is confirmed
    first, in the same transaction."""
    try:
        with writer_engine.begin() as connection:
            confirm_fence(connection)
            yield connection
    except OperationalError as error:
        raise StoreError(f"cannot write to the database: {error.orig}") from error


def insert_ignore(connection: Connection, table: Any, values: dict[str, Any]) -> Any | None:
    """INSERT that does nothing when a unique key already exists; the new row's primary key, or None."""
    statement = _insert_ignore_statement(connection.dialect.name, table, tuple(values))
    # rowcount is unreliable for ON CONFLICT DO NOTHING across drivers; RETURNING says what was written.
    row = connection.execute(statement, values).first()
    return row[0] if row is not None else None


@lru_cache(maxsize=64)
def _insert_ignore_statement(dialect: str, table: Any, columns: tuple[str, ...]) -> Any:
    """One statement per table and set of columns, the values passed as parameters: building and caching a
    statement with its values on every call cost more than the INSERT (a first sight's articles row)."""
    insert = dialect_insert(dialect)
    placeholders: dict[str, Any] = {column: bindparam(column) for column in columns}
    return insert(table).values(placeholders).on_conflict_do_nothing().returning(*table.primary_key.columns)


def dialect_insert(dialect: str) -> Any:
    """The INSERT construct with ON CONFLICT of this dialect ("postgresql" or "sqlite"); the PostgreSQL
    dialect is imported only by a process that uses it (~20 ms of every start-up otherwise)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def lock_article(connection: Connection, article_id: int) -> None:
    # SQLite already holds the database write lock (BEGIN IMMEDIATE); PostgreSQL locks this story row so
    # two daemons sharing the database cannot both number a new version.
    connection.execute(select(articles.c.id).where(articles.c.id == article_id).with_for_update())
