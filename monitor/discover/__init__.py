"""The discover stage: article links from listing pages, feeds and sitemaps, and URL identity."""

from monitor.discover.feeds import feed_urls_from_page, links_from_feed
from monitor.discover.listing import links_from_listing
from monitor.discover.sitemaps import links_from_sitemap
from monitor.discover.urls import canonicalize_url, is_safe_link, story_url

__all__ = [
    "canonicalize_url",
    "feed_urls_from_page",
    "is_safe_link",
    "links_from_feed",
    "links_from_listing",
    "links_from_sitemap",
    "story_url",
]
