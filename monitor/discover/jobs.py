"""Discovery of one fetched source as a self-contained job (picklable arguments, problems returned rather
than collected), so a worker process can run it under the page deadline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from monitor.discover.feeds import feed_urls_from_page, links_from_feed
from monitor.discover.listing import links_from_listing
from monitor.discover.sitemaps import links_from_sitemap
from monitor.models import ArticleLink


@dataclass(frozen=True, slots=True)
class Discovered:
    """What one source yields: story links, more sources, and the problems met reading it."""

    links: list[ArticleLink]
    more_sources: list[str]  # the feeds a listing page advertises, the child sitemaps of an index
    problems: list[str]  # short kinds for the fetch log: "listing_cut", "sitemap_unreadable"


def listing_job(
    html: str,
    base_url: str,
    site_domains: frozenset[str],
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    find_feeds: bool,
    learned_shapes: Mapping[str, bool] | None = None,
) -> Discovered:
    """A listing page's story links and, with find_feeds, the feeds it advertises; learned_shapes as for
    links_from_listing."""
    problems: list[str] = []
    links = links_from_listing(
        html,
        base_url,
        site_domains=site_domains,
        include=include,
        exclude=exclude,
        problems=problems,
        learned_shapes=learned_shapes,
    )
    return Discovered(links, feed_urls_from_page(html, base_url) if find_feeds else [], problems)


def feed_job(body: bytes, base_url: str) -> Discovered:
    """An RSS/Atom feed's story links."""
    return Discovered(links_from_feed(body, base_url), [], [])


def sitemap_job(body: bytes, base_url: str, max_age_days: float) -> Discovered:
    """A sitemap's story links, or a sitemap index's children."""
    problems: list[str] = []
    links, children = links_from_sitemap(body, base_url, max_age_days=max_age_days, problems=problems)
    return Discovered(links, children, problems)
