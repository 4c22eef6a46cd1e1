"""check_site() and recheck_stories(): the only module that knows the order of the stages.

config -> schedule -> fetch -> discover -> extract -> compare -> store -> report
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import multiprocessing
import os
import re
import time
from collections.abc import Collection, Coroutine, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

from monitor import compare, metrics, report
from monitor.clock import now_iso
from monitor.config import Config, Site
from monitor.discover import (
    canonicalize_url,
    feed_urls_from_page,
    is_safe_link,
    links_from_feed,
    links_from_listing,
    links_from_sitemap,
    story_url,
)
from monitor.discover.urls import host_in_domains
from monitor.errors import StoreError
from monitor.extract import extract
from monitor.fetch import Fetcher, FetchKind, FetchSettings
from monitor.models import Article, ArticleLink, FetchedPage
from monitor.schedule import FailedLinks, next_check_at
from monitor.store import NewChange, NewVersion, SourceState, Store, TrackedArticle

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_CHILD_SITEMAPS = 20
MAX_AUTODISCOVERED_FEEDS = 3
STORIES_IN_FLIGHT = 16  # above the fetch concurrency, so the fetcher is never starved
RECHECK_BATCH = 500
GONE_ERRORS = frozenset({"http_404", "http_410"})
# New stories in one site check from which extraction moves to worker processes, one per core but one: the
# main process keeps a core busy (fetch, compare, store), and a worker per core made the two compete for
# the cores and cost ~17% more CPU for no shorter wall time (benchmarks/bench_e2e.py, issue 7).
EXTRACT_WORKERS_FROM = 50


@dataclass
class PassReport:
    """What one pass did, for the CLI summary and the tests."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    links: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: PassReport) -> None:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.failed += other.failed
        self.links += other.links
        self.errors.extend(other.errors)


class Monitor:
    """The runtime of one process: config, store and the shared HTTP client."""

    def __init__(self, config: Config, store: Store, fetcher: Fetcher | None = None) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher or Fetcher(fetch_settings(config))
        self.extract_workers: ProcessPoolExecutor | None = None
        self.failed_links = FailedLinks()

    def start_extract_workers(self, pending_pages: int) -> None:
        """Extract in worker processes from now on, when this many pages wait and there is a spare core."""
        cores = os.cpu_count() or 1
        if self.extract_workers is None and cores > 1 and pending_pages >= EXTRACT_WORKERS_FROM:
            # spawn, not fork: forking a process that runs an event loop and threads can copy a held lock.
            context = multiprocessing.get_context("spawn")
            self.extract_workers = ProcessPoolExecutor(max_workers=cores - 1, mp_context=context)

    async def aclose(self) -> None:
        await self.fetcher.aclose()
        if self.extract_workers is not None:
            self.extract_workers.shutdown()


def fetch_settings(config: Config) -> FetchSettings:
    """The shared client's limits; user agent and host delay are also passed per request from each site."""
    return FetchSettings(
        user_agent=config.defaults.user_agent,
        deadline_s=config.defaults.timeout,
        max_bytes=max((site.max_bytes for site in config.sites), default=config.defaults.max_bytes),
        host_delay_s=config.defaults.host_delay,
        concurrency=config.fetch.concurrency,
        max_retries=config.fetch.max_retries,
        max_redirects=config.fetch.max_redirects,
        crawl_delay_cap_s=config.fetch.crawl_delay_cap,
        respect_robots=config.defaults.respect_robots,
    )


async def run_pass(monitor: Monitor, sites: Sequence[Site], *, recheck_all: bool = False) -> PassReport:
    """One full pass: store the new stories of every site, then recheck the tracked ones that are due."""
    monitor.store.ensure_sites(site.name for site in sites)
    total = PassReport()
    for result in await asyncio.gather(*(check_site(monitor, site) for site in sites)):
        total.add(result)
    total.add(await recheck_stories(monitor, sites, recheck_all=recheck_all))
    return total


