"""Read-only queries behind `monitor serve` and the Atom feeds: change lists, one story, feed stamps."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from monitor.store.rows import ChangeEventRow, FeedStamp, StoryRow, VersionRow
from monitor.store.schema import articles, changes, sites, versions

KINDS = ("new", "changed", "reverted", "removed", "restored", "moved")


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """Which change events a page or feed lists."""

    site: str | None = None
    site_names: tuple[str, ...] = ()  # any of these sites
    kind: str | None = None
    text: str | None = None  # words in the title or the summary
    article_id: int | None = None
    since: str | None = None
    include_minor: bool = False


@dataclass(frozen=True, slots=True)
class ChangeItem:
    """One change event with its story and, for feeds, the texts it went from and to."""

    id: int
    article_id: int
    kind: str
    version: int | None
    detected_at: str
    fields: tuple[str, ...]
    summary: str | None
    minor: bool
    site: str
    url: str
    title: str | None
    byline: str | None = None
    body: str | None = None
    previous_title: str | None = None
    previous_byline: str | None = None
    previous_body: str | None = None


def _filtered(query: Any, where: ChangeFilter) -> Any:
    if where.site:
        query = query.where(articles.c.site == where.site)
    if where.site_names:
        query = query.where(articles.c.site.in_(where.site_names))
    if where.kind:
        query = query.where(changes.c.kind == where.kind)
    if where.article_id is not None:
        query = query.where(changes.c.article_id == where.article_id)
    if where.since:
        query = query.where(changes.c.detected_at >= where.since)
    if not where.include_minor:
        query = query.where(changes.c.minor.is_(False))
    if where.text:
        for word in where.text.split()[:8]:
            pattern = f"%{_escape_like(word)}%"
            query = query.where(
                or_(
                    _current_title().ilike(pattern, escape="\\"),
                    changes.c.summary.ilike(pattern, escape="\\"),
                )
            )
    return query


def _current_title() -> Any:
    return (
        select(versions.c.title)
        .where(versions.c.article_id == changes.c.article_id, versions.c.version == changes.c.version)
        .scalar_subquery()
    )


def list_changes(
    engine: Engine, where: ChangeFilter, *, before_id: int | None = None, limit: int = 50, texts: bool = False
) -> list[ChangeItem]:
    """Change events, newest first; `texts` also loads the version texts each one went from and to."""
    current = versions.alias("current")
    previous = versions.alias("previous")
    columns: list[Any] = [
        changes.c.id,
        changes.c.article_id,
        changes.c.kind,
        changes.c.version,
        changes.c.detected_at,
        changes.c.fields,
        changes.c.summary,
        changes.c.minor,
        articles.c.site,
        articles.c.url,
        current.c.title,
    ]
    if texts:
        columns += [current.c.byline, current.c.body, previous.c.title, previous.c.byline, previous.c.body]
    query = (
        select(*columns)
        .join(articles, articles.c.id == changes.c.article_id)
        .outerjoin(
            current,
            and_(current.c.article_id == changes.c.article_id, current.c.version == changes.c.version),
        )
    )
    if texts:
        query = query.outerjoin(
            previous,
            and_(
                previous.c.article_id == changes.c.article_id,
                previous.c.version == changes.c.version - 1,
                changes.c.kind == "changed",
            ),
        )
    query = _filtered(query, where)
    if before_id is not None:
        query = query.where(changes.c.id < before_id)
    query = query.order_by(changes.c.id.desc()).limit(limit)
    with engine.connect() as connection:
        return [_change_item(row, texts) for row in connection.execute(query)]


def _change_item(row: Any, texts: bool) -> ChangeItem:
    base = ChangeItem(
        id=row[0],
        article_id=row[1],
        kind=row[2],
        version=row[3],
        detected_at=row[4],
        fields=tuple(row[5].split(",")) if row[5] else (),
        summary=row[6],
        minor=bool(row[7]),
        site=row[8],
        url=row[9],
        title=row[10],
    )
    if not texts:
        return base
    return replace(
        base,
        byline=row[11],
        body=row[12],
        previous_title=row[13],
        previous_byline=row[14],
        previous_body=row[15],
    )


def feed_stamp(engine: Engine, where: ChangeFilter) -> FeedStamp:
    """The newest change id, its detection time and the count of what a feed lists: its ETag/Last-Modified."""
    query = _filtered(
        select(func.max(changes.c.id), func.max(changes.c.detected_at), func.count()).join(
            articles, articles.c.id == changes.c.article_id
        ),
        where,
    )
    with engine.connect() as connection:
        row = connection.execute(query).one()
    return FeedStamp(int(row[0] or 0), row[1], int(row[2] or 0))


def site_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(select(sites.c.name).order_by(sites.c.name)))


def story_with_versions(
    engine: Engine, article_id: int
) -> tuple[StoryRow, list[VersionRow], list[ChangeEventRow]] | None:
    """A story row, its versions (oldest first) and its change events (oldest first)."""
    with engine.connect() as connection:
        story = connection.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
        if story is None:
            return None
        version_rows = connection.execute(
            select(versions).where(versions.c.article_id == article_id).order_by(versions.c.version)
        ).mappings()
        change_rows = connection.execute(
            select(changes).where(changes.c.article_id == article_id).order_by(changes.c.id)
        ).mappings()
        return (
            StoryRow.of(story),
            [VersionRow.of(row) for row in version_rows],
            [ChangeEventRow.of(row) for row in change_rows],
        )


def article_id_by_url(engine: Engine, url: str) -> int | None:
    """The story stored under this URL or canonical URL."""
    with engine.connect() as connection:
        found = connection.scalar(
            select(articles.c.id).where((articles.c.url == url) | (articles.c.canonical_url == url)).limit(1)
        )
    return int(found) if found is not None else None


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
