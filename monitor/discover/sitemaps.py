"""Story links from sitemaps, sitemap indexes and Google News sitemaps, parsed without entity expansion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

from dateutil.parser import isoparse
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from monitor.discover.feeds import strip_doctype
from monitor.discover.urls import canonicalize_url, is_safe_link
from monitor.fetch.body import BadEncoding, BodyTooLarge, decompress_bounded
from monitor.models import ArticleLink

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file
# Children read from one index: the pipeline follows the first few (site_check.MAX_CHILD_SITEMAPS), and
# each costs URL parsing (50,000 took seconds even deduplicated in a dict).
MAX_INDEX_CHILDREN = 1_000
_GZIP_MAGIC = b"\x1f\x8b"


def links_from_sitemap(
    body: bytes, base_url: str, *, max_age_days: float | None = 2, problems: list[str] | None = None
) -> tuple[list[ArticleLink], list[str]]:
    """(story links, child sitemaps); skips entries older than max_age_days (news date, else lastmod).
    A document that does not parse gives neither, and "sitemap_unreadable" in problems."""
    root = _parse(body)
    if root is None:
        if problems is not None:
            problems.append("sitemap_unreadable")
        return [], []
    cutoff = datetime.now(UTC) - timedelta(days=max_age_days) if max_age_days is not None else None
    site_hosts = frozenset({(urlsplit(base_url).hostname or "").lower()})
    if _local(root.tag) == "sitemapindex":
        return [], _child_sitemaps(root, base_url, cutoff, site_hosts)
    links: dict[str, ArticleLink] = {}
    for entry in root:
        if _local(entry.tag) != "url":
            continue
        link = _url_entry(entry, base_url, cutoff, site_hosts)
        if link is not None and link.url not in links:
            links[link.url] = link
    return list(links.values()), []


def _parse(body: bytes) -> Element | None:
    try:
        if body.startswith(_GZIP_MAGIC):
            body = decompress_bounded(body, "gzip", MAX_SITEMAP_BYTES)
        # A DOCTYPE is cut, not refused: sitemaps that carry one gave nothing at all (issue 16).
        root: Element = fromstring(
            strip_doctype(body), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        return root
    except (ParseError, DefusedXmlException, BodyTooLarge, BadEncoding, ValueError):
        return None


def _local(tag: str | object) -> str:
    return str(tag).rpartition("}")[2].lower()


def _children(element: Element) -> dict[str, Element]:
    return {_local(child.tag): child for child in element}


def _text(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _child_sitemaps(
    root: Element, base_url: str, cutoff: datetime | None, site_hosts: frozenset[str]
) -> list[str]:
    urls: dict[str, None] = {}  # a dict: `in` on a list made 50,000 children take 30 s
    for entry in root:
        fields = _children(entry)
        url = _safe_url(_text(fields.get("loc")), base_url, site_hosts)
        if url is None or url in urls or _too_old(_parse_date(_text(fields.get("lastmod"))), cutoff):
            continue
        urls[url] = None
        if len(urls) == MAX_INDEX_CHILDREN:
            break
    return list(urls)


def _url_entry(
    entry: Element, base_url: str, cutoff: datetime | None, site_hosts: frozenset[str]
) -> ArticleLink | None:
    fields = _children(entry)
    url = _safe_url(_text(fields.get("loc")), base_url, site_hosts)
    if url is None:
        return None
    news = _children(fields["news"]) if "news" in fields else {}
    published = _parse_date(_text(news.get("publication_date")))
    modified = _parse_date(_text(fields.get("lastmod")))
    if _too_old(published or modified, cutoff):
        return None
    title = _text(news.get("title"))
    return ArticleLink(url=url, source="sitemap", title=title, published=_iso(published or modified))


def _safe_url(loc: str | None, base_url: str, site_hosts: frozenset[str]) -> str | None:
    if not loc:
        return None
    url = canonicalize_url(urljoin(base_url, loc))
    return url if is_safe_link(url, site_hosts) else None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed: datetime = isoparse(value)
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _too_old(when: datetime | None, cutoff: datetime | None) -> bool:
    return when is not None and cutoff is not None and when < cutoff


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None