async def check_site(monitor: Monitor, site: Site) -> PassReport:
    """Visit a site's listing pages, feeds and sitemaps and store every story not seen before."""
    result = PassReport()
    try:
        # 1. fetch + discover: listing pages, feeds (configured or autodiscovered), sitemaps
        links, source_errors = await _discover_links(monitor, site)
        result.links = len(links)
        # 2. keep the stories we do not track yet
        tracked = monitor.store.tracked_urls([link.url for link in links])
        now = time.monotonic()
        new_links = [
            link for link in links if link.url not in tracked and monitor.failed_links.due(link.url, now)
        ][: site.max_new_per_pass]
        monitor.start_extract_workers(len(new_links))
        # 3. fetch, extract and store each new story
        outcomes = await _bounded_gather([_first_sight(monitor, site, link) for link in new_links])
        result.new = sum(1 for outcome in outcomes if outcome == "new")
        result.failed = sum(1 for outcome in outcomes if outcome == "failed")
        all_sources_failed = bool(source_errors) and len(source_errors) == _source_count(site)
        error = "; ".join(source_errors) if all_sources_failed else None
        _record_site_result(monitor, site, error)
        result.errors.extend(source_errors)
    except StoreError:
        raise
    except Exception as error:  # a bug must not stop the other sites: record it and go on
        log.exception("checking site %s failed", site.name)
        monitor.store.record_site_result(site.name, f"internal error: {error!r}")
        result.errors.append(repr(error))
    return result


async def _bounded_gather(coroutines: list[Coroutine[Any, Any, T]]) -> list[T]:
    """Run these story checks with at most STORIES_IN_FLIGHT at once: each holds a fetched page (and maybe a
    parse tree) from its fetch to its store, so memory stays flat however many stories are due."""
    slots = asyncio.Semaphore(STORIES_IN_FLIGHT)

    async def in_slot(coroutine: Coroutine[Any, Any, T]) -> T:
        async with slots:
            return await coroutine

    return list(await asyncio.gather(*(in_slot(coroutine) for coroutine in coroutines)))


def _record_site_result(monitor: Monitor, site: Site, error: str | None) -> None:
    """Store the outcome; say so once when a site starts failing and once when it recovers."""
    failures_before = monitor.store.site_failures(site.name)
    monitor.store.record_site_result(site.name, error)
    if error is not None and failures_before == 0:
        report.emit("site.failing", logging.WARNING, site=site.name, error=error)
    elif error is None and failures_before > 0:
        report.emit("site.recovered", site=site.name, failures=failures_before)


def _source_count(site: Site) -> int:
    return len(site.start_urls) + len(site.feeds) + len(site.sitemaps)


async def _discover_links(monitor: Monitor, site: Site) -> tuple[list[ArticleLink], list[str]]:
    errors: list[str] = []
    found: list[ArticleLink] = []
    listing_pages = await asyncio.gather(
        *(_fetch_source(monitor, site, url, "page") for url in site.start_urls)
    )
    # Feeds found on the start pages earlier are kept as sources: read them even when the pages are unchanged.
    feed_urls = list(site.feeds) or monitor.store.source_urls(site.name, "feed")
    for url, page in zip(site.start_urls, listing_pages, strict=True):
        if page is None:
            errors.append(f"{url}: unreachable")
            continue
        if page.not_modified or not page.text:
            continue
        found.extend(
            links_from_listing(
                page.text,
                page.final_url,
                site_domains=site.allowed_domains,
                include=site.include,
                exclude=site.exclude,
            )
        )
        if not site.feeds:
            discovered = feed_urls_from_page(page.text, page.final_url)[:MAX_AUTODISCOVERED_FEEDS]
            feed_urls.extend(url for url in discovered if url not in feed_urls)
    feed_pages = await asyncio.gather(*(_fetch_source(monitor, site, url, "feed") for url in feed_urls))
    for url, page in zip(feed_urls, feed_pages, strict=True):
        if page is None:
            if url in site.feeds:
                errors.append(f"{url}: unreachable")
        elif page.body and not page.not_modified:
            found.extend(links_from_feed(page.body, page.final_url))
    for url in site.sitemaps:
        sitemap_links, ok = await _sitemap_links(monitor, site, url)
        found.extend(sitemap_links)
        if not ok:
            errors.append(f"{url}: unreachable")
    for url in await _robots_sitemaps(monitor, site):
        found.extend((await _sitemap_links(monitor, site, url))[0])
    return _unique_story_links(found, site), errors


async def _robots_sitemaps(monitor: Monitor, site: Site) -> list[str]:
    """The `Sitemap:` lines of the site's robots.txt when the site asks for them, minus configured ones."""
    if not site.sitemaps_from_robots:
        return []
    first_source = (*site.start_urls, *site.feeds, *site.sitemaps)[0]
    found = await monitor.fetcher.sitemaps_from_robots(first_source, site_hosts=site.source_hosts)
    return [url for url in found if url not in site.sitemaps and _on_site(url, site)][:MAX_CHILD_SITEMAPS]


