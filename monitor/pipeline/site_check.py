"""run_pass() and check_site(): a pass over the sites, their listing pages, feeds and sitemaps, and the first
sight of every new story (fetch -> extract -> compare -> store -> report); then the rechecks (recheck.py)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any
from urllib.parse import urlsplit

from monitor import report
from monitor.config import Config, Site
from monitor.discover import canonicalize_url, is_safe_link
from monitor.discover.jobs import Discovered, feed_job, listing_job, sitemap_job
from monitor.discover.urls import host_in_domains
from monitor.errors import StoreError
from monitor.fetch import FetchKind
from monitor.models import ArticleLink, CheckOutcome, FetchedPage
from monitor.pipeline import gating, site_memory
from monitor.pipeline.apply import apply_first_sight
from monitor.pipeline.decide import decide_first_sight, first_sight_usable
from monitor.pipeline.recheck import recheck_stories
from monitor.pipeline.runtime import (
    PassReport,
    Runtime,
    bounded_gather,
    canonical_of,
    extract_article,
    fetch_page,
    new_version,
    parse_bounded,
    record_problem,
)
from monitor.pipeline.workers import PageAbandoned
from monitor.store import SourceState
from monitor.store.links import DueLink

log = logging.getLogger(__name__)

MAX_CHILD_SITEMAPS = 20
MAX_AUTODISCOVERED_FEEDS = 3


async def run_pass(runtime: Runtime, sites: Sequence[Site], *, recheck_all: bool = False) -> PassReport:
    """One full pass: store the new stories of every site, then recheck the tracked ones that are due."""
    runtime.store.ensure_sites(site.name for site in sites)
    total = PassReport()
    for result in await asyncio.gather(*(check_site(runtime, site) for site in sites)):
        total.add(result)
    total.add(await recheck_stories(runtime, sites, recheck_all=recheck_all))
    return total


async def check_site(runtime: Runtime, site: Site) -> PassReport:
    """Visit a site's listing pages, feeds and sitemaps and store every story not seen before."""
    result = PassReport()
    try:
        # 1. fetch + discover: listing pages, feeds (configured or autodiscovered), sitemaps
        links, source_errors, source_states = await _discover_links(runtime, site)
        result.links = len(links)
        # 2. record the links we do not track yet; visit those due (new ones, and earlier ones not yet
        # stored or given up); only then save the sources' validators, so a kill -9 loses no link
        due_links = gating.links_to_visit(runtime.links, site, links)
        for state in source_states:
            runtime.store.save_source_state(*state)
        runtime.start_extract_workers(len(due_links))
        # 3. fetch, extract, gate and store each new story
        for outcome in await bounded_gather([_first_sight(runtime, site, link) for link in due_links]):
            result.count(outcome)
        all_sources_failed = bool(source_errors) and len(source_errors) == _source_count(site)
        error = "; ".join(source_errors) if all_sources_failed else None
        _record_site_result(runtime, site, error)
        result.errors.extend(source_errors)
        site_memory.forget(runtime, site)
    except StoreError:
        raise
    except Exception as error:  # a bug must not stop the other sites: record it and go on
        log.exception("checking site %s failed", site.name)
        runtime.store.record_site_result(site.name, f"internal error: {error!r}")
        result.errors.append(repr(error))
    runtime.flush()  # stage end: the fetch log rows of the site's sources and new stories
    return result


def _record_site_result(runtime: Runtime, site: Site, error: str | None) -> None:
    """Store the outcome; say so once when a site starts failing and once when it recovers."""
    failures_before = runtime.store.site_failures(site.name)
    runtime.store.record_site_result(site.name, error)
    if error is not None and failures_before == 0:
        report.emit("site.failing", logging.WARNING, site=site.name, error=error)
    elif error is None and failures_before > 0:
        report.emit("site.recovered", site=site.name, failures=failures_before)


def _source_count(site: Site) -> int:
    return len(site.start_urls) + len(site.feeds) + len(site.sitemaps)


