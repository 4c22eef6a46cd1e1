"""StoryRecords: the `articles`, `versions` and `changes` tables: tracked stories, versions, events."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import Connection, Select, func, select, update

from monitor.clock import now_iso
from monitor.models import (
    Article,
    ChangeKind,
    NewChange,
    NewVersion,
    StoredVersion,
    StoryStatus,
    TrackedArticle,
)
from monitor.store.database import StoreBase, insert_ignore, lock_article
from monitor.store.schema import articles, changes, outbox, versions
from monitor.store.timestamps import utc_timestamp


class StoryRecords(StoreBase):
    """Reads and idempotent, transactional writes of tracked stories."""

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
            article_id = insert_ignore(
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
            lock_article(connection, article.id)
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
            lock_article(connection, article.id)
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
        self,
        article: TrackedArticle,
        kind: ChangeKind,
        *,
        status: StoryStatus,
        next_check_at: str | None,
        summary: str = "",
    ) -> None:
        """A story was removed (404/410, taken down), restored or marked not a story: one change row (with
        the reason as its summary, when there is one) and the new status."""
        now = now_iso()
        with self._write() as connection:
            lock_article(connection, article.id)
            change = NewChange(kind=kind, summary=summary)
            _insert_change(connection, article.id, article.current_version, change, now)
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
            lock_article(connection, article.id)
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
        """The kind and version of the story's last `limit` changes, newest first."""
        return self._last_changes(article_id, changes.c.version, limit)

    def last_change_summaries(self, article_id: int, limit: int) -> list[tuple[ChangeKind, str | None]]:
        """The kind and summary of the story's last `limit` changes, newest first."""
        return self._last_changes(article_id, changes.c.summary, limit)

    def _last_changes(self, article_id: int, column: Any, limit: int) -> list[tuple[ChangeKind, Any]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(changes.c.kind, column)
                .where(changes.c.article_id == article_id)
                .order_by(changes.c.id.desc())
                .limit(limit)
            ).all()
        return [(ChangeKind(row[0]), row[1]) for row in rows]


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