async def _sitemap_links(monitor: Monitor, site: Site, url: str) -> tuple[list[ArticleLink], bool]:
    page = await _fetch_source(monitor, site, url, "sitemap")
    if page is None:
        return [], False
    if page.not_modified or not page.body:
        return [], True
    max_age_days = site.sitemap_max_age_s / 86400
    links, children = links_from_sitemap(page.body, page.final_url, max_age_days=max_age_days)
    for child in children[:MAX_CHILD_SITEMAPS]:
        child_page = await _fetch_source(monitor, site, child, "sitemap")
        if child_page is not None and child_page.body and not child_page.not_modified:
            links.extend(
                links_from_sitemap(child_page.body, child_page.final_url, max_age_days=max_age_days)[0]
            )
    return links, True


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
        seen.add(url)
        unique.append(ArticleLink(url=url, source=link.source, title=link.title, published=link.published))
    return unique


def _on_site(url: str, site: Site) -> bool:
    return host_in_domains((urlsplit(url).hostname or "").lower(), site.allowed_domains)


async def _fetch_source(monitor: Monitor, site: Site, url: str, kind: FetchKind) -> FetchedPage | None:
    """Fetch a listing page, feed or sitemap with its stored validators; None when it failed."""
    state = monitor.store.source_state(url)
    page = await _fetch(
        monitor, site, url, kind, state.etag if state else None, state.last_modified if state else None
    )
    if not page.ok:
        return None
    if page.not_modified:
        monitor.store.save_source_state(site.name, url, kind, state or SourceState(None, None, None))
        return page
    body_sha = hashlib.sha256(page.body).hexdigest()
    monitor.store.save_source_state(
        site.name, url, kind, SourceState(page.etag, page.last_modified, body_sha)
    )
    if state is not None and state.body_sha256 == body_sha:
        # Same bytes as last time without a 304: nothing new to discover, skip the parse.
        return FetchedPage(url=page.url, final_url=page.final_url, status=page.status, not_modified=True)
    return page


async def _fetch(
    monitor: Monitor, site: Site, url: str, kind: FetchKind, etag: str | None, last_modified: str | None
) -> FetchedPage:
    page = await monitor.fetcher.fetch(
        url,
        kind=kind,
        etag=etag,
        last_modified=last_modified,
        user_agent=site.user_agent,
        host_delay_s=site.host_delay_s,
        site_hosts=site.source_hosts,
    )
    monitor.store.record_fetches(site.name, page.attempts)
    metrics.count_fetches(site.name, page.attempts)
    if page.error and page.error not in GONE_ERRORS:
        report.fetch_failed(
            site.name, url, page.error + (f": {page.error_detail}" if page.error_detail else "")
        )
    return page


async def _first_sight(monitor: Monitor, site: Site, link: ArticleLink) -> str:
    """Fetch, extract and store a story seen for the first time: "new", "known" or "failed"."""
    outcome = await _store_first_sight(monitor, site, link)
    if outcome == "failed":
        monitor.failed_links.failed(link.url, time.monotonic())
    else:
        monitor.failed_links.forget(link.url)
    return outcome


async def _store_first_sight(monitor: Monitor, site: Site, link: ArticleLink) -> str:
    page = await _fetch(monitor, site, link.url, "page", None, None)
    if not page.ok or page.not_modified:
        return "failed"
    article = await _extract_in_worker(monitor, page, site)
    if not article.text.strip() and not article.title:
        log.info("no story found at %s", link.url)
        return "failed"
    canonical = _canonical_of(article, page, site)
    if canonical != link.url and monitor.store.tracked_urls([canonical]):
        return "known"  # the same story under another URL (redirect target or rel=canonical)
    version = _new_version(link.url, article, canonical)
    rechecks_at = next_check_at(now_iso(), None, site.rechecks)
    article_id = monitor.store.add_story(
        site.name,
        version,
        next_check_at=rechecks_at or now_iso(),
        etag=page.etag,
        last_modified=page.last_modified,
        body_sha256=hashlib.sha256(page.body).hexdigest(),
    )
    if article_id is None:
        return "known"
    report.story_new(site.name, link.url, article.title)
    return "new"


def _extract(page: FetchedPage, site: Site) -> Article:
    return extract(page.text or page.body, url=page.final_url, selectors=site.selectors)


