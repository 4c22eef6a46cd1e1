"""OwnedWork: what a coordinated daemon runs: the checks of the sites on the hosts it owns, when due.

No job table: a site is due by `sites.next_check_at` (taken with a conditional update, so one member runs
it even across a handover) and its stories by `articles.next_check_at` (the recheck's own query). Each
check runs in a task of its own under its host's fence and with its own write batch, so every write it makes
confirms the lease it started under; no transaction is open across an HTTP request.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable

from monitor.clock import iso_after, now_iso
from monitor.config import Site
from monitor.coordination.coordinator import Coordinator
from monitor.errors import StoreError
from monitor.pipeline import Runtime, check_site, recheck_stories
from monitor.schedule import site_backoff_interval
from monitor.store.fencing import CURRENT_FENCE, Fence

log = logging.getLogger(__name__)

WORK_TICK_S = 1.0  # how often the due sites of owned hosts are looked for
Job = Callable[..., Awaitable[None]]


class OwnedWork:
    """Starts the due site checks and rechecks of the hosts this member owns, one of each per site."""

    def __init__(
        self,
        runtime: Runtime,
        coordinator: Coordinator,
        guard: Callable[[Job], Job],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.runtime = runtime
        self.coordinator = coordinator
        self._guard = guard
        self._clock = clock
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_recheck: dict[str, float] = {}

    async def tick(self) -> None:
        """Start what is due on the owned hosts (a member that is not fresh starts nothing)."""
        if not self.coordinator.fresh():
            return
        sites = [site for site in self.runtime.config.sites if site.enabled]
        now = now_iso()
        due = self.runtime.store.due_sites([site.name for site in sites], now)
        recheck_every = self.runtime.config.fetch.recheck_every
        for site in sites:
            fence = self.coordinator.fence_for(self.coordinator.site_unit(site))
            if fence is None:
                self._last_recheck.pop(site.name, None)  # rechecked at once when it is ours again
                continue
            if site.name in due and f"site:{site.name}" not in self._running and self._take(site, fence, now):
                self._spawn(f"site:{site.name}", self._check_site, site.name, fence)
            last = self._last_recheck.get(site.name)
            if f"recheck:{site.name}" not in self._running and (
                last is None or self._clock() - last >= recheck_every
            ):
                self._last_recheck[site.name] = self._clock()
                self._spawn(f"recheck:{site.name}", self._recheck_site, site.name, fence)

    def _take(self, site: Site, fence: Fence, now: str) -> bool:
        """Move the site's next check on (backing off while it fails) under its fence; False when another
        member took this one or the lease is gone."""
        failures = self.runtime.store.site_failures(site.name)
        next_at = iso_after(site_backoff_interval(site.interval_s, failures))
        token = CURRENT_FENCE.set(fence)
        try:
            return self.runtime.store.schedule_site(site.name, now, next_at)
        except StoreError as error:
            log.info("site %s not taken: %s", site.name, error)
            return False
        finally:
            CURRENT_FENCE.reset(token)

    def _spawn(self, key: str, job: Job, name: str, fence: Fence) -> None:
        context = contextvars.copy_context()
        context.run(CURRENT_FENCE.set, fence)
        context.run(Runtime.use_own_batch)
        self._running.add(key)
        guarded = self._guard(job)

        async def run() -> None:
            await guarded(name)

        task = asyncio.get_running_loop().create_task(run(), context=context)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _task: self._running.discard(key))

    async def _check_site(self, name: str) -> None:
        await check_site(self.runtime, self.runtime.config.site(name))

    async def _recheck_site(self, name: str) -> None:
        await recheck_stories(self.runtime, [self.runtime.config.site(name)])
