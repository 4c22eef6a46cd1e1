"""What both halves of a pass share: the process's Runtime (config, store, HTTP client, extraction workers),
pass reports, and the fetch, extract and version steps that first sights and rechecks both take."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar, assert_never

from monitor import metrics, report
from monitor.config import Config, Site
from monitor.fetch import Fetcher, FetchKind, FetchSettings
from monitor.fetch.failures import failure_text
from monitor.fetch.politeness import NOT_OWNER
from monitor.models import Article, CheckOutcome, FetchedPage
from monitor.pipeline.decide import GONE_ERRORS, canonical_of, new_version
from monitor.pipeline.fetchers import SiteFetchers
from monitor.pipeline.workers import BOUNDED_FROM_CHARS, PageAbandoned, PageWorkers
from monitor.store import Store, WriteBatch
from monitor.store.links import LinkStore

log = logging.getLogger(__name__)
T = TypeVar("T")
_TASK_BATCH: ContextVar[WriteBatch | None] = ContextVar("monitor_task_batch", default=None)

STORIES_IN_FLIGHT = 16  # above the fetch concurrency, so the fetcher is never starved
# New stories in one site check from which extraction moves to worker processes (config extract_workers;
# "auto" is one per core but one: the main process keeps a core busy fetching, comparing and storing, and a
# worker per core competed with it for ~17% more CPU and no shorter wall time; benchmarks/bench_e2e.py).
# A worker costs 0.35-0.5 s of CPU to start (a new interpreter importing the parsers) and ~0.5 ms per page
# sent to it; a page extracts in ~4 ms. Below 200 pages the main process extracts them for less CPU (a
# `monitor once` of 200 new stories: 2.2 ms per story less) and about the same wall time on a busy machine.
EXTRACT_WORKERS_FROM = 200


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

    def count(self, outcome: CheckOutcome) -> None:
        """Count one story check by what it came to."""
        match outcome:
            case CheckOutcome.NEW:
                self.new += 1
            case CheckOutcome.CHANGED:
                self.changed += 1
            case CheckOutcome.UNCHANGED:
                self.unchanged += 1
            case CheckOutcome.KNOWN:
                pass  # a first sight of a story tracked already: neither new nor a recheck
            case CheckOutcome.REMOVED:
                self.removed += 1
            case CheckOutcome.FAILED:
                self.failed += 1
            case CheckOutcome.REJECTED:
                self.rejected += 1
            case _:
                assert_never(outcome)


class Runtime:
    """The runtime of one process: config, store, the shared HTTP client, extraction workers, link store."""

    def __init__(self, config: Config, store: Store, fetcher: Fetcher | None = None) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher or Fetcher(fetch_settings(config))
        self.site_fetchers = SiteFetchers(self.fetcher)
        self.extract_workers: PageWorkers | None = None
        self.every_page_to_workers = False  # workers started for many pages, not for one large page
        self.links = LinkStore(store)  # discovered links and the article gate's verdicts
        self._batch = WriteBatch()  # written by flush() at each stage end (and when full)

    @property
    def batch(self) -> WriteBatch:
        """The pending writes of the current task: its own when it has one (use_own_batch), else the
        process's."""
        own = _TASK_BATCH.get()
        return self._batch if own is None else own

    @staticmethod
    def use_own_batch() -> None:
        """Give the current context its own write batch: a task working for one host (several daemons)
        writes only its own rows, under its own lease (monitor/store/fencing.py)."""
        _TASK_BATCH.set(WriteBatch())

    def start_extract_workers(self, pending_pages: int) -> None:
        """Extract in worker processes from now on, when this many pages wait and there is a spare core."""
        configured = self.config.extract_workers
        workers = (os.cpu_count() or 1) - 1 if configured is None else configured
        if workers > 0 and pending_pages >= EXTRACT_WORKERS_FROM:
            self._start_workers(workers)
            self.every_page_to_workers = self.extract_workers is not None

    def workers_for(self, input_chars: int) -> PageWorkers | None:
        """Where to parse an input this long: a large one goes to a worker (one at least, even without a spare
        core), so its deadline can be enforced; a small one too once workers run for many pages, else the
        main process (a round trip costs ~0.5 ms of a ~4 ms extraction). None: the main process (always when
        extract_workers is 0)."""
        if input_chars < BOUNDED_FROM_CHARS:
            return self.extract_workers if self.every_page_to_workers else None
        if self.extract_workers is None:
            configured = self.config.extract_workers
            self._start_workers(max((os.cpu_count() or 1) - 1, 1) if configured is None else configured)
        return self.extract_workers

    def _start_workers(self, workers: int) -> None:
        if self.extract_workers is None and workers > 0:
            self.extract_workers = PageWorkers(workers, self.config.fetch.page_deadline)

    def flush(self, *, only_when_full: bool = False) -> None:
        """Write the pending fetch log rows and "checked" marks (see monitor/store/batch.py)."""
        if not only_when_full or self.batch.full:
            self.store.write_batch(self.batch)

    def fetcher_for(self, site: Site) -> Fetcher:
        """The HTTP client with this site's timeout, body cap and robots policy."""
        return self.site_fetchers.for_site(site)

    async def aclose(self) -> None:
        self.flush()
        await self.site_fetchers.aclose()
        await self.fetcher.aclose()
        if self.extract_workers is not None:
            self.extract_workers.close()


