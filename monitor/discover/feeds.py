"""Story links from RSS/Atom feeds (feedparser), and feed autodiscovery from <link rel="alternate">."""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import feedparser

from monitor.discover.urls import canonicalize_url, is_safe_link
from monitor.markup import parse_html
from monitor.models import ArticleLink

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)
# No entity expansion: a DOCTYPE with an internal subset is cut before the parser sees it (billion laughs).
_DOCTYPE = b"<!DOCTYPE"
_SUBSET_END = re.compile(rb"\]\s*>")


def strip_doctype(body: bytes) -> bytes:
    """Removes DOCTYPE declarations (and their entity definitions) from an XML document, in one pass (a
    regex retried at each of 100,000 unclosed declarations took minutes: issue 16). A declaration that is
    never closed runs to the end of the document, which is cut there."""
    upper = body.upper()
    start = upper.find(_DOCTYPE)
    if start < 0:
        return body
    kept: list[bytes] = []
    position = 0
    while start >= 0:
        kept.append(body[position:start])
        position = _declaration_end(body, start + len(_DOCTYPE))
        start = upper.find(_DOCTYPE, position)
    kept.append(body[position:])
    return b"".join(kept)


def _declaration_end(body: bytes, after_name: int) -> int:
    """Where the DOCTYPE whose name starts at after_name ends: its ">", or its internal subset's "]>"."""
    close = body.find(b">", after_name)
    subset = body.find(b"[", after_name, close if close >= 0 else len(body))  # never past the ">"
    if subset >= 0:
        end = _SUBSET_END.search(body, subset)
        return end.end() if end else len(body)
    return close + 1 if close >= 0 else len(body)


def links_from_feed(body: bytes, base_url: str) -> list[ArticleLink]:
    """The entries of an RSS/Atom feed as links, with title and published time when the feed gives them."""
    parsed = feedparser.parse(
        strip_doctype(body), response_headers={"content-location": base_url}, sanitize_html=False
    )
    links: dict[str, ArticleLink] = {}
    site_hosts = frozenset({(urlsplit(base_url).hostname or "").lower()})
    for entry in parsed.entries:
        href = _entry_href(entry)
        if not href:
            continue
        url = canonicalize_url(urljoin(base_url, href.strip()))
        if url in links or not is_safe_link(url, site_hosts):
            continue
        title = " ".join(str(entry.get("title") or "").split()) or None
        links[url] = ArticleLink(url=url, source="feed", title=title, published=_entry_published(entry))
    return list(links.values())


def _entry_href(entry: feedparser.FeedParserDict) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    for candidate in entry.get("links", []):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"])
    guid = entry.get("id")
    if guid and entry.get("guidislink", False):
        return str(guid)
    return None


def _entry_published(entry: feedparser.FeedParserDict) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat().replace("+00:00", "Z")
    return None


def feed_urls_from_page(html: str, base_url: str) -> list[str]:
    """Feeds a page advertises with <link rel="alternate" type="application/rss+xml|atom+xml">."""
    tree = parse_html(html)
    urls: list[str] = []
    for node in tree.css("link[rel][href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        media_type = (node.attributes.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rel or media_type not in FEED_TYPES:
            continue
        url = canonicalize_url(urljoin(base_url, (node.attributes.get("href") or "").strip()))
        if url.startswith(("http://", "https://")) and url not in urls:
            urls.append(url)
    return urls
