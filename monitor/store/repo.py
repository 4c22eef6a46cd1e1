"""The only code that queries the database: typed reads and idempotent, transactional writes."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from monitor.clock import iso_after, now_iso
from monitor.errors import StoreError
from monitor.models import (
    Article,
    ChangeKind,
    NewChange,
    NewVersion,
    StoredVersion,
    StoryStatus,
    TrackedArticle,
)
from monitor.store.batch import WriteBatch
from monitor.store.engine import create_store_engine, upgrade_database, writer
from monitor.store.schema import articles, changes, fetches, outbox, sites, sources, versions
from monitor.store.timestamps import utc_timestamp

PROBLEM_LOOKBACK_S = 3600.0  # record_problem looks for the URL's fetch this far back (started_at is indexed)


@dataclass(frozen=True, slots=True)
class SourceState:
    """Validators of a listing page, feed or sitemap from its last fetch."""

    etag: str | None
    last_modified: str | None
    body_sha256: str | None


def due_query(site_names: Collection[str], due_before: str, limit: int) -> Select[Any]:
    """The recheck's query: active stories of these sites due by due_before, most overdue first. It must
    stay an index range scan (ix_articles_site_next_check_at or ix_articles_next_check_at): tested, and
    timed at 10,000 and 100,000 stories by benchmarks/bench_capacity.py."""
    return (
        select(articles)
        .where(articles.c.site.in_(list(site_names)))
        .where(articles.c.next_check_at.is_not(None), articles.c.next_check_at <= due_before)
        .order_by(articles.c.next_check_at, articles.c.id)
        .limit(limit)
    )


class Store:
    """Reads and writes of one database (SQLite or PostgreSQL) through SQLAlchemy Core."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_store_engine(url)
        self._writer = writer(self.engine)

    def upgrade(self) -> None:
        upgrade_database(self.url, self.engine)

    def close(self) -> None:
        self.engine.dispose()

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

    # -- sites and sources -------------------------------------------------------------------------------

    def ensure_sites(self, names: Iterable[str]) -> None:
        with self._write() as connection:
            for name in names:
                _insert_ignore(connection, sites, {"name": name, "created_at": now_iso()})

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
                _insert_ignore(connection, sources, {"url": url, "site": site, "kind": kind, **values})

    # -- articles ----------------------------------------------------------------------------------------

    def tracked_urls(self, urls: Collection[str]) -> set[str]:
        """Which of `urls` are already tracked, under their own URL or as another story's canonical URL."""
        found: set[str] = set()
        url_list = list(urls)
        with self.engine.connect() as connection:
            for start in range(0, len(url_list), 500):
                chunk = url_list[start : start + 500]
                found.update(connection.scalars(select(articles.c.url).where(articles.c.url.in_(chunk))))
                found.update(
                    connection.scalars(
                        select(articles.c.canonical_url).where(articles.c.canonical_url.in_(chunk))
                    )
                )
        return found

    def article_by_url(self, url: str) -> TrackedArticle | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(articles).where((articles.c.url == url) | (articles.c.canonical_url == url)).limit(1)
            ).first()
        return _tracked(row) if row else None

    def due_articles(
        self, site_names: Collection[str], *, due_before: str | None, limit: int, after_id: int = 0
    ) -> list[TrackedArticle]:
        """Active stories of these sites whose next check is due, most overdue first; or, when due_before is
        None, every one of them with an id above after_id, by id (pages that a recheck cannot reorder)."""
        if due_before is not None:
            query = due_query(site_names, due_before, limit)
        else:
            query = (
                select(articles)
                .where(articles.c.site.in_(list(site_names)), articles.c.id > after_id)
                .order_by(articles.c.id)
                .limit(limit)
            )
        with self.engine.connect() as connection:
            return [_tracked(row) for row in connection.execute(query)]

    def add_story(
        self,
        site: str,
        version: NewVersion,
        *,
        next_check_at: str | None,
        etag: str | None,
        last_modified: str | None,
        body_sha256: str | None,
        learn: Callable[[Connection, int], NewVersion] | None = None,
    ) -> int | None:
        """Store a new story with its first version and `new` change; None when the URL is already tracked.

        `learn` runs in the same transaction once the story has its id (the site memory counts its blocks)
        and returns the version to store (without the site's furniture).
        """
        now = now_iso()
        with self._write() as connection:
            article_id = _insert_ignore(
                connection,
                articles,
                {
                    "site": site,
                    "url": version.url,
                    "canonical_url": version.article.canonical_url,
                    "first_seen_at": now,
                    "last_checked_at": now,
                    "last_changed_at": now,
                    "next_check_at": next_check_at,
                    "status": StoryStatus.ACTIVE,
                    "current_version": 1,
                    "etag": etag,
                    "last_modified": last_modified,
                    "body_sha256": body_sha256,
                },
            )
            if article_id is None:
                return None
            if learn is not None:
                version = learn(connection, int(article_id))
            _insert_version(connection, article_id, 1, version, now)
            _insert_change(connection, article_id, 1, NewChange(kind=ChangeKind.NEW), now)
        return int(article_id)

    def current_version(self, article_id: int) -> StoredVersion | None:
        """The stored current version as an Article, with its content hash."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(versions)
                .join(
                    articles,
                    (articles.c.id == versions.c.article_id)
                    & (versions.c.version == articles.c.current_version),
                )
                .where(articles.c.id == article_id)
            ).first()
        return StoredVersion(_article_from_row(row), row.content_hash) if row else None

    def add_version(
        self,
        article: TrackedArticle,
        version: NewVersion,
        change: NewChange,
        *,
        next_check_at: str | None,
        etag: str | None,
        last_modified: str | None,
        body_sha256: str | None,
    ) -> int | None:
        """Store a new version and its change in one transaction; idempotent on (story, content hash).

        Returns the new version number, or None when this content is already stored (then nothing is written
        but the tracking state): a restart after a crash, or another daemon that got there first.
        """
        now = now_iso()
        with self._write() as connection:
            _lock_article(connection, article.id)
            exists = connection.scalar(
                select(versions.c.version).where(
                    versions.c.article_id == article.id, versions.c.content_hash == version.content_hash
                )
            )
            if exists is not None:
                return None
            latest = connection.scalar(
                select(func.max(versions.c.version)).where(versions.c.article_id == article.id)
            )
            number = int(latest or 0) + 1
            _insert_version(connection, article.id, number, version, now)
            _insert_change(connection, article.id, number, change, now)
            _make_current(
                connection,
                article.id,
                number,
                now,
                next_check_at=next_check_at,
                etag=etag,
                last_modified=last_modified,
                body_sha256=body_sha256,
                canonical_url=version.article.canonical_url or article.canonical_url,
            )
        return number

    def version_with_hash(self, article_id: int, content_hash: str) -> int | None:
        with self.engine.connect() as connection:
            number = connection.scalar(
                select(versions.c.version).where(
                    versions.c.article_id == article_id, versions.c.content_hash == content_hash
                )
            )
        return int(number) if number is not None else None

    def set_current_version(
        self,
        article: TrackedArticle,
        number: int,
        change: NewChange | None,
        *,
        next_check_at: str | None,
        etag: str | None,
        last_modified: str | None,
        body_sha256: str | None,
    ) -> None:
        """Point the story back at an earlier version (a flip-flop), recording the return when asked."""
        now = now_iso()
        with self._write() as connection:
            _lock_article(connection, article.id)
            if change is not None:
                _insert_change(connection, article.id, number, change, now)
            _make_current(
                connection,
                article.id,
                number,
                now,
                next_check_at=next_check_at,
                etag=etag,
                last_modified=last_modified,
                body_sha256=body_sha256,
            )

    def mark_checked(self, article_id: int, *, next_check_at: str | None, **values: Any) -> None:
        """Record an unchanged (or failed, or quarantined) check: tracking columns only."""
        with self._write() as connection:
            connection.execute(
                update(articles)
                .where(articles.c.id == article_id)
                .values(last_checked_at=now_iso(), next_check_at=next_check_at, **values)
            )

    def record_status_change(
        self, article: TrackedArticle, kind: ChangeKind, *, status: StoryStatus, next_check_at: str | None
    ) -> None:
        """A story was removed (404/410, taken down) or restored: one change row and the new status."""
        now = now_iso()
        with self._write() as connection:
            _lock_article(connection, article.id)
            _insert_change(connection, article.id, article.current_version, NewChange(kind=kind), now)
            connection.execute(
                update(articles)
                .where(articles.c.id == article.id)
                .values(
                    status=status,
                    last_checked_at=now,
                    next_check_at=next_check_at,
                    pending_hash=None,
                    pending_reason=None,
                )
            )

    def record_url_change(self, article: TrackedArticle, new_url: str) -> None:
        """The story now lives at another URL (a redirect): a `moved` change and a new canonical URL."""
        now = now_iso()
        with self._write() as connection:
            _lock_article(connection, article.id)
            _insert_change(
                connection,
                article.id,
                article.current_version,
                NewChange(kind=ChangeKind.MOVED, fields=("url",), summary=f"url: {article.url} -> {new_url}"),
                now,
            )
            connection.execute(
                update(articles).where(articles.c.id == article.id).values(canonical_url=new_url)
            )

    def last_change_kinds(self, article_id: int, limit: int = 6) -> list[tuple[ChangeKind, int | None]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(changes.c.kind, changes.c.version)
                .where(changes.c.article_id == article_id)
                .order_by(changes.c.id.desc())
                .limit(limit)
            ).all()
        return [(ChangeKind(row.kind), row.version) for row in rows]

    # -- fetch log ---------------------------------------------------------------------------------------

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

    def maintenance(self, *, keep_fetch_log_s: float) -> None:
        """Drop fetch log rows older than keep_fetch_log_s and, on SQLite, refresh the planner's statistics
        (so due stories are read in next-check order, bench_capacity.py) and checkpoint the WAL so it does
        not grow without bound. PostgreSQL's autovacuum keeps its own statistics."""
        cutoff = iso_after(-keep_fetch_log_s)
        with self._write() as connection:
            connection.execute(fetches.delete().where(fetches.c.started_at < cutoff))
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

    # -- plumbing ----------------------------------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[Connection]:
        """A write transaction for the store modules beside this one (store/furniture.py)."""
        return self._write()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One short write transaction (BEGIN IMMEDIATE on SQLite); database errors become StoreError."""
        try:
            with self._writer.begin() as connection:
                yield connection
        except OperationalError as error:
            raise StoreError(f"cannot write to the database: {error.orig}") from error


def _insert_ignore(connection: Connection, table: Any, values: dict[str, Any]) -> Any | None:
    """INSERT that does nothing when a unique key already exists; the new row's primary key, or None."""
    if connection.dialect.name == "postgresql":
        statement: Any = postgresql.insert(table).values(**values).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(table).values(**values).on_conflict_do_nothing()
    # rowcount is unreliable for ON CONFLICT DO NOTHING across drivers; RETURNING says what was written.
    row = connection.execute(statement.returning(*table.primary_key.columns)).first()
    return row[0] if row is not None else None


