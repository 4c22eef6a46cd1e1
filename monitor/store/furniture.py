"""The site memory's tables: per-site block counts and furniture (`site_furniture`), the blocks of each
story's last fetch (`story_blocks`) and the site-wide template changes (`template_changes`)."""

from __future__ import annotations

import hashlib
from collections import Counter, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select, text, update

from monitor.clock import iso_after, now_iso
from monitor.compare.furniture import SAMPLE_CHARS, Block
from monitor.store.database import dialect_insert
from monitor.store.repo import Store
from monitor.store.schema import site_furniture, story_blocks, template_changes

# Blocks remembered per site (furniture and candidates seen in one story so far); beyond it the least
# recently seen are forgotten first, so a site with endless distinct paragraphs costs a bounded table.
MAX_BLOCKS_PER_SITE = 20_000
_CHUNK = 500  # fingerprints per IN (...) list


@dataclass(frozen=True, slots=True)
class TemplateChange:
    """A site-wide template change of one pass: the blocks that left and came into its stories."""

    site: str
    events: frozenset[str]
    blocks_before: tuple[str, ...]
    blocks_after: tuple[Block, ...]
    stories: int

    @property
    def change_key(self) -> str:
        return hashlib.sha256(" ".join(sorted(self.events)).encode("ascii")).hexdigest()


# Plain SQL that SQLite and PostgreSQL both accept, sent to the driver as it is ({p}: its placeholder):
# building the equivalent SQLAlchemy upsert per story cost more than the rest of storing it (a first
# sight's budget is a few milliseconds, issue 13). Most blocks of a story are its own text: a block gets a
# row only when a second story shows it (found among the site's recent stories' blocks, RecentBlocks), and
# its sample text once it is furniture.
_COUNT_BLOCK = (
    "INSERT INTO site_furniture (site, fingerprint, sample_text, stories_seen, furniture, learned_from,"
    " first_seen_at, last_seen_at) VALUES ({p}, {p}, '', {p}, false, 'stories', {p}, {p})"
    " ON CONFLICT (site, fingerprint) DO UPDATE SET stories_seen = site_furniture.stories_seen + 1,"
    " last_seen_at = excluded.last_seen_at"
)
_COUNTED = (
    "SELECT fingerprint, stories_seen, furniture FROM site_furniture"
    " WHERE site = {p} AND fingerprint IN ({ps})"
)
_NEWER_BLOCKS = (
    "SELECT b.article_id, b.fingerprints FROM story_blocks b JOIN articles a ON a.id = b.article_id"
    " WHERE a.site = {p} AND b.article_id > {p} ORDER BY b.article_id DESC LIMIT {p}"
)
_COUNT_CHUNK = 500  # fingerprints per IN (...) list, far below SQLite's and PostgreSQL's parameter limits
# Stories per site whose blocks are kept in memory to notice a block's second story: furniture shows on most
# pages of a site, so it comes back within far fewer stories than this.
RECENT_STORIES = 200
_BECOMES_FURNITURE = text(
    "UPDATE site_furniture SET furniture = true, sample_text = :sample_text"
    " WHERE site = :site AND fingerprint = :fingerprint"
)
_SAVE_BLOCKS_SQL = (
    "INSERT INTO story_blocks (article_id, fingerprints, fetched_at) VALUES ({p}, {p}, {p})"
    " ON CONFLICT (article_id) DO UPDATE SET fingerprints = excluded.fingerprints,"
    " fetched_at = excluded.fetched_at"
)
_SAVE_BLOCKS = text(
    "INSERT INTO story_blocks (article_id, fingerprints, fetched_at)"
    " VALUES (:article_id, :fingerprints, :now) ON CONFLICT (article_id)"
    " DO UPDATE SET fingerprints = excluded.fingerprints,"
    " fetched_at = excluded.fetched_at"
)


class RecentBlocks:
    """The distinct blocks of a site's last RECENT_STORIES first sights, read from `story_blocks` (so they
    survive restarts and include other daemons' stories): where a block's second story is noticed."""

    def __init__(self) -> None:
        self.last_article_id = 0
        self.stories: deque[frozenset[str]] = deque()
        self.counts: Counter[str] = Counter()

    def refresh(self, cursor: Any, site: str, placeholder: str) -> None:
        """Read the site's stories stored since the last refresh (by this process or another)."""
        cursor.execute(_NEWER_BLOCKS.format(p=placeholder), (site, self.last_article_id, RECENT_STORIES))
        rows = cursor.fetchall()
        for article_id, fingerprints in reversed(rows):
            self.last_article_id = max(self.last_article_id, int(article_id))
            story = frozenset(str(fingerprints).split())
            self.stories.append(story)
            self.counts.update(story)
            if len(self.stories) > RECENT_STORIES:
                forgotten = self.stories.popleft()
                self.counts.subtract(forgotten)
                for fp in forgotten:
                    if self.counts[fp] <= 0:
                        del self.counts[fp]


