"""Read-only reporting queries behind `monitor changes`, `history`, `diff` and `status` (rows: rows.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, select, text

from monitor.store.rows import ChangeRow, NextRecheck, SearchHit, SiteStatus, StoryRow, VersionRow
from monitor.store.schema import articles, changes, fetches, sites, versions


def recent_changes(
    engine: Engine, *, since: str, site_names: list[str] | None = None, include_minor: bool = False
) -> list[ChangeRow]:
    query = (
        select(
            changes.c.detected_at,
            changes.c.kind,
            articles.c.site,
            articles.c.url,
            changes.c.version,
            versions.c.title,
            changes.c.fields,
            changes.c.summary,
            changes.c.minor,
        )
        .join(articles, articles.c.id == changes.c.article_id)
        .outerjoin(
            versions,
            and_(versions.c.article_id == changes.c.article_id, versions.c.version == changes.c.version),
        )
        .where(changes.c.detected_at >= since)
        .order_by(changes.c.detected_at, changes.c.id)
    )
    if site_names:
        query = query.where(articles.c.site.in_(site_names))
    if not include_minor:
        query = query.where(changes.c.minor.is_(False))
    with engine.connect() as connection:
        return [ChangeRow(*row) for row in connection.execute(query)]


def story_versions(engine: Engine, url: str) -> tuple[StoryRow, list[VersionRow]] | None:
    """The story row and all its versions (oldest first), found by URL or canonical URL as pasted."""
    from monitor.store.lookup import find_story_id

    story_id = find_story_id(engine, url)
    if story_id is None:
        return None
    with engine.connect() as connection:
        story = connection.execute(select(articles).where(articles.c.id == story_id)).mappings().first()
        if story is None:
            return None
        rows = (
            connection.execute(
                select(versions).where(versions.c.article_id == story["id"]).order_by(versions.c.version)
            )
            .mappings()
            .all()
        )
        version_changes = {
            row["version"]: dict(row)
            for row in connection.execute(
                select(
                    changes.c.version, changes.c.kind, changes.c.summary, changes.c.diff, changes.c.minor
                ).where(changes.c.article_id == story["id"], changes.c.kind.in_(("new", "changed")))
            ).mappings()
        }
    merged = []
    for row in rows:
        change = version_changes.get(row["version"], {})
        merged.append(
            VersionRow.of(
                row, summary=change.get("summary"), diff=change.get("diff"), minor=change.get("minor", False)
            )
        )
    return StoryRow.of(story), merged


def site_status(engine: Engine, *, since_day: str, since_week: str) -> list[SiteStatus]:
    """Per-site health figures for `monitor status`."""
    with engine.connect() as connection:
        site_rows = connection.execute(select(sites).order_by(sites.c.name)).mappings().all()
        article_counts: dict[str, int] = dict(
            connection.execute(select(articles.c.site, func.count()).group_by(articles.c.site)).all()
        )
        week_counts: dict[str, int] = dict(
            connection.execute(
                select(articles.c.site, func.count())
                .where(articles.c.first_seen_at >= since_week)
                .group_by(articles.c.site)
            ).all()
        )
        day_counts: dict[str, int] = dict(
            connection.execute(
                select(articles.c.site, func.count())
                .where(articles.c.first_seen_at >= since_day)
                .group_by(articles.c.site)
            ).all()
        )
        change_counts: dict[str, int] = dict(
            connection.execute(
                select(articles.c.site, func.count())
                .join(changes, changes.c.article_id == articles.c.id)
                .where(changes.c.kind == "changed", changes.c.minor.is_(False))
                .group_by(articles.c.site)
            ).all()
        )
        failure_counts: dict[str, int] = dict(
            connection.execute(
                select(fetches.c.site, func.count())
                .where(fetches.c.error.is_not(None), fetches.c.started_at >= since_day)
                .group_by(fetches.c.site)
            ).all()
        )
        complete = _complete_counts(connection)
    result = []
    for row in site_rows:
        name = row["name"]
        total = article_counts.get(name, 0)
        result.append(
            SiteStatus.of(
                row,
                articles=total,
                new_last_24h=day_counts.get(name, 0),
                stories_per_day=round(
                    week_counts.get(name, 0) / _days_watched(row["created_at"], since_week), 1
                ),
                changes=change_counts.get(name, 0),
                fetch_failures_24h=failure_counts.get(name, 0),
                complete_share=round(complete.get(name, 0) / total, 3) if total else None,
                stale=week_counts.get(name, 0) >= 7 and day_counts.get(name, 0) == 0,
            )
        )
    return result


def _days_watched(created_at: str, since_week: str) -> float:
    """Days of the last week the site was watched: a site added today has watched one day, not seven."""
    from monitor.clock import from_iso

    start = max(from_iso(created_at), from_iso(since_week))
    watched_days = (from_iso(since_week).timestamp() + 7 * 86400 - start.timestamp()) / 86400
    return min(7.0, max(1.0, watched_days))


def next_rechecks(engine: Engine) -> dict[str, NextRecheck]:
    """Per site: the earliest next recheck of its active stories, and how many are scheduled at all."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(articles.c.site, func.min(articles.c.next_check_at), func.count(articles.c.next_check_at))
            .where(articles.c.status == "active")
            .group_by(articles.c.site)
        ).all()
    return {site: NextRecheck(earliest, count) for site, earliest, count in rows}