def fetch_settings(config: Config) -> FetchSettings:
    """The shared client's limits; user agent and host delay are also passed per request from each site."""
    return FetchSettings(
        user_agent=config.defaults.user_agent,
        deadline_s=config.defaults.timeout,
        max_bytes=config.defaults.max_bytes,  # a site's own max_bytes gets its own client (fetchers.py)
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
    page = await runtime.fetcher_for(site).fetch(
        url,
        kind=kind,
        etag=etag,
        last_modified=last_modified,
        user_agent=site.user_agent,
        host_delay_s=site.host_delay_s,
        site_hosts=site.source_hosts,
    )
    runtime.batch.record_fetches(site.name, page.attempts)
    runtime.flush(only_when_full=True)
    metrics.count_fetches(site.name, page.attempts)
    if page.error and page.error not in GONE_ERRORS and page.error != NOT_OWNER:  # another daemon's host
        report.fetch_failed(site.name, url, failure_text(page.error, page.error_detail or ""))
    return page


async def parse_bounded(runtime: Runtime, input_chars: int, job: Callable[..., T], *args: Any) -> T:
    """job(*args) in a worker process under the page deadline when workers run or the input is large, so
    fetching and storing go on meanwhile; PageAbandoned when the deadline passed or the worker died."""
    workers = runtime.workers_for(input_chars)
    if workers is not None:
        try:
            return await workers.run(job, *args)
        except (RuntimeError, OSError) as error:
            # Workers could not start (spawn from a script without a __main__ guard, no more processes
            # allowed): parse here, as without workers.
            log.warning("extraction workers failed (%r); extracting in the main process from now on", error)
            runtime.extract_workers = None
            workers.close()
    return job(*args)


async def extract_article(runtime: Runtime, page: FetchedPage, site: Site) -> Article:
    """The page's story; a page that yields none for a reason (not HTML, cut, over its deadline) has that
    recorded on its fetch and logged as page.problem."""
    from monitor.extraction import extract  # not before a page is read: a pass with nothing new skips it

    html = page.text or page.body
    try:
        article = await parse_bounded(runtime, len(html), extract, html, page.final_url, site.selectors)
    except PageAbandoned as abandoned:
        article = Article(canonical_url=page.final_url, problem=f"extract_{abandoned.reason}")
        log.warning("extraction of %s abandoned: %s", page.final_url, abandoned.detail)
    if article.problem is not None:
        record_problem(runtime, site, page.final_url, article.problem)
    return article


def record_problem(runtime: Runtime, site: Site, url: str, problem: str) -> None:
    """A page that was fetched but could not be used: the error goes on its fetch row and the log."""
    if not runtime.batch.record_problem(url, problem):
        runtime.store.record_problem(url, problem)
    report.emit(report.Event.PAGE_PROBLEM, logging.WARNING, site=site.name, url=url, error=problem)


__all__ = [
    "GONE_ERRORS",
    "PassReport",
    "Runtime",
    "bounded_gather",
    "canonical_of",
    "extract_article",
    "fetch_page",
    "fetch_settings",
    "new_version",
]
