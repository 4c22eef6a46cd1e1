"""Discovered links and learned URL shapes: every story link found is kept until it is stored or definitively
rejected, with its retry schedule and the article gate's verdict (tables discovered_links and url_shapes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from monitor.clock import iso_after, now_iso
from monitor.discover.shapes import url_shape
from monitor.models import ArticleLink
from monitor.store.database import dialect_insert
from monitor.store.repo import Store
from monitor.store.schema import discovered_links, url_shapes

# A failed first sight (error status, dead host, no page) waits FIRST_RETRY_S, twice as long after each
# further failure up to MAX_RETRY_S; after MAX_ATTEMPTS it is given up. A page the gate rejected is looked
# at again after REJECTED_REVISIT_S (twice as long each time, up to MAX_REJECTED_REVISIT_S).
FIRST_RETRY_S = 600.0
MAX_RETRY_S = 6 * 3600.0
MAX_ATTEMPTS = 12
REJECTED_REVISIT_S = 7 * 86400.0
MAX_REJECTED_REVISIT_S = 60 * 86400.0
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class DueLink:
    """A discovered link waiting for its first sight (or its next try)."""

    url: str
    source: str
    state: str
    attempts: int


@dataclass(frozen=True, slots=True)
class LinkVerdict:
    """What the gate last said about a URL (one discovered_links row)."""

    url: str
    state: str
    verdict: str | None
    kind: str | None
    score: int | None
    reasons: tuple[str, ...]
    decided_at: str | None


class LinkStore:
    """Reads and writes of discovered_links and url_shapes, through the Store's engine and write lock."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def remember(self, site: str, links: Sequence[ArticleLink]) -> None:
        """Record links not seen before as pending; known ones keep their state."""
        if not links:
            return
        now = now_iso()
        known: set[str] = set()
        urls = [link.url for link in links]
        with self.store.engine.connect() as connection:
            for start in range(0, len(urls), _CHUNK):
                chunk = urls[start : start + _CHUNK]
                known.update(
                    connection.scalars(
                        select(discovered_links.c.url).where(discovered_links.c.url.in_(chunk))
                    )
                )
        rows = [
            {
                "site": site,
                "url": link.url,
                "source": link.source,
                "url_shape": url_shape(link.url),
                "first_seen_at": now,
                "state": "pending",
                "next_try_at": now,
            }
            for link in {link.url: link for link in links if link.url not in known}.values()
        ]
        if rows:
            with self.store._write() as connection:
                connection.execute(_insert_ignore_statement(connection), rows)

    def due(self, site: str, limit: int) -> list[DueLink]:
        """A site's links to fetch now: pending ones (oldest first), then failed and rejected ones due."""
        now = now_iso()
        waiting = or_(
            discovered_links.c.state == "pending",
            and_(
                discovered_links.c.state.in_(("failed", "rejected")),
                discovered_links.c.next_try_at <= now,
            ),
        )
        query = (
            select(
                discovered_links.c.url,
                discovered_links.c.source,
                discovered_links.c.state,
                discovered_links.c.attempts,
            )
            .where(discovered_links.c.site == site, waiting)
            .order_by((discovered_links.c.state != "pending"), discovered_links.c.id)
            .limit(limit)
        )
        with self.store.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [DueLink(row.url, row.source, row.state, row.attempts) for row in rows]

    def stored(
        self, url: str, *, score: int | None = None, kind: str | None = None, reasons: Sequence[str] = ()
    ) -> None:
        """The link is a tracked story now (or the same story under another URL)."""
        decided = _decided("story", kind, score, reasons)
        self._set(url, None, state="stored", next_try_at=None, last_error=None, **decided)

    def failed(self, url: str, attempts: int, error: str) -> None:
        """The first sight failed: try again on the link's own back-off schedule."""
        tries = attempts + 1
        if tries >= MAX_ATTEMPTS:
            self._set(url, None, state="given_up", attempts=tries, next_try_at=None, last_error=error)
            return
        wait_s = min(FIRST_RETRY_S * 2 ** (tries - 1), MAX_RETRY_S)
        self._set(url, None, state="failed", attempts=tries, next_try_at=iso_after(wait_s), last_error=error)

    def rejected(
        self,
        url: str,
        attempts: int,
        *,
        score: int,
        kind: str,
        reasons: Sequence[str],
        shape_of_site: str | None = None,
    ) -> None:
        """The gate said "not a story": keep the verdict and look again only rarely (and, with
        shape_of_site, count a non-story for the URL's shape in the same transaction)."""
        tries = attempts + 1
        wait_s = min(REJECTED_REVISIT_S * 2 ** max(tries - 1, 0), MAX_REJECTED_REVISIT_S)
        self._set(
            url,
            shape_of_site,
            state="rejected",
            attempts=tries,
            next_try_at=iso_after(wait_s),
            last_error=None,
            **_decided("not_story", kind, score, reasons),
        )

    def verdict_of(self, url: str) -> LinkVerdict | None:
        with self.store.engine.connect() as connection:
            row = connection.execute(select(discovered_links).where(discovered_links.c.url == url)).first()
        if row is None:
            return None
        reasons = tuple(json.loads(row.reasons)) if row.reasons else ()
        return LinkVerdict(row.url, row.state, row.verdict, row.kind, row.score, reasons, row.decided_at)

    def learn_shape(self, site: str, url: str, *, is_story: bool) -> None:
        """Count one gate verdict for the URL's template."""
        with self.store._write() as connection:
            count_shape(connection, site, url, is_story=is_story)

    def shape_counts(self, site: str) -> dict[str, tuple[int, int]]:
        """(stories, not_stories) per URL shape of a site."""
        query = select(url_shapes.c.shape, url_shapes.c.stories, url_shapes.c.not_stories).where(
            url_shapes.c.site == site
        )
        with self.store.engine.connect() as connection:
            return {row.shape: (row.stories, row.not_stories) for row in connection.execute(query)}

    def _set(self, url: str, not_story_shape_of: str | None, **values: Any) -> None:
        with self.store._write() as connection:
            connection.execute(update(discovered_links).where(discovered_links.c.url == url).values(**values))
            if not_story_shape_of is not None:
                count_shape(connection, not_story_shape_of, url, is_story=False)


