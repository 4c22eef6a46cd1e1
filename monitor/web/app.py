"""The Starlette application of `monitor serve`: pages and feeds over a read-only engine."""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from monitor.clock import from_iso, to_iso, utc_now
from monitor.store.pages import (
    KINDS,
    ChangeFilter,
    article_id_by_url,
    feed_stamp,
    list_changes,
    site_names,
    story_with_versions,
)
from monitor.store.queries import search_versions, site_status
from monitor.store.rows import SiteStatus
from monitor.web.atom import one_line, render_feed
from monitor.web.story import version_views

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PAGE_SIZE = 50
FEED_SIZE = 50
# The pages only show data: no scripts at all, styles from our own stylesheet, nothing framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


# Site health aggregates over every story and a day of fetch log: computed at most this often.
SITES_TTL_S = 15.0
# Rendered feeds kept by ETag: a feed reader polling an unchanged feed costs one small query.
FEED_CACHE_SIZE = 64


class _Memo:
    """The last value of an expensive computation, reused for `ttl_s` seconds."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._value: Any = None
        self._at = -1e18

    def get(self, compute: Callable[[], Any]) -> Any:
        if time.monotonic() - self._at >= self.ttl_s:
            self._value, self._at = compute(), time.monotonic()
        return self._value


def safe_href(url: str | None) -> str | None:
    """Only http(s) URLs become links: a stored `javascript:` URL must not run when clicked."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def create_app(engine: Engine) -> Starlette:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["safe_href"] = safe_href
    templates.env.globals["one_line"] = one_line

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        response = templates.TemplateResponse(request, name, context, status_code=status_code)
        response.headers.update(SECURITY_HEADERS)
        return response

    def changes_page(request: Request) -> Response:
        where = ChangeFilter(
            site=request.query_params.get("site") or None,
            kind=request.query_params.get("kind") or None,
            text=(request.query_params.get("q") or "").strip()[:200] or None,
            include_minor=request.query_params.get("minor") == "1",
        )
        before = _int(request.query_params.get("before"))
        items = list_changes(engine, where, before_id=before, limit=PAGE_SIZE)
        next_before = items[-1].id if len(items) == PAGE_SIZE else None
        return page(
            request,
            "changes.html",
            items=items,
            where=where,
            sites=site_names(engine),
            kinds=KINDS,
            next_before=next_before,
        )

    def story_page(request: Request) -> Response:
        found = story_with_versions(engine, int(request.path_params["article_id"]))
        if found is None:
            return page(request, "error.html", 404, message="No such story.")
        story, versions, changes = found
        return page(
            request,
            "story.html",
            story=story,
            versions=version_views(versions, changes),
            changes=list(reversed(changes)),
        )

    def search_page(request: Request) -> Response:
        query = (request.query_params.get("q") or "").strip()[:300]
        site = request.query_params.get("site") or None
        hits: list[Any] = []
        error = None
        if query:
            try:
                hits = search_versions(engine, query, limit=50, site_names=[site] if site else None)
            except (OperationalError, ProgrammingError) as problem:
                error = f"cannot search for {query!r}: {getattr(problem, 'orig', problem)}"
        return page(request, "search.html", query=query, hits=hits, error=error, site=site)

    sites_memo = _Memo(SITES_TTL_S)

    def site_rows() -> tuple[list[SiteStatus], str]:
        now = utc_now()
        rows = site_status(
            engine, since_day=to_iso(now - timedelta(days=1)), since_week=to_iso(now - timedelta(days=7))
        )
        return rows, to_iso(now)

    def sites_page(request: Request) -> Response:
        rows, as_of = sites_memo.get(site_rows)
        return page(request, "sites.html", rows=rows, now=as_of)

    def all_feed(request: Request) -> Response:
        return feed_response(
            engine, request, ChangeFilter(), "urn:monitor:feed:changes", "monitor: all changes"
        )

    def site_feed(request: Request) -> Response:
        site = request.path_params["site"]
        feed_id = f"urn:monitor:feed:site:{quote(site)}"
        return feed_response(engine, request, ChangeFilter(site=site), feed_id, f"monitor: changes on {site}")

    def story_feed(request: Request) -> Response:
        article_id = int(request.path_params["article_id"])
        feed_id = f"urn:monitor:feed:story:{article_id}"
        return feed_response(
            engine, request, ChangeFilter(article_id=article_id), feed_id, f"monitor: story {article_id}"
        )

    def story_by_url(request: Request) -> Response:
        article_id = article_id_by_url(engine, request.query_params.get("url") or "")
        if article_id is None:
            return page(request, "error.html", 404, message="No such story.")
        return RedirectResponse(f"/story/{article_id}", status_code=303)

    def stylesheet(_request: Request) -> Response:
        css = (TEMPLATES_DIR / "style.css").read_text(encoding="utf-8")
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/", changes_page),
            Route("/story/{article_id:int}", story_page),
            Route("/story", story_by_url),
            Route("/search", search_page),
            Route("/sites", sites_page),
            Route("/feeds/changes.atom", all_feed),
            Route("/feeds/sites/{site}.atom", site_feed),
            Route("/feeds/stories/{article_id:int}.atom", story_feed),
            Route("/style.css", stylesheet),
            Route("/healthz", healthz),
        ]
    )


def feed_response(
    engine: Engine, request: Request, where: ChangeFilter, feed_id: str, title: str
) -> Response:
    """The feed, or 304 Not Modified when the reader's ETag or date is still current."""
    newest_id, newest_at, count = feed_stamp(engine, where)
    scope = f"{where.site}|{where.article_id}"
    etag = '"' + hashlib.sha256(f"{scope}|{newest_id}|{count}".encode()).hexdigest()[:24] + '"'
    last_modified = format_datetime(from_iso(newest_at), usegmt=True) if newest_at else None
    headers = {"ETag": etag, "Cache-Control": "no-cache", **SECURITY_HEADERS}
    if last_modified:
        headers["Last-Modified"] = last_modified
    if _not_modified(request, etag, newest_at):
        return Response(status_code=304, headers=headers)
    cache_key = (etag, str(request.url))
    body = _FEEDS.get(cache_key)
    if body is None:
        items = list_changes(engine, where, limit=FEED_SIZE, texts=True)
        body = render_feed(items, feed_id=feed_id, title=title, self_url=str(request.url))
        _FEEDS[cache_key] = body
        while len(_FEEDS) > FEED_CACHE_SIZE:
            _FEEDS.popitem(last=False)
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers=headers)


_FEEDS: OrderedDict[tuple[str, str], bytes] = OrderedDict()


def _not_modified(request: Request, etag: str, newest_at: str | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:  # RFC 9110 13.1.2: If-None-Match wins over If-Modified-Since
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since and newest_at:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return from_iso(newest_at) <= since
    return False


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None
