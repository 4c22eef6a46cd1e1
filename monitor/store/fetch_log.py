"""FetchLogRecords: the `fetches` table and the pipeline's write batches, pruning and integrity checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, update

from monitor.clock import iso_after
from monitor.store.batch import WriteBatch
from monitor.store.database import StoreBase
from monitor.store.schema import articles, fetches


class FetchLogRecords(StoreBase):
    """The fetch log, batched "checked" marks and database maintenance."""

    def write_batch(self, batch: WriteBatch) -> None:
        """Write a batch's fetch log rows and "checked" marks in one transaction, leaving it empty."""
        fetch_rows, checks = batch.take()
        if not fetch_rows and not checks:
            return
        with self._write() as connection:
            if fetch_rows:
                connection.execute(fetches.insert(), fetch_rows)
            by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for article_id, values in checks.items():
                by_columns.setdefault(tuple(sorted(values)), []).append(
                    {"_id": article_id, **{f"_{name}": value for name, value in values.items()}}
                )
            for columns, rows in by_columns.items():
                statement = (
                    update(articles)
                    .where(articles.c.id == bindparam("_id"))
                    .values({name: bindparam(f"_{name}") for name in columns})
                )
                connection.execute(statement, rows)

    def integrity_problems(self) -> list[str]:
        """SQLite's quick_check after an unclean stop: an empty list when the file is consistent."""
        if self.engine.dialect.name != "sqlite":
            return []
        with self.engine.connect() as connection:
            rows = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA quick_check")]
        return [] if rows == ["ok"] else rows

    def maintenance(self, *, keep_fetch_log_s: float) -> None:
        """Drop fetch log rows older than keep_fetch_log_s and, on SQLite, checkpoint the WAL so it does not
        grow without bound."""
        cutoff = iso_after(-keep_fetch_log_s)
        with self._write() as connection:
            connection.execute(fetches.delete().where(fetches.c.started_at < cutoff))
        if self.engine.dialect.name == "sqlite":
            raw = self.engine.raw_connection()  # autocommit: a checkpoint cannot run inside a transaction
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