_RECENT: dict[tuple[str, str], RecentBlocks] = {}  # by (database, site): one process's window per site


def learn_first_sight(
    connection: Connection, site: str, article_id: int, blocks: Sequence[Block], *, min_stories: int
) -> set[str]:
    """Count a new story's blocks for its site (inside the story's own transaction, so a crash counts it
    zero times or once) and return those that are now furniture."""
    now = now_iso()
    p = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    # The driver's own cursor, in this same transaction: each statement through SQLAlchemy's execution
    # machinery cost ~0.1 ms, as much as the database's work.
    cursor = connection.connection.cursor()
    recent = _RECENT.setdefault((str(connection.engine.url), site), RecentBlocks())
    recent.refresh(cursor, site, p)  # before this story's own row, so it does not count itself
    unique = {block.fingerprint: block for block in blocks}
    cursor.execute(_SAVE_BLOCKS_SQL.format(p=p), (article_id, " ".join(b.fingerprint for b in blocks), now))
    known = {fp: (seen, furniture) for fp, seen, furniture in _counts(cursor, site, list(unique), p)}
    # A block with a row gets one more story; one without a row that recent stories show gets its row now.
    counted = {
        fp: known.get(fp, (recent.counts[fp], False)) for fp in unique if fp in known or fp in recent.counts
    }
    if not counted:
        return set()
    rows = [(site, fp, seen + 1, now, now) for fp, (seen, _furniture) in counted.items()]
    cursor.executemany(_COUNT_BLOCK.format(p=p), rows)
    crossed = [fp for fp, (seen, furniture) in counted.items() if not furniture and seen + 1 >= min_stories]
    if crossed:
        connection.execute(
            _BECOMES_FURNITURE,
            [
                {"site": site, "fingerprint": fp, "sample_text": unique[fp].text[:SAMPLE_CHARS]}
                for fp in crossed
            ],
        )
    return {fp for fp, (_seen, furniture) in counted.items() if furniture} | set(crossed)


def _counts(
    cursor: Any, site: str, fingerprints: Sequence[str], placeholder: str
) -> list[tuple[str, int, bool]]:
    """(fingerprint, stories seen, furniture) of those of these blocks of the site that have a row."""
    counted: list[tuple[str, int, bool]] = []
    for start in range(0, len(fingerprints), _COUNT_CHUNK):
        chunk = fingerprints[start : start + _COUNT_CHUNK]
        query = _COUNTED.format(p=placeholder, ps=", ".join([placeholder] * len(chunk)))
        cursor.execute(query, (site, *chunk))
        counted.extend((str(fp), int(seen), bool(furniture)) for fp, seen, furniture in cursor.fetchall())
    return counted


