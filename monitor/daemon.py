"""APScheduler wiring of `monitor run`: a job per site, rechecks, config reload, signals, draining."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor import report
from monitor.backoff import SiteBackoff
from monitor.config import Config, Site, load_config
from monitor.errors import ConfigError, StoreError
from monitor.pipeline import Runtime, check_site, recheck_stories
from monitor.store import DaemonLock, Store

log = logging.getLogger(__name__)

CONFIG_POLL_S = 2.0
MAINTENANCE_EVERY_S = 3600.0
DRAIN_TIMEOUT_S = 30.0
MISFIRE_GRACE_S = 300


def _site_job_id(name: str) -> str:
    return f"site:{name}"


class Daemon:
    """`monitor run`: schedules every site and the rechecks until SIGINT/SIGTERM, then drains and exits."""

    def __init__(self, config: Config, *, drain_timeout_s: float = DRAIN_TIMEOUT_S) -> None:
        self.drain_timeout_s = drain_timeout_s
        self.lock = DaemonLock(config.database_url)
        # The runtime owns the running config and the store; the daemon reads them from it.
        self.runtime = Runtime(config, Store(config.database_url))
        self.site_backoff = SiteBackoff(self.runtime.store)
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_S},
        )
        self._stopping = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self._config_stamp = _file_stamp(config.path)

    @property
    def config(self) -> Config:
        return self.runtime.config

    @property
    def store(self) -> Store:
        return self.runtime.store

    async def run(self) -> None:
        unclean_stop = self.lock.acquire()
        try:
            if unclean_stop:
                self._check_integrity()
            self.store.upgrade()
            self.store.ensure_sites(site.name for site in self.config.sites)
            self._install_signal_handlers()
            self._schedule_all()
            self.scheduler.start()
            report.emit("daemon.started", sites=len(self.config.sites), pid=os.getpid())
            await self._stopping.wait()
            await self._drain()
        finally:
            await self.runtime.aclose()
            self.store.close()
            self.lock.release()
        report.emit("daemon.stopped", pid=os.getpid())

    def _check_integrity(self) -> None:
        problems = self.store.integrity_problems()
        if problems:
            raise StoreError(
                f"{self.config.database_url} failed its integrity check after an unclean stop: "
                + "; ".join(problems[:5])
            )
        log.warning("the last daemon did not stop cleanly; the database passed its integrity check")

    def stop(self) -> None:
        self._stopping.set()

    # -- jobs --------------------------------------------------------------------------------------------

    def _schedule_all(self) -> None:
        for site in self.config.sites:
            self._schedule_site(site)
        start = datetime.now(UTC) + timedelta(seconds=5)
        self.scheduler.add_job(
            self._guarded(self._recheck_job),
            IntervalTrigger(
                seconds=self.config.fetch.recheck_every, jitter=_jitter(self.config.fetch.recheck_every)
            ),
            id="rechecks",
            next_run_time=start,
        )
        self.scheduler.add_job(self._watch_config, IntervalTrigger(seconds=CONFIG_POLL_S), id="config-watch")
        self.scheduler.add_job(
            self._guarded(self._maintenance), IntervalTrigger(seconds=MAINTENANCE_EVERY_S), id="maintenance"
        )

    def _schedule_site(self, site: Site) -> None:
        if not site.enabled:
            return
        self.scheduler.add_job(
            self._guarded(self._site_job),
            IntervalTrigger(seconds=site.interval_s, jitter=_jitter(site.interval_s)),
            id=_site_job_id(site.name),
            args=[site.name],
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )

    def _guarded(self, job: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """Bound every job by the check timeout (APScheduler 3.x has none) and track it for draining."""

        async def run_guarded(*args: str) -> None:
            if self._stopping.is_set():
                return
            task = asyncio.current_task()
            assert task is not None
            self._inflight.add(task)
            try:
                await asyncio.wait_for(job(*args), timeout=self.config.fetch.check_timeout)
            except TimeoutError:
                log.error(
                    "%s timed out after %.0f s; it will run again at its next time",
                    job.__name__,
                    self.config.fetch.check_timeout,
                )
            except StoreError as error:
                log.error("database error: %s (will retry at the next run)", error)
            except Exception:
                log.exception("%s failed; it will run again at its next time", job.__name__)
            finally:
                self._inflight.discard(task)

        run_guarded.__name__ = job.__name__
        return run_guarded

    async def _site_job(self, name: str) -> None:
        site = self.config.site(name)
        if self.site_backoff.visit_due(name, site.interval_s):  # a failing site is visited less often
            await check_site(self.runtime, site)

    async def _recheck_job(self) -> None:
        sites = [site for site in self.config.sites if site.enabled]
        if sites:
            await recheck_stories(self.runtime, sites)

    async def _maintenance(self) -> None:
        self.store.maintenance(keep_fetch_log_s=self.config.fetch.keep_fetch_log)

    # -- config reload -----------------------------------------------------------------------------------

    async def _watch_config(self) -> None:
        stamp = _file_stamp(self.config.path)
        if stamp != self._config_stamp:
            self._config_stamp = stamp
            self.reload()

    def reload(self) -> None:
        """Validate the config file again; apply it if valid, keep the running one (and say why) if not."""
        try:
            new_config = load_config(self.config.path)
        except ConfigError as error:
            report.emit("config.invalid", logging.ERROR, path=str(self.config.path), errors=error.errors)
            for line in error.errors:
                log.error("config %s: %s (keeping the last good config)", self.config.path, line)
            return
        if new_config.database_url != self.config.database_url or new_config.fetch != self.config.fetch:
            log.warning("database and fetch settings take effect at the next restart")
        old_sites = {site.name: site for site in self.config.sites}
        new_sites = {site.name: site for site in new_config.sites}
        touched = sorted(
            name for name in old_sites.keys() | new_sites.keys() if old_sites.get(name) != new_sites.get(name)
        )
        self.runtime.config = new_config
        self.store.ensure_sites(new_sites)
        for name in touched:
            if self.scheduler.get_job(_site_job_id(name)):
                self.scheduler.remove_job(_site_job_id(name))
            if name in new_sites:
                self._schedule_site(new_sites[name])
        report.emit("config.reloaded", path=str(self.config.path), sites=touched)

    # -- signals and shutdown ----------------------------------------------------------------------------

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stop)
        loop.add_signal_handler(signal.SIGINT, self.stop)
        loop.add_signal_handler(signal.SIGHUP, self.reload)

    async def _drain(self) -> None:
        """Stop scheduling, give in-flight checks a bounded time to finish, cancel the rest."""
        # Pause first: APScheduler's asyncio executor cancels running coroutine jobs on shutdown.
        self.scheduler.pause()
        pending = set(self._inflight)
        if pending:
            log.info("waiting up to %.0f s for %d running check(s)", self.drain_timeout_s, len(pending))
            _done, still_running = await asyncio.wait(pending, timeout=self.drain_timeout_s)
            for task in still_running:
                task.cancel()
            if still_running:
                await asyncio.wait(still_running, timeout=5)
        self.scheduler.shutdown(wait=False)


def _jitter(interval_s: float) -> int | None:
    """Up to 10% (at most a minute) of random delay, so jobs sharing an interval do not fire together."""
    return int(min(60.0, interval_s * 0.1)) or None


def _file_stamp(path: Path) -> tuple[float, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_mtime, status.st_size)
