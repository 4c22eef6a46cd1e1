"""Finding a tracked story from a URL as a user pastes it, and the nearest tracked URL when there is none."""

from __future__ import annotations

import difflib
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine, select

from monitor.fetch.urls import canonicalize_url
from monitor.store.schema import articles

# Only the stories of the pasted URL's host are compared for a suggestion: a bounded, fast error path.
_SUGGESTION_CANDIDATES = 5000


def url_spellings(url: str) -> list[str]:
    """The pasted URL and its spellings of the same story: canonical, trailing slash, www., scheme."""
    canonical = canonicalize_url(url)
    parts = urlsplit(canonical)
    hosts = [parts.netloc]
    hosts.append(
        parts.netloc.removeprefix("www.") if parts.netloc.startswith("www.") else "www." + parts.netloc
    )
    paths = [parts.path]
    paths.append(
        parts.path.rstrip("/") if parts.path.endswith("/") and parts.path != "/" else parts.path + "/"
    )
    schemes = [parts.scheme, "https" if parts.scheme == "http" else "http"]
    spellings = [url.strip(), canonical]
    for scheme in schemes:
        for host in hosts:
            for path in paths:
                spellings.append(urlunsplit((scheme, host, path, parts.query, "")))
    return list(dict.fromkeys(spellings))


def find_story_id(engine: Engine, url: str) -> int | None:
    """The id of the story stored under `url` (or one of its spellings), by URL first, then canonical URL."""
    spellings = url_spellings(url)
    with engine.connect() as connection:
        for column in (articles.c.url, articles.c.canonical_url):
            rows = connection.execute(select(articles.c.id, column).where(column.in_(spellings))).all()
            if rows:
                rank = {spelling: index for index, spelling in enumerate(spellings)}
                return int(min(rows, key=lambda row: rank.get(row[1], len(rank)))[0])
    return None


def nearest_story_url(engine: Engine, url: str) -> str | None:
    """The tracked URL closest to `url` (same host first), for a "did you mean" hint."""
    host = (urlsplit(canonicalize_url(url)).hostname or "").removeprefix("www.")
    with engine.connect() as connection:
        query = select(articles.c.url).limit(_SUGGESTION_CANDIDATES)
        if host:
            query = query.where(articles.c.url.contains(host, autoescape=True))
        candidates = list(connection.execute(query).scalars())
        if not candidates:
            candidates = list(
                connection.execute(select(articles.c.url).limit(_SUGGESTION_CANDIDATES)).scalars()
            )
    close = difflib.get_close_matches(canonicalize_url(url), candidates, n=1, cutoff=0.6)
    return close[0] if close else None