SourceSave = tuple[str, str, FetchKind, SourceState]  # save_source_state's arguments, once links are recorded


async def _discover_links(
    runtime: Runtime, site: Site
) -> tuple[list[ArticleLink], list[str], list[SourceSave]]:
    errors: list[str] = []
    found: list[ArticleLink] = []
    saves: list[SourceSave] = []
    learned = gating.learned_shapes(runtime.links, site)
    listing_pages = await asyncio.gather(
        *(_fetch_source(runtime, site, url, "page", saves) for url in site.start_urls)
    )
    # Feeds found on the start pages earlier are kept as sources: read them even when the pages are unchanged.
    feed_urls = list(site.feeds) or runtime.store.source_urls(site.name, "feed")
    for url, page in zip(site.start_urls, listing_pages, strict=True):
        if page is None:
            errors.append(f"{url}: unreachable")
            continue
        if page.not_modified or not page.text:
            continue
        listing = await _parse_source(
            runtime,
            site,
            page,
            listing_job,
            (
                page.text,
                page.final_url,
                site.allowed_domains,
                site.include,
                (),  # exclude patterns apply once, to every link: _unique_story_links
                not site.feeds,
                learned,
            ),
        )
        if listing is None:
            errors.append(f"{url}: parse abandoned")
            continue
        found.extend(listing.links)
        # A page may name any host as its feed: the same address rules as for story links (the fetch itself
        # then refuses names that resolve to non-public addresses).
        advertised = [feed for feed in listing.more_sources if is_safe_link(feed, site.source_hosts)]
        feed_urls.extend(feed for feed in advertised[:MAX_AUTODISCOVERED_FEEDS] if feed not in feed_urls)
    feed_pages = await asyncio.gather(
        *(_fetch_source(runtime, site, url, "feed", saves) for url in feed_urls)
    )
    for url, page in zip(feed_urls, feed_pages, strict=True):
        if page is None:
            if url in site.feeds:
                errors.append(f"{url}: unreachable")
        elif page.body and not page.not_modified:
            feed = await _parse_source(runtime, site, page, feed_job, (page.body, page.final_url))
            found.extend(feed.links if feed is not None else [])
    for url in site.sitemaps:
        sitemap_links, ok = await _sitemap_links(runtime, site, url, saves)
        found.extend(sitemap_links)
        if not ok:
            errors.append(f"{url}: unreachable")
    for url in await _robots_sitemaps(runtime, site):
        found.extend((await _sitemap_links(runtime, site, url, saves))[0])
    return _unique_story_links(found, site), errors, saves


async def _robots_sitemaps(runtime: Runtime, site: Site) -> list[str]:
    """The `Sitemap:` lines of the site's robots.txt when the site asks for them, minus configured ones."""
    if not site.sitemaps_from_robots:
        return []
    first_source = (*site.start_urls, *site.feeds, *site.sitemaps)[0]
    found = await runtime.fetcher_for(site).sitemaps_from_robots(first_source, site_hosts=site.source_hosts)
    return [url for url in found if url not in site.sitemaps and _on_site(url, site)][:MAX_CHILD_SITEMAPS]


async def _sitemap_links(
    runtime: Runtime, site: Site, url: str, saves: list[SourceSave]
) -> tuple[list[ArticleLink], bool]:
    page = await _fetch_source(runtime, site, url, "sitemap", saves)
    if page is None:
        return [], False
    if page.not_modified or not page.body:
        return [], True
    max_age_days = site.sitemap_max_age_s / 86400
    sitemap = await _parse_source(runtime, site, page, sitemap_job, (page.body, page.final_url, max_age_days))
    if sitemap is None:
        return [], False
    links = list(sitemap.links)
    for child in sitemap.more_sources[:MAX_CHILD_SITEMAPS]:
        child_page = await _fetch_source(runtime, site, child, "sitemap", saves)
        if child_page is not None and child_page.body and not child_page.not_modified:
            job_args = (child_page.body, child_page.final_url, max_age_days)
            child_sitemap = await _parse_source(runtime, site, child_page, sitemap_job, job_args)
            links.extend(child_sitemap.links if child_sitemap is not None else [])
    return links, True