# Plain SQL both databases accept ({p}: the driver's placeholder), on the driver's cursor inside the story's
# own transaction: through SQLAlchemy's execution machinery these two statements cost more than the database's
# work, once per first sight.
_STORED = (
    "UPDATE discovered_links SET state = 'stored', next_try_at = NULL, last_error = NULL, verdict = {p},"
    " kind = {p}, score = {p}, reasons = {p}, decided_at = {p} WHERE url = {p}"
)
_COUNT_SHAPE = (
    "INSERT INTO url_shapes (site, shape, stories, not_stories, updated_at) VALUES ({p}, {p}, {p}, {p}, {p})"
    " ON CONFLICT (site, shape) DO UPDATE SET stories = url_shapes.stories + excluded.stories,"
    " not_stories = url_shapes.not_stories + excluded.not_stories, updated_at = excluded.updated_at"
)


def record_stored_story(
    connection: Connection,
    site: str,
    url: str,
    *,
    score: int | None = None,
    kind: str | None = None,
    reasons: Sequence[str] = (),
    learn_shape: bool = True,
) -> None:
    """In a new story's own transaction: its link is stored, with the gate's verdict, and its URL shape
    counts one more story (LinkStore.stored and learn_shape in one go)."""
    decided = _decided("story", kind, score, reasons)
    cursor = connection.connection.cursor()
    p = _placeholder(connection)
    cursor.execute(
        _STORED.format(p=p),
        (decided["verdict"], kind, score, decided["reasons"], decided["decided_at"], url),
    )
    if learn_shape:
        cursor.execute(_COUNT_SHAPE.format(p=p), (site, url_shape(url), 1, 0, decided["decided_at"]))


def count_shape(connection: Connection, site: str, url: str, *, is_story: bool) -> None:
    """Count one gate verdict for the URL's template (one upsert)."""
    row = (site, url_shape(url), int(is_story), int(not is_story), now_iso())
    connection.connection.cursor().execute(_COUNT_SHAPE.format(p=_placeholder(connection)), row)


def _placeholder(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _decided(verdict: str, kind: str | None, score: int | None, reasons: Sequence[str]) -> dict[str, Any]:
    return {
        "verdict": verdict,
        "kind": kind,
        "score": score,
        "reasons": json.dumps(list(reasons), ensure_ascii=False) if reasons else None,
        "decided_at": now_iso(),
    }


def _dialect_insert(connection: Connection, table: Any) -> Any:
    return dialect_insert(connection.dialect.name)(table)


def _insert_ignore_statement(connection: Connection) -> Any:
    return _dialect_insert(connection, discovered_links).on_conflict_do_nothing()
