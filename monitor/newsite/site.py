"""A simulated news site: its stories and pages as data, and what it answers for each request.

Front page, section pages (`/section/NAME/`), an RSS feed (`/feed/`), a news sitemap, robots.txt, the story
pages in the site's theme and raw pages as they are. Behaviours a test or benchmark switches: the site is
down (503), slow, sends validators and answers conditional requests with 304, or adds a per-request nonce.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from monitor.newsite import feeds
from monitor.newsite.stories import Page, Story
from monitor.newsite.wordpress import WordPressTheme

LAST_MODIFIED = "Mon, 23 Nov 2026 08:00:00 GMT"  # sent with the validators; constant, like many CMSes
_HTML = "text/html; charset=utf-8"
_SITE_PATHS = frozenset({"/", "/feed/", "/news-sitemap.xml", "/robots.txt"})  # the rest are story pages
EntryT = TypeVar("EntryT", Story, Page)


class Theme(Protocol):
    """The markup of a site's pages."""

    disallow: str  # the path robots.txt disallows
    description: str  # the feed's channel description
    front_heading: str  # the front page's title

    def listing(
        self, site: NewsSite, stories: list[Story], pages: list[Page], base: str, heading: str
    ) -> str:
        """A front or section page linking the stories and pages."""
        ...

    def article(self, site: NewsSite, story: Story, base: str, path: str) -> str:
        """The page of one story (served at `path`)."""
        ...

    def not_found(self, site: NewsSite) -> str:
        """The body of a 404."""
        ...


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class NewsSite:
    """Stories and pages by path, rendered in `theme`; edit them between requests."""

    name: str = "Daily Fixture"
    theme: Theme = field(default_factory=WordPressTheme)
    stories: dict[str, Story] = field(default_factory=dict)  # by slug
    pages: dict[str, Page] = field(default_factory=dict)  # by path
    listing_limit: int | None = None  # the newest this many on listing pages and in the feed
    view_counter: int = 1000  # changes on every page of a theme that shows it: noise outside the story
    view_counter_step: int = 7
    sidebar_headlines: list[str] = field(
        default_factory=lambda: ["Markets rally again", "Storm season begins"]
    )
    requests: list[str] = field(default_factory=list)  # every path asked for, in order
    down: bool = False  # every request gets a 503
    delay_s: float = 0.0  # every response waits this long
    page_delay_s: float = 0.0  # story and raw pages (not listings, feeds, robots.txt) wait this long
    validators: bool = False  # send ETag/Last-Modified and answer conditional requests with 304
    nonce: bool = False  # append a per-request comment to story and raw pages: same story, other bytes
    served: int = 0  # 200 answers to story and raw pages
    not_modified: int = 0  # 304 answers
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: EntryT) -> EntryT:
        """Publish a story or a page."""
        if isinstance(entry, Story):
            self.stories[entry.slug] = entry
        else:
            self.pages[entry.path] = entry
        return entry

    def visible(self) -> list[Story]:
        """The stories still up, newest first."""
        return sorted(
            (s for s in self.stories.values() if not s.gone), key=lambda s: s.published, reverse=True
        )

    def requests_of(self, path: str) -> int:
        with self.lock:
            return sum(1 for request in self.requests if request == path)

    def respond(self, target: str, base: str, request_headers: Any) -> Response:
        """The answer to a GET of `target` (a path and maybe a query) on the site served at `base`; a raw
        page is found by its path and query, everything else by the path alone."""
        path = target.split("?")[0]
        if self.delay_s:
            time.sleep(self.delay_s)
        with self.lock:
            self.requests.append(path)
            if self.down:
                return Response(503, "text/plain", b"Service Unavailable")
            page = self.pages.get(target) if target != path else None
            if page is not None:
                status, content_type, body, headers = (
                    page.status,
                    page.content_type,
                    page.document(base),
                    page.headers,
                )
            else:
                status, content_type, body, headers = self._route(path, base)
        is_page = path not in _SITE_PATHS and not path.startswith("/section/")
        if is_page and self.page_delay_s:
            time.sleep(self.page_delay_s)
        if status == 200 and self.validators:
            etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
            headers = {**headers, "ETag": etag, "Last-Modified": LAST_MODIFIED}
            if request_headers.get("If-None-Match") == etag or (
                "If-None-Match" not in request_headers
                and request_headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                with self.lock:
                    self.not_modified += 1
                return Response(304, content_type, b"", headers)
        if is_page and status == 200:
            with self.lock:
                self.served += 1
                served = self.served
            if self.nonce:
                body += f"\n<!-- served {served} at {time.time():.6f} -->\n".encode()
        return Response(status, content_type, body, headers)

    def _route(self, path: str, base: str) -> tuple[int, str, bytes, dict[str, str]]:
        theme = self.theme
        if path == "/" or path.startswith("/section/"):
            section = path.strip("/").split("/")[-1] if path != "/" else ""
            stories = [s for s in self.visible() if not section or s.section == section][: self.listing_limit]
            pages = self._listed_pages() if not section else []
            heading = section.title() if section else theme.front_heading
            return 200, _HTML, theme.listing(self, stories, pages, base, heading).encode(), {}
        if path == "/feed/":
            stories = self.visible()[: self.listing_limit]
            pages = [page for page in self._listed_pages() if page.in_feed]
            feed = feeds.rss(self.name, base, stories, pages, theme.description)
            return 200, "application/rss+xml; charset=utf-8", feed.encode(), {}
        if path == "/news-sitemap.xml":
            return (
                200,
                "application/xml; charset=utf-8",
                feeds.news_sitemap(self.name, base, self.visible()).encode(),
                {},
            )
        if path == "/robots.txt":
            return 200, "text/plain", feeds.robots(base, theme.disallow).encode(), {}
        page = self.pages.get(path)
        if page is not None:
            return page.status, page.content_type, page.document(base), page.headers
        for story in self.stories.values():
            if story.moved_to == path:
                return 200, _HTML, theme.article(self, story, base, path).encode(), {}
            if story.path == path:
                if story.moved_to:
                    return 301, "text/plain", b"", {"Location": f"{base}{story.moved_to}"}
                if story.gone or story.dead_link:
                    return 404, _HTML, theme.not_found(self).encode(), {}
                return 200, _HTML, theme.article(self, story, base, path).encode(), {}
        return 404, _HTML, theme.not_found(self).encode(), {}

    def _listed_pages(self) -> list[Page]:
        return [page for page in self.pages.values() if page.listed]