def _lock_article(connection: Connection, article_id: int) -> None:
    # SQLite already holds the database write lock (BEGIN IMMEDIATE); PostgreSQL locks this story row so
    # two daemons sharing the database cannot both number a new version.
    connection.execute(select(articles.c.id).where(articles.c.id == article_id).with_for_update())


def _make_current(connection: Connection, article_id: int, number: int, now: str, **values: Any) -> None:
    """Point a story at version `number` after a successful check: tracking state reset, status active."""
    connection.execute(
        update(articles)
        .where(articles.c.id == article_id)
        .values(
            current_version=number,
            last_checked_at=now,
            last_changed_at=now,
            consecutive_failures=0,
            pending_hash=None,
            pending_reason=None,
            status=StoryStatus.ACTIVE,
            **values,
        )
    )


def _insert_version(
    connection: Connection, article_id: int, number: int, version: NewVersion, now: str
) -> None:
    article = version.article
    published_at, published_offset = utc_timestamp(article.published)
    modified_at, modified_offset = utc_timestamp(article.modified)
    # Values as parameters of one shared statement: building a statement per row costs more than the INSERT.
    connection.execute(
        versions.insert(),
        dict(
            article_id=article_id,
            version=number,
            fetched_at=now,
            url=version.url,
            title=article.title,
            byline=article.byline,
            published_at=published_at,
            modified_at=modified_at,
            body=article.text,
            canonical_url=article.canonical_url,
            language=article.language,
            description=article.description,
            image=article.image,
            section=article.section,
            tags=json.dumps(list(article.tags)) if article.tags else None,
            content_hash=version.content_hash,
            text_hash=version.text_hash,
            published_offset=published_offset,
            modified_offset=modified_offset,
        ),
    )


