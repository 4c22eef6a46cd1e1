"""`monitor check`: one page through a pass's own steps (the site's fetch settings, selectors, include,
exclude and not_stories patterns), without writing anything to the database."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor import gate
from monitor.config import DEFAULT_USER_AGENT, Config, Site
from monitor.discover import canonicalize_url
from monitor.discover.urls import host_in_domains
from monitor.errors import MonitorError
from monitor.extraction import extract
from monitor.fetch import Fetcher, FetchSettings
from monitor.models import Article
from monitor.pipeline.fetchers import SiteFetchers
from monitor.pipeline.gating import verdict
from monitor.pipeline.runtime import fetch_settings


@dataclass(frozen=True, slots=True)
class PageCheck:
    """What a pass would make of one page."""

    url: str
    site: Site | None  # the configured site the page belongs to, if any
    article: Article
    verdict: gate.Verdict
    skipped_because: str | None  # why the site's discovery never fetches this URL, if it does not


def site_for(config: Config | None, url: str | None) -> Site | None:
    """The site whose start URLs, feeds or sitemaps are on the URL's host, else one whose domains hold it."""
    if config is None or not url:
        return None
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    by_source = next((site for site in config.sites if host in site.source_hosts), None)
    return by_source or next(
        (site for site in config.sites if host_in_domains(host, site.allowed_domains)), None
    )


def check_page(config: Config | None, url: str | None, page_bytes: bytes | None = None) -> PageCheck:
    """Fetch `url` as the site's pass would (or take `page_bytes`, read from a file), extract it with the
    site's selectors and judge it with the site's patterns. A failed fetch is a MonitorError."""
    if page_bytes is None and not url:
        raise MonitorError("give a URL or a page")
    site = site_for(config, url)
    if page_bytes is not None:
        html: str | bytes = page_bytes
        final_url = url
    else:
        assert url is not None
        html, final_url = asyncio.run(_fetch(config, site, url))
    article = extract(html, url=final_url, selectors=site.selectors if site else None)
    if site is not None and url:
        found = verdict(site, canonicalize_url(url), article)
    else:
        found = gate.judge(article, url or "")
    return PageCheck(
        url=final_url or "",
        site=site,
        article=article,
        verdict=found,
        skipped_because=_skipped_because(site, url) if site and url else None,
    )


async def _fetch(config: Config | None, site: Site | None, url: str) -> tuple[str | bytes, str]:
    settings = fetch_settings(config) if config is not None else FetchSettings(user_agent=DEFAULT_USER_AGENT)
    shared = Fetcher(settings)
    fetchers = SiteFetchers(shared)
    try:
        if site is None:
            page = await shared.fetch(url, kind="page")
        else:
            page = await fetchers.for_site(site).fetch(
                url,
                kind="page",
                user_agent=site.user_agent,
                host_delay_s=site.host_delay_s,
                site_hosts=site.source_hosts,
            )
    finally:
        await fetchers.aclose()
        await shared.aclose()
    if not page.ok:
        raise MonitorError(f"{url}: {page.error} {page.error_detail}".strip())
    return page.text or page.body, page.final_url


def _skipped_because(site: Site, url: str) -> str | None:
    """Why discovery drops this URL for the site (as site_check's link filter does), or None."""
    canonical = canonicalize_url(url)
    if not host_in_domains((urlsplit(canonical).hostname or "").lower(), site.allowed_domains):
        return f"its host is outside the site's domains ({', '.join(sorted(site.allowed_domains))})"
    excluded = next((pattern for pattern in site.exclude if re.search(pattern, canonical)), None)
    if excluded is not None:
        return f"the site's exclude pattern {excluded!r} matches it"
    if site.include_only and not any(re.search(pattern, canonical) for pattern in site.include):
        return "include_only is set and no include pattern matches it"
    return None