async def _extract_in_worker(monitor: Monitor, page: FetchedPage, site: Site) -> Article:
    """The same extraction, in a worker process when they run, so fetching and storing go on meanwhile."""
    workers = monitor.extract_workers
    if workers is not None:
        job = partial(extract, page.text or page.body, url=page.final_url, selectors=site.selectors)
        try:
            return await asyncio.get_running_loop().run_in_executor(workers, job)
        except (BrokenProcessPool, RuntimeError, OSError) as error:
            # A worker died, or could not start (spawn from a script without a __main__ guard, no more
            # processes allowed): extract here, as without workers.
            log.warning("extraction workers failed (%r); extracting in the main process from now on", error)
            monitor.extract_workers = None
            workers.shutdown(wait=False)
    return _extract(page, site)


def _canonical_of(article: Article, page: FetchedPage, site: Site) -> str:
    return story_url(page.final_url, article.canonical_url, site.allowed_domains)


def _new_version(url: str, article: Article, canonical: str) -> NewVersion:
    snapshot = compare.snapshot(article)
    stored = dataclasses.replace(article, canonical_url=canonical)
    return NewVersion(
        url=url,
        article=stored,
        content_hash=compare.content_hash(snapshot),
        text_hash=compare.text_hash(snapshot),
    )


async def recheck_stories(
    monitor: Monitor, sites: Sequence[Site], *, recheck_all: bool = False
) -> PassReport:
    """Recheck the tracked stories of these sites that are due (every one with recheck_all)."""
    result = PassReport()
    by_name = {site.name: site for site in sites}
    due_before = None if recheck_all else now_iso()
    checked: set[int] = set()  # a story whose check left it due (a failed fetch) waits for the next pass
    last_id = 0
    while True:
        page = monitor.store.due_articles(
            by_name, due_before=due_before, limit=RECHECK_BATCH, after_id=last_id
        )
        due = [story for story in page if story.id not in checked]
        if not due:
            break
        checked.update(story.id for story in due)
        last_id = max(story.id for story in due)
        outcomes = await _bounded_gather(
            [recheck_story(monitor, by_name[story.site], story) for story in due]
        )
        for outcome in outcomes:
            if outcome == "changed":
                result.changed += 1
            elif outcome == "removed":
                result.removed += 1
            elif outcome == "failed":
                result.failed += 1
            else:
                result.unchanged += 1
        if len(page) < RECHECK_BATCH:
            break
    return result


async def recheck_story(monitor: Monitor, site: Site, story: TrackedArticle) -> str:
    """Fetch a tracked story again and record what happened: changed, unchanged, removed or failed."""
    try:
        return await _recheck(monitor, site, story)
    except StoreError:
        raise
    except Exception:  # one broken page must not stop the pass
        log.exception("rechecking %s failed", story.url)
        monitor.store.mark_checked(
            story.id,
            next_check_at=_next_check(story, site),
            consecutive_failures=story.consecutive_failures + 1,
        )
        return "failed"


def _next_check(story: TrackedArticle, site: Site, *, changed: bool = False) -> str | None:
    return next_check_at(story.first_seen_at, now_iso() if changed else story.last_changed_at, site.rechecks)


