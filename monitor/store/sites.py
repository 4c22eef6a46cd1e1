"""SiteRecords: the `sites` and `sources` tables (site health, listing pages, feeds, sitemaps)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, or_, select, update

from monitor.clock import now_iso
from monitor.store.database import StoreBase, insert_ignore
from monitor.store.schema import sites, sources


@dataclass(frozen=True, slots=True)
class SourceState:
    """Validators of a listing page, feed or sitemap from its last fetch."""

    etag: str | None
    last_modified: str | None
    body_sha256: str | None


class SiteRecords(StoreBase):
    """Reads and writes of the configured sites and their sources."""

    def ensure_sites(self, names: Iterable[str]) -> None:
        with self._write() as connection:
            for name in names:
                insert_ignore(connection, sites, {"name": name, "created_at": now_iso()})

    def record_site_result(self, site: str, error: str | None) -> None:
        now = now_iso()
        values: dict[str, Any] = {"last_checked_at": now}
        if error is None:
            values.update(last_success_at=now, consecutive_failures=0)
        else:
            values.update(
                last_error=error, last_error_at=now, consecutive_failures=sites.c.consecutive_failures + 1
            )
        with self._write() as connection:
            connection.execute(update(sites).where(sites.c.name == site).values(**values))

    def due_sites(self, names: Iterable[str], now: str) -> set[str]:
        """Which of these sites are due a check (`next_check_at` unset or past): several daemons."""
        with self.engine.connect() as connection:
            return set(
                connection.scalars(
                    select(sites.c.name).where(
                        sites.c.name.in_(list(names)),
                        or_(sites.c.next_check_at.is_(None), sites.c.next_check_at <= now),
                    )
                )
            )

    def schedule_site(self, site: str, now: str, next_check_at: str) -> bool:
        """Take a due site's check: its next one is at next_check_at; False when another member took it."""
        due = or_(sites.c.next_check_at.is_(None), sites.c.next_check_at <= now)
        with self._write() as connection:
            taken = connection.execute(
                update(sites).where(sites.c.name == site, due).values(next_check_at=next_check_at)
            )
        return taken.rowcount == 1

    def site_names(self) -> list[str]:
        """The sites this database holds, by name (none when it has no monitor schema yet)."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table(sites.name):
                return []
            return list(connection.execute(select(sites.c.name).order_by(sites.c.name)).scalars())

    def site_failures(self, site: str) -> int:
        with self.engine.connect() as connection:
            count = connection.scalar(select(sites.c.consecutive_failures).where(sites.c.name == site))
        return int(count or 0)

    def source_urls(self, site: str, kind: str) -> list[str]:
        """The URLs of a site's sources of one kind seen so far (e.g. feeds found on its start pages)."""
        with self.engine.connect() as connection:
            return list(
                connection.scalars(
                    select(sources.c.url)
                    .where(sources.c.site == site, sources.c.kind == kind)
                    .order_by(sources.c.url)
                )
            )

    def source_state(self, url: str) -> SourceState | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(sources.c.etag, sources.c.last_modified, sources.c.body_sha256).where(
                    sources.c.url == url
                )
            ).first()
        return SourceState(row.etag, row.last_modified, row.body_sha256) if row else None

    def save_source_state(self, site: str, url: str, kind: str, state: SourceState) -> None:
        values = {
            "etag": state.etag,
            "last_modified": state.last_modified,
            "body_sha256": state.body_sha256,
            "last_fetched_at": now_iso(),
        }
        with self._write() as connection:
            updated = connection.execute(update(sources).where(sources.c.url == url).values(**values))
            if updated.rowcount == 0:
                insert_ignore(connection, sources, {"url": url, "site": site, "kind": kind, **values})
