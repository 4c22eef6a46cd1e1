"""A fixture site of arbitrary pages on 127.0.0.1: a front page linking every page (its title as the anchor),
an RSS feed listing them, and the pages themselves; tests change pages, statuses and delays between passes."""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from testbed.serving import BackgroundServer


@dataclass
class Page:
    path: str
    title: str
    body: str  # the whole HTML document
    status: int = 200
    in_feed: bool = True


@dataclass
class PagesSite:
    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    delay_s: float = 0.0  # every page (not the front page or feed) waits this long
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: Page) -> Page:
        self.pages[page.path] = page
        return page

    def front_page(self) -> str:
        links = "".join(
            f'<li><h3><a href="{page.path}">{html.escape(page.title)}</a></h3></li>'
            for page in self.pages.values()
        )
        return f"<!DOCTYPE html><html><head><title>Front</title></head><body><ul>{links}</ul></body></html>"

    def feed(self, base: str) -> str:
        items = "".join(
            f"<item><title>{html.escape(page.title)}</title><link>{base}{page.path}</link></item>"
            for page in self.pages.values()
            if page.in_feed
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'

    def requests_of(self, path: str) -> int:
        with self.lock:
            return sum(1 for request in self.requests if request == path)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        site: PagesSite = self.server.site  # type: ignore[attr-defined]
        path = self.path.split("?")[0]
        with site.lock:
            site.requests.append(path)
            page = site.pages.get(path)
        if path not in ("/", "/feed/", "/robots.txt") and site.delay_s:
            time.sleep(site.delay_s)
        if path == "/":
            status, content_type, body = 200, "text/html; charset=utf-8", site.front_page()
        elif path == "/feed/":
            base = f"http://{self.headers.get('Host')}"
            status, content_type, body = 200, "application/rss+xml", site.feed(base)
        elif path == "/robots.txt":
            status, content_type, body = 200, "text/plain", "User-agent: *\nAllow: /\n"
        elif page is not None:
            status, content_type, body = page.status, "text/html; charset=utf-8", page.body
        else:
            status, content_type, body = 404, "text/html", "<p>Not found</p>"
        payload = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the access log
        return


class PagesServer(BackgroundServer[PagesSite]):
    """Serve a PagesSite on 127.0.0.1 in a background thread."""

    def __init__(self, site: PagesSite) -> None:
        super().__init__(site, _Handler)


def news_story(number: int, path: str | None = None, title: str | None = None) -> Page:
    """A plain news story page (NewsArticle JSON-LD, a byline, a date, three paragraphs of prose)."""
    title = title or f"Council approves plan number {number} for the river district"
    path = path or f"/news/2026/11/{1 + number % 28:02d}/council-approves-plan-number-{number}/"
    paragraphs = "".join(
        f"<p>Paragraph {index} of story {number}: the council voted on Thursday to approve the plan, "
        f"ending a dispute that has divided the town for years and delayed {index + 2} earlier proposals.</p>"
        for index in range(3)
    )
    body = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{title}",
"datePublished":"2026-11-01T09:00:00Z","author":{{"@type":"Person","name":"Ann Writer"}}}}</script></head>
<body><article><h1>{title}</h1><p class="byline">By Ann Writer</p>{paragraphs}</article></body></html>"""
    return Page(path=path, title=title, body=body)
