"""Alembic environment: runs the revisions in migrations/versions on the monitor's database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from monitor.store.engine import create_store_engine

config = context.config


def _database_url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if url:
        return str(url)
    from monitor.config import load_config

    return load_config().database_url


# Any fixed 64-bit key: the one PostgreSQL advisory lock the monitor takes.
_UPGRADE_LOCK_KEY = 0x6D6F6E69746F72  # "monitor"


def _run_serialised(connection: Connection) -> None:
    """Run the revisions in one transaction; on PostgreSQL, daemons starting together take turns.

    The lock is transaction-scoped (released at commit or rollback, never left behind by a dead process)
    and holds no session state, so it works behind PgBouncer in transaction mode. The one that waited then
    finds the schema at head and has nothing to do. SQLite serialises writers on its own.
    """
    context.configure(connection=connection, render_as_batch=True, transaction_per_migration=False)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK_KEY})
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_serialised(connection)
        return
    engine = create_store_engine(_database_url())
    try:
        with engine.connect() as connection:
            _run_serialised(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(url=_database_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