async def _recheck(monitor: Monitor, site: Site, story: TrackedArticle) -> str:
    # 1. conditional fetch with the story's validators
    page = await _fetch(monitor, site, story.url, "page", story.etag, story.last_modified)
    if page.error in GONE_ERRORS or (page.ok and _redirected_home(page, site)):
        return _gone(monitor, site, story)
    if not page.ok:
        monitor.store.mark_checked(
            story.id,
            next_check_at=_next_check(story, site),
            consecutive_failures=story.consecutive_failures + 1,
        )
        return "failed"
    if story.status == "removed":
        monitor.store.record_status_change(
            story, "restored", status="active", next_check_at=_next_check(story, site, changed=True)
        )
        report.emit("story.restored", site=site.name, url=story.url)
    moved_to = _moved_to(page, story)
    if moved_to is not None:
        monitor.store.record_url_change(story, moved_to)
        report.emit("story.moved", site=site.name, url=story.url, new_url=moved_to)
    # 2. unchanged without parsing: 304, or the very same bytes as last time
    body_sha = hashlib.sha256(page.body).hexdigest() if not page.not_modified else story.body_sha256
    if page.not_modified or body_sha == story.body_sha256:
        return _unchanged(monitor, site, story)
    # 3. extract and compare with the stored current version
    article = await _extract_in_worker(monitor, page, site)
    version = _new_version(story.url, article, _canonical_of(article, page, site))
    current = monitor.store.current_version(story.id)
    validators = {"etag": page.etag, "last_modified": page.last_modified, "body_sha256": body_sha}
    if current is None or current[1] == version.content_hash:
        return _unchanged(monitor, site, story, **validators)
    old_snapshot = compare.snapshot(current[0])
    new_snapshot = compare.snapshot(version.article)
    # 4. suspicious content (paywall, consent wall, truncation) waits for a second fetch to confirm it
    reason = compare.suspicion(old_snapshot, new_snapshot)
    if reason is not None and story.pending_hash != version.content_hash:
        monitor.store.mark_checked(
            story.id,
            next_check_at=_next_check(story, site),
            consecutive_failures=0,
            pending_hash=version.content_hash,
            pending_reason=reason,
        )
        log.info(
            "quarantined a suspicious version (%s) of %s until a later fetch confirms it", reason, story.url
        )
        return "unchanged"
    # 5. a return to an earlier version (A/B headline tests): point back at it, report the first time only
    earlier = monitor.store.version_with_hash(story.id, version.content_hash)
    next_at = _next_check(story, site, changed=True)
    if earlier is not None:
        return _reverted(monitor, site, story, earlier, article, next_at, validators)
    # 6. a real new version
    comparison = compare.compare(old_snapshot, new_snapshot)
    change = NewChange(
        kind="changed",
        fields=comparison.fields,
        summary=comparison.summary,
        diff=comparison.diff,
        minor=comparison.minor,
    )
    number = monitor.store.add_version(story, version, change, next_check_at=next_at, **validators)
    if number is None:
        return "unchanged"
    if comparison.minor and not site.alert_minor:
        log.info("minor change (%s) of %s stored as v%d", comparison.summary, story.url, number)
    else:
        report.story_changed(
            site.name, story.url, article.title, number, comparison.fields, comparison.summary
        )
    return "changed"


def _unchanged(monitor: Monitor, site: Site, story: TrackedArticle, **validators: str | None) -> str:
    """Nothing new: record the check (batched with the next write) and clear any quarantine."""
    monitor.store.mark_checked_later(
        story.id,
        next_check_at=_next_check(story, site),
        consecutive_failures=0,
        pending_hash=None,
        pending_reason=None,
        **validators,
    )
    return "unchanged"


def _reverted(
    monitor: Monitor,
    site: Site,
    story: TrackedArticle,
    earlier: int,
    article: Article,
    next_at: str | None,
    validators: dict[str, str | None],
) -> str:
    already_reported = any(
        kind == "reverted" and number == earlier
        for kind, number in monitor.store.last_change_kinds(story.id, limit=50)
    )
    change = NewChange(kind="reverted", summary=f"back to v{earlier}")
    monitor.store.set_current_version(story, earlier, change, next_check_at=next_at, **validators)
    if not already_reported:
        report.story_changed(
            site.name, story.url, article.title, earlier, ["reverted"], f"back to v{earlier}"
        )
    return "changed"


def _gone(monitor: Monitor, site: Site, story: TrackedArticle) -> str:
    if story.status == "removed":
        monitor.store.mark_checked(story.id, next_check_at=_next_check(story, site))
        return "unchanged"
    if story.pending_reason != "gone":
        # Confirm once: a single 404 is often a deploy or a CDN hiccup.
        monitor.store.mark_checked(
            story.id, next_check_at=_next_check(story, site), pending_reason="gone", pending_hash=None
        )
        return "unchanged"
    monitor.store.record_status_change(
        story, "removed", status="removed", next_check_at=_next_check(story, site)
    )
    report.story_removed(site.name, story.url)
    return "removed"


def _moved_to(page: FetchedPage, story: TrackedArticle) -> str | None:
    """The story's new URL when it now redirects elsewhere (not yet recorded), else None."""
    if page.not_modified or page.final_url == page.url:
        return None
    target = canonicalize_url(page.final_url)
    if target in (story.url, story.canonical_url):
        return None
    return target


def _redirected_home(page: FetchedPage, site: Site) -> bool:
    if page.final_url == page.url:
        return False
    path = urlsplit(page.final_url).path
    return path in ("", "/") or canonicalize_url(page.final_url) in {
        canonicalize_url(u) for u in site.start_urls
    }


def selected_sites(config: Config, names: Collection[str]) -> list[Site]:
    """The enabled sites, or the named ones (a ConfigError names an unknown one)."""
    if names:
        return [config.site(name) for name in names]
    return [site for site in config.sites if site.enabled]