def _insert_change(connection: Connection, article_id: int, number: int, change: NewChange, now: str) -> None:
    inserted = connection.execute(
        changes.insert(),
        dict(
            article_id=article_id,
            kind=change.kind,
            version=number,
            detected_at=now,
            fields=",".join(change.fields) or None,
            summary=change.summary or None,
            diff=change.diff or None,
            minor=change.minor,
        ),
    )
    # The notification outbox row commits (or not) with the change itself: no event is lost or invented.
    change_id = inserted.inserted_primary_key[0]  # type: ignore[index]  # set after an INSERT
    connection.execute(outbox.insert(), dict(change_id=change_id, article_id=article_id, created_at=now))


def _tracked(row: Any) -> TrackedArticle:
    return TrackedArticle(
        id=row.id,
        site=row.site,
        url=row.url,
        canonical_url=row.canonical_url,
        first_seen_at=row.first_seen_at,
        last_changed_at=row.last_changed_at,
        status=StoryStatus(row.status),
        current_version=row.current_version,
        etag=row.etag,
        last_modified=row.last_modified,
        body_sha256=row.body_sha256,
        consecutive_failures=row.consecutive_failures,
        pending_hash=row.pending_hash,
        pending_reason=row.pending_reason,
    )


def _article_from_row(row: Any) -> Article:
    return Article(
        title=row.title,
        byline=row.byline,
        published=row.published_at,
        modified=row.modified_at,
        canonical_url=row.canonical_url,
        language=row.language,
        description=row.description,
        image=row.image,
        section=row.section,
        tags=tuple(json.loads(row.tags)) if row.tags else (),
        text=row.body,
    )
