"""What both halves of a pass share: the process's Runtime (config, store, HTTP client, extraction workers),
pass reports, and the fetch, extract and version steps that first sights and rechecks both take."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import os
from collections.abc import Coroutine
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from monitor import compare, metrics, report
from monitor.config import Config, Site
from monitor.discover import story_url
from monitor.extraction import extract
from monitor.fetch import Fetcher, FetchKind, FetchSettings
from monitor.models import Article, FetchedPage
from monitor.store import NewVersion, Store
from monitor.store.links import LinkStore

log = logging.getLogger(__name__)
T = TypeVar("T")

STORIES_IN_FLIGHT = 16  # above the fetch concurrency, so the fetcher is never starved
GONE_ERRORS = frozenset({"http_404", "http_410"})
# New stories in one site check from which extraction moves to worker processes (config extract_workers;
# "auto" is one per core but one: the main process keeps a core busy fetching, comparing and storing, and a
# worker per core competed with it for ~17% more CPU and no shorter wall time; benchmarks/bench_e2e.py).
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
    rejected: int = 0  # pages the article gate said are not stories

    def add(self, other: PassReport) -> None:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.failed += other.failed
        self.links += other.links
        self.errors.extend(other.errors)
        self.rejected += other.rejected


class Runtime:
    """The runtime of one process: config, store, the shared HTTP client, extraction workers, link store."""

    def __init__(self, config: Config, store: Store, fetcher: Fetcher | None = None) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher or Fetcher(fetch_settings(config))
        self.extract_workers: ProcessPoolExecutor | None = None
        self.links = LinkStore(store)  # discovered links and the article gate's verdicts

    def start_extract_workers(self, pending_pages: int) -> None:
        """Extract in worker processes from now on, when this many pages wait and there is a spare core."""
        configured = self.config.extract_workers
        workers = (os.cpu_count() or 1) - 1 if configured is None else configured
        if self.extract_workers is None and workers > 0 and pending_pages >= EXTRACT_WORKERS_FROM:
            # spawn, not fork: forking a process that runs an event loop and threads can copy a held lock.
            context = multiprocessing.get_context("spawn")
            self.extract_workers = ProcessPoolExecutor(max_workers=workers, mp_context=context)

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


async def bounded_gather(coroutines: list[Coroutine[Any, Any, T]]) -> list[T]:
    """Run these story checks with at most STORIES_IN_FLIGHT at once: each holds a fetched page (and maybe a
    parse tree) from its fetch to its store, so memory stays flat however many stories are due."""
    slots = asyncio.Semaphore(STORIES_IN_FLIGHT)

    async def in_slot(coroutine: Coroutine[Any, Any, T]) -> T:
        async with slots:
            return await coroutine

    return list(await asyncio.gather(*(in_slot(coroutine) for coroutine in coroutines)))


async def fetch_page(
    runtime: Runtime, site: Site, url: str, kind: FetchKind, etag: str | None, last_modified: str | None
) -> FetchedPage:
    """Fetch with the site's politeness settings; every attempt goes to the fetch log and the metrics, and
    a failure other than 404/410 (which the recheck decides about) is logged as fetch.failed."""
    page = await runtime.fetcher.fetch(
        url,
        kind=kind,
        etag=etag,
        last_modified=last_modified,
        user_agent=site.user_agent,
        host_delay_s=site.host_delay_s,
        site_hosts=site.source_hosts,
    )
    runtime.store.record_fetches(site.name, page.attempts)
    metrics.count_fetches(site.name, page.attempts)
    if page.error and page.error not in GONE_ERRORS:
        report.fetch_failed(
            site.name, url, page.error + (f": {page.error_detail}" if page.error_detail else "")
        )
    return page


def _extract(page: FetchedPage, site: Site) -> Article:
    return extract(page.text or page.body, url=page.final_url, selectors=site.selectors)


async def extract_article(runtime: Runtime, page: FetchedPage, site: Site) -> Article:
    """The same extraction, in a worker process when they run, so fetching and storing go on meanwhile."""
    workers = runtime.extract_workers
    if workers is not None:
        job = partial(extract, page.text or page.body, url=page.final_url, selectors=site.selectors)
        try:
            return await asyncio.get_running_loop().run_in_executor(workers, job)
        except (BrokenProcessPool, RuntimeError, OSError) as error:
            # A worker died, or could not start (spawn from a script without a __main__ guard, no more
            # processes allowed): extract here, as without workers.
            log.warning("extraction workers failed (%r); extracting in the main process from now on", error)
            runtime.extract_workers = None
            workers.shutdown(wait=False)
    return _extract(page, site)


def canonical_of(article: Article, page: FetchedPage, site: Site) -> str:
    return story_url(page.final_url, article.canonical_url, site.allowed_domains)


def new_version(url: str, article: Article, canonical: str) -> NewVersion:
    snapshot = compare.snapshot(article)
    stored = dataclasses.replace(article, canonical_url=canonical)
    return NewVersion(
        url=url,
        article=stored,
        content_hash=compare.content_hash(snapshot),
        text_hash=compare.text_hash(snapshot),
    )