def _complete_counts(connection: Any) -> dict[str, int]:
    """Stories whose current version has a title, a body and a date."""
    query = (
        select(articles.c.site, func.count())
        .join(
            versions,
            and_(versions.c.article_id == articles.c.id, versions.c.version == articles.c.current_version),
        )
        .where(
            versions.c.title.is_not(None),
            versions.c.title != "",
            versions.c.body != "",
            versions.c.published_at.is_not(None),
        )
        .group_by(articles.c.site)
    )
    return dict(connection.execute(query).all())


# A word in many stories: bm25 ranks every match and reads each one's sizes to do it, linear in the matches
# (~18 ms at 12,000 matches, 10x that at 100,000). Above RANK_EVERY_MATCH_UP_TO matching versions (a cheap
# count first) only the SEARCH_CANDIDATES most recent matches are ranked, a cost that stays flat.
RANK_EVERY_MATCH_UP_TO = 5000
SEARCH_CANDIDATES = 1000


def search_versions(
    engine: Engine,
    query: str,
    *,
    limit: int = 20,
    site_names: list[str] | None = None,
    all_versions: bool = False,
) -> list[SearchHit]:
    """Stories whose text matches `query` (FTS5 syntax on SQLite, plain words on PostgreSQL), best first.

    SQLite ranks by bm25: every match, or the SEARCH_CANDIDATES most recent when more than
    RANK_EVERY_MATCH_UP_TO versions match; PostgreSQL lists the newest matches first."""
    current_only = "" if all_versions else " AND v.version = a.current_version"
    site_filter = " AND a.site IN :sites" if site_names else ""
    parameters: dict[str, Any] = {"query": query, "limit": limit}
    if site_names:
        parameters["sites"] = site_names
    if engine.dialect.name == "sqlite":
        return _sqlite_search(engine, current_only + site_filter, parameters)
    sql = (
        "SELECT a.site, a.url, v.version, v.fetched_at, v.title,"
        " ts_headline('simple', v.body, plainto_tsquery('simple', :query),"
        " 'StartSel=[,StopSel=],MaxWords=24,MinWords=8') AS snippet"
        " FROM versions v JOIN articles a ON a.id = v.article_id"
        " WHERE to_tsvector('simple', coalesce(v.title, '') || ' ' || v.body)"
        f" @@ plainto_tsquery('simple', :query){current_only}{site_filter}"
        " ORDER BY v.fetched_at DESC LIMIT :limit"
    )
    with engine.connect() as connection:
        return [SearchHit(*row) for row in connection.execute(_expanding(text(sql), parameters), parameters)]


def _sqlite_search(engine: Engine, filters: str, parameters: dict[str, Any]) -> list[SearchHit]:
    """Every match ranked (bm25) when a few thousand match; else the SEARCH_CANDIDATES most recent (FTS5 walks
    its rowids, the version ids, newest first, and stops), the snippets made for the hits shown only."""
    with engine.connect() as connection:
        matches = connection.scalar(
            text("SELECT count(*) FROM versions_fts WHERE versions_fts MATCH :query"),
            {"query": parameters["query"]},
        )
        if int(matches or 0) <= RANK_EVERY_MATCH_UP_TO:
            every = (
                "SELECT a.site, a.url, v.version, v.fetched_at, v.title,"
                " snippet(versions_fts, 1, '[', ']', ' … ', 12) AS snippet"
                " FROM versions_fts JOIN versions v ON v.id = versions_fts.rowid"
                " JOIN articles a ON a.id = v.article_id"
                f" WHERE versions_fts MATCH :query{filters} ORDER BY rank LIMIT :limit"
            )
            rows = connection.execute(_expanding(text(every), parameters), parameters)
            return [SearchHit(*row) for row in rows]
        return _recent_best(connection, filters, parameters)


def _recent_best(connection: Any, filters: str, parameters: dict[str, Any]) -> list[SearchHit]:
    candidates = (
        "SELECT versions_fts.rowid AS id, versions_fts.rank AS score,"
        " a.site, a.url, v.version, v.fetched_at, v.title FROM versions_fts"
        " JOIN versions v ON v.id = versions_fts.rowid JOIN articles a ON a.id = v.article_id"
        f" WHERE versions_fts MATCH :query{filters} ORDER BY versions_fts.rowid DESC LIMIT :candidates"
    )
    snippets = text(
        "SELECT rowid, snippet(versions_fts, 1, '[', ']', ' … ', 12) FROM versions_fts"
        " WHERE versions_fts MATCH :query AND rowid IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    found = {**parameters, "candidates": SEARCH_CANDIDATES}
    rows = connection.execute(_expanding(text(candidates), found), found).all()
    best = sorted(rows, key=lambda row: (row.score, -row.id))[: parameters["limit"]]
    if not best:
        return []
    texts = connection.execute(snippets, {"query": parameters["query"], "ids": [row.id for row in best]})
    snippet_of: dict[int, str] = {int(row[0]): str(row[1]) for row in texts}
    return [
        SearchHit(row.site, row.url, row.version, row.fetched_at, row.title, snippet_of.get(int(row.id), ""))
        for row in best
    ]


def _expanding(statement: Any, parameters: dict[str, Any]) -> Any:
    return statement.bindparams(bindparam("sites", expanding=True)) if "sites" in parameters else statement
