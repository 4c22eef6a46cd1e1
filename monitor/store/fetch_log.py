"""FetchLogRecords: the `fetches` table and the pipeline's write batches, pruning and integrity checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select, update

from monitor.clock import iso_after
from monitor.store.batch import WriteBatch
from monitor.store.database import StoreBase
from monitor.store.schema import articles, fetches

PROBLEM_LOOKBACK_S = 3600.0  # record_problem looks for the URL's fetch this far back (started_at is indexed)


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

    def record_problem(self, url: str, error: str) -> None:
        """Put an error on the latest written fetch of a URL that answered but could not be used (a page
        that is JSON, a sitemap that does not parse): a user finds it in the fetch log like a failed fetch
        (issue 16). A fetch still in the pipeline's WriteBatch is marked there (WriteBatch.record_problem)."""
        latest = (
            select(func.max(fetches.c.id))
            .where(fetches.c.url == url, fetches.c.started_at >= iso_after(-PROBLEM_LOOKBACK_S))
            .scalar_subquery()
        )
        with self._write() as connection:
            connection.execute(
                update(fetches).where(fetches.c.id == latest, fetches.c.error.is_(None)).values(error=error)
            )

    def integrity_problems(self) -> list[str]:
        """SQLite's quick_check after an unclean stop: an empty list when the file is consistent."""
        if self.engine.dialect.name != "sqlite":
            return []
        with self.engine.connect() as connection:
            rows = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA quick_check")]
        return [] if rows == ["ok"] else rows

    def maintenance(self, *, keep_fetch_log_s: float) -> int:
        """Drop fetch log rows older than keep_fetch_log_s (config `retention.fetch_log`; returns how many)
        and, on SQLite, refresh the planner's statistics (so due stories are read in next-check order,
        bench_capacity.py) and checkpoint the WAL so it does not grow without bound. PostgreSQL's autovacuum
        keeps its own statistics. The freed pages are reused by new rows: the file does not shrink."""
        cutoff = iso_after(-keep_fetch_log_s)
        with self._write() as connection:
            pruned = connection.execute(fetches.delete().where(fetches.c.started_at < cutoff)).rowcount
        if self.engine.dialect.name == "sqlite":
            raw = self.engine.raw_connection()  # autocommit: a checkpoint cannot run inside a transaction
            try:
                cursor = raw.cursor()
                # A sampled ANALYZE: a few milliseconds whatever the table sizes (SQLite's own advice).
                cursor.execute("PRAGMA analysis_limit=400")
                cursor.execute("ANALYZE")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
        return int(pruned or 0)