async def _parse_source(
    runtime: Runtime, site: Site, page: FetchedPage, job: Callable[..., Discovered], job_args: tuple[Any, ...]
) -> Discovered | None:
    """A fetched source's links, parsed under the page deadline (in a worker when it is large), with its
    problems recorded; None when the parse was abandoned (recorded as parse_deadline or parse_crashed)."""
    try:
        discovered = await parse_bounded(runtime, len(page.text or page.body), job, *job_args)
    except PageAbandoned as abandoned:
        record_problem(runtime, site, page.final_url, f"parse_{abandoned.reason}")
        return None
    for problem in discovered.problems:
        record_problem(runtime, site, page.final_url, problem)
    return discovered


def _unique_story_links(links: Sequence[ArticleLink], site: Site) -> list[ArticleLink]:
    seen: set[str] = set()
    unique: list[ArticleLink] = []
    excluded = [re.compile(pattern) for pattern in site.exclude]
    for link in links:
        url = canonicalize_url(link.url)
        if url in seen or not is_safe_link(url, site.source_hosts) or not _on_site(url, site):
            continue
        if any(pattern.search(url) for pattern in excluded):
            continue
        if site.include_only and not any(re.search(pattern, url) for pattern in site.include):
            continue  # the site is restricted to links matching its `include` patterns
        seen.add(url)
        unique.append(ArticleLink(url=url, source=link.source, title=link.title, published=link.published))
    return unique


def _on_site(url: str, site: Site) -> bool:
    return host_in_domains((urlsplit(url).hostname or "").lower(), site.allowed_domains)


async def _fetch_source(
    runtime: Runtime, site: Site, url: str, kind: FetchKind, saves: list[SourceSave]
) -> FetchedPage | None:
    """Fetch a listing page, feed or sitemap with its stored validators; None when it failed. The new
    validators go to `saves`: they are stored once the links found are (issue 16 item 4)."""
    state = runtime.store.source_state(url)
    page = await fetch_page(
        runtime, site, url, kind, state.etag if state else None, state.last_modified if state else None
    )
    if not page.ok:
        return None
    if page.not_modified:
        saves.append((site.name, url, kind, state or SourceState(None, None, None)))
        return page
    body_sha = page.body_sha256
    saves.append((site.name, url, kind, SourceState(page.etag, page.last_modified, body_sha)))
    if state is not None and state.body_sha256 == body_sha:
        # Same bytes as last time without a 304: nothing new to discover, skip the parse.
        return FetchedPage(url=page.url, final_url=page.final_url, status=page.status, not_modified=True)
    return page


async def _first_sight(runtime: Runtime, site: Site, link: DueLink) -> CheckOutcome:
    """Fetch, extract, gate, decide and store a story seen for the first time: new, known, rejected or
    failed."""
    page = await fetch_page(runtime, site, link.url, "page", None, None)
    version = None
    verdict = None
    canonical_tracked = False
    if first_sight_usable(page):
        article = await extract_article(runtime, page, site)
        verdict = gating.verdict(site, link.url, article)
        version = new_version(link.url, article, canonical_of(article, page, site))
        canonical = version.article.canonical_url
        canonical_tracked = canonical != link.url and bool(runtime.store.tracked_urls([canonical or ""]))
    decision = decide_first_sight(link.url, page, version, canonical_tracked, verdict)
    return apply_first_sight(runtime, site, link, decision, verdict)


def selected_sites(config: Config, names: Collection[str]) -> list[Site]:
    """The enabled sites, or the named ones (a ConfigError names an unknown one)."""
    if names:
        return [config.site(name) for name in names]
    return [site for site in config.sites if site.enabled]