class FurnitureStore:
    """Reads and writes of the site memory, on the database of a Store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def furniture(self, site: str) -> frozenset[str]:
        """The fingerprints of a site's learned furniture."""
        with self.store.engine.connect() as connection:
            found = connection.scalars(
                select(site_furniture.c.fingerprint).where(
                    site_furniture.c.site == site, site_furniture.c.furniture
                )
            )
            return frozenset(found)

    def samples(self, site: str, fingerprints: Collection[str]) -> dict[str, str]:
        """The sample text of these blocks of a site, where remembered."""
        found: dict[str, str] = {}
        wanted = list(fingerprints)
        with self.store.engine.connect() as connection:
            for start in range(0, len(wanted), _CHUNK):
                rows = connection.execute(
                    select(site_furniture.c.fingerprint, site_furniture.c.sample_text).where(
                        site_furniture.c.site == site,
                        site_furniture.c.fingerprint.in_(wanted[start : start + _CHUNK]),
                    )
                )
                found.update({row.fingerprint: row.sample_text for row in rows})
        return found

    def last_blocks(self, article_ids: Collection[int]) -> dict[int, list[str]]:
        """The block fingerprints of each story's last fetch, where recorded."""
        found: dict[int, list[str]] = {}
        ids = list(article_ids)
        with self.store.engine.connect() as connection:
            for start in range(0, len(ids), _CHUNK):
                rows = connection.execute(
                    select(story_blocks.c.article_id, story_blocks.c.fingerprints).where(
                        story_blocks.c.article_id.in_(ids[start : start + _CHUNK])
                    )
                )
                found.update({row.article_id: row.fingerprints.split() for row in rows})
        return found

    def known_template_events(self, site: str, *, since: str) -> set[str]:
        """The block events of the site's template changes recorded since then."""
        with self.store.engine.connect() as connection:
            rows = connection.scalars(
                select(template_changes.c.events).where(
                    template_changes.c.site == site, template_changes.c.detected_at >= since
                )
            )
            return {event for events in rows for event in events.split()}

    def record_template_change(self, change: TemplateChange) -> bool:
        """Record a template change once (idempotent on its events) and learn its new blocks as furniture;
        False when it was already recorded."""
        now = now_iso()
        with self.store.transaction() as connection:
            insert = _insert(connection)(template_changes)
            statement = (
                insert.values(
                    site=change.site,
                    detected_at=now,
                    change_key=change.change_key,
                    stories=change.stories,
                    blocks_before="\n\n".join(change.blocks_before) or None,
                    blocks_after="\n\n".join(block.text for block in change.blocks_after) or None,
                    events=" ".join(sorted(change.events)),
                )
                .on_conflict_do_nothing()
                .returning(template_changes.c.id)
            )
            if connection.execute(statement).first() is None:
                return False
            if change.blocks_after:
                _learn_template_blocks(connection, change.site, change.blocks_after, change.stories, now)
        return True

    def save_blocks(self, blocks_by_story: Mapping[int, Sequence[str]]) -> None:
        """Remember the block fingerprints of these stories' latest fetch."""
        if blocks_by_story:
            with self.store.transaction() as connection:
                _save_blocks(connection, blocks_by_story, now_iso())

    def seen(self, site: str, fingerprints: Collection[str]) -> None:
        """These furniture blocks were seen again: they are not forgotten while a site still shows them."""
        wanted = list(fingerprints)
        if not wanted:
            return
        now = now_iso()
        with self.store.transaction() as connection:
            for start in range(0, len(wanted), _CHUNK):
                connection.execute(
                    update(site_furniture)
                    .where(
                        site_furniture.c.site == site,
                        site_furniture.c.fingerprint.in_(wanted[start : start + _CHUNK]),
                    )
                    .values(last_seen_at=now)
                )

    def forget(self, site: str, *, unseen_for_s: float, keep: int = MAX_BLOCKS_PER_SITE) -> int:
        """Forget the site's blocks not seen for unseen_for_s, then the least recently seen above `keep`;
        the number of blocks forgotten."""
        cutoff = iso_after(-unseen_for_s)
        with self.store.transaction() as connection:
            forgotten = connection.execute(
                delete(site_furniture).where(
                    site_furniture.c.site == site, site_furniture.c.last_seen_at < cutoff
                )
            ).rowcount
            remembered = connection.scalar(
                select(func.count()).select_from(site_furniture).where(site_furniture.c.site == site)
            )
            excess = int(remembered or 0) - keep
            if excess > 0:
                oldest = (
                    select(site_furniture.c.fingerprint)
                    .where(site_furniture.c.site == site)
                    .order_by(site_furniture.c.last_seen_at, site_furniture.c.fingerprint)
                    .limit(excess)
                )
                stale = site_furniture.c.fingerprint.in_(oldest.scalar_subquery())
                forgotten += connection.execute(
                    delete(site_furniture).where(site_furniture.c.site == site, stale)
                ).rowcount
        return int(forgotten)


def _learn_template_blocks(
    connection: Connection, site: str, blocks: Iterable[Block], stories: int, now: str
) -> None:
    rows = [
        {
            "site": site,
            "fingerprint": block.fingerprint,
            "sample_text": block.text[:SAMPLE_CHARS],
            "stories_seen": stories,
            "furniture": True,
            "learned_from": "template",
            "first_seen_at": now,
            "last_seen_at": now,
        }
        for block in {block.fingerprint: block for block in blocks}.values()
    ]
    insert = _insert(connection)(site_furniture)
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=[site_furniture.c.site, site_furniture.c.fingerprint],
            set_={"furniture": True, "last_seen_at": insert.excluded.last_seen_at},
        ),
        rows,
    )


def _save_blocks(connection: Connection, blocks_by_story: Mapping[int, Sequence[str]], now: str) -> None:
    rows = [
        {"article_id": article_id, "fingerprints": " ".join(fingerprints), "now": now}
        for article_id, fingerprints in blocks_by_story.items()
    ]
    connection.execute(_SAVE_BLOCKS, rows)


def _insert(connection: Connection) -> Any:
    return dialect_insert(connection.dialect.name)
