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
from monitor.clock import iso_after
from monitor.config import Config, Site, load_config
from monitor.coordination import CoordinationSettings, Coordinator, OwnedWork, coordinated
from monitor.coordination.work import WORK_TICK_S
from monitor.errors import ConfigError, StoreError
from monitor.notify.notifier import Notifier
from monitor.pipeline import Runtime, check_site, recheck_stories
from monitor.reload import ReloadPlan, plan_reload
from monitor.store import DaemonLock, Store
from monitor.store.engine import safe_database_url
from monitor.store.fencing import LeaseLost
from monitor.store.reschedule import reschedule_rechecks

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
        self.notifier = Notifier(
            self.store.engine, config.notify, keep_delivered_s=config.retention.deliveries
        )
        self._notifier_task: asyncio.Task[None] | None = None
        # Several daemons on one PostgreSQL database share its hosts out (monitor/coordination).
        self.coordinator: Coordinator | None = None
        if coordinated(config.database_url):
            self.coordinator = Coordinator(
                self.store.engine, self.runtime.fetcher.hosts, CoordinationSettings.from_env()
            )
            self.notifier.may_deliver = self.coordinator.delivers_notifications
        self._heartbeat_task: asyncio.Task[None] | None = None

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
            if self.coordinator is not None:
                await self.coordinator.start(self._enabled_sites())
                self._heartbeat_task = asyncio.create_task(self._heartbeats(self.coordinator))
            self._schedule_all()
            self.scheduler.start()
            # Deliveries run beside the checks, never inside them: a slow receiver cannot slow fetching.
            self._notifier_task = asyncio.create_task(self.notifier.run(self._stopping))
            report.emit(
                "daemon.started",
                sites=len(self.config.sites),
                pid=os.getpid(),
                config=str(self.config.path),
                database=safe_database_url(self.config.database_url),
            )
            await self._stopping.wait()
            await self._drain()
        finally:
            await self._leave()
            await self._stop_notifier()
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

    async def _stop_notifier(self) -> None:
        """Let the delivery in flight finish (bounded); undelivered events stay in the outbox."""
        task, self._notifier_task = self._notifier_task, None
        if task is None:
            return
        self._stopping.set()
        _done, running = await asyncio.wait({task}, timeout=self.drain_timeout_s)
        for leftover in running:
            leftover.cancel()
        if not running and task.exception() is not None:
            log.error("the notifier stopped: %s", task.exception())

    # -- jobs --------------------------------------------------------------------------------------------

    def _enabled_sites(self) -> list[Site]:
        return [site for site in self.config.sites if site.enabled]

    async def _heartbeats(self, coordinator: Coordinator) -> None:
        """Until _leave() cancels it: the checks draining after a stop still hold their leases."""
        while True:
            await asyncio.sleep(coordinator.settings.heartbeat_s)
            await coordinator.beat()

    async def _leave(self) -> None:
        """Several daemons: stop the heartbeat, hand every host over at once."""
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            await asyncio.gather(self._heartbeat_task, return_exceptions=True)
        if self.coordinator is not None and self.coordinator.member is not None:
            await self.coordinator.leave()

    def _schedule_all(self) -> None:
        if self.coordinator is not None:
            # Sites and rechecks come from the database's next_check_at, for the hosts owned (work.py).
            work = OwnedWork(self.runtime, self.coordinator, self._guarded)
            self.scheduler.add_job(
                work.tick,
                IntervalTrigger(seconds=WORK_TICK_S),
                id="owned-work",
                next_run_time=datetime.now(UTC),
            )
        else:
            for site in self.config.sites:
                self._schedule_site(site)
            self.scheduler.add_job(
                self._guarded(self._recheck_job),
                IntervalTrigger(
                    seconds=self.config.fetch.recheck_every, jitter=_jitter(self.config.fetch.recheck_every)
                ),
                id="rechecks",
                next_run_time=datetime.now(UTC) + timedelta(seconds=5),
            )
        self._schedule_housekeeping()

    def _schedule_housekeeping(self) -> None:
        self.scheduler.add_job(self._watch_config, IntervalTrigger(seconds=CONFIG_POLL_S), id="config-watch")
        self.scheduler.add_job(
            self._guarded(self._maintenance), IntervalTrigger(seconds=MAINTENANCE_EVERY_S), id="maintenance"
        )

    def _schedule_site(self, site: Site) -> None:
        if not site.enabled or self.coordinator is not None:
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
            except LeaseLost as error:  # several daemons: the host went to another member meanwhile
                log.warning("%s stopped: %s", job.__name__, error)
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
        """The hourly job: prune what `retention:` allows (never versions or change events), statistics."""
        retention = self.config.retention
        fetch_rows = self.store.maintenance(keep_fetch_log_s=retention.fetch_log)
        deliveries = self.notifier.outbox.prune(iso_after(-retention.deliveries))
        log.info("maintenance pruned %d fetch log rows, %d delivered notifications", fetch_rows, deliveries)

    # -- config reload -----------------------------------------------------------------------------------

    async def _watch_config(self) -> None:
        stamp = _file_stamp(self.config.path)
        if stamp != self._config_stamp:
            self._config_stamp = stamp
            self.reload()

    def reload(self) -> None:
        """Validate the whole config file, then apply it at once; keep the running one (saying why) if not."""
        try:
            new_config = load_config(self.config.path)
        except ConfigError as error:
            report.emit("config.invalid", logging.ERROR, path=str(self.config.path), errors=error.errors)
            return
        if new_config.database_url != self.config.database_url or new_config.fetch != self.config.fetch:
            log.warning("database and fetch settings take effect at the next restart")
        plan = plan_reload(self.config, new_config)
        old_config = self.config
        try:
            self._apply(new_config, plan)
        except Exception as error:  # noqa: BLE001 - any failure must leave the old config whole
            self._apply(old_config, plan_reload(new_config, old_config), force=plan.touched)
            report.emit(
                "config.invalid",
                logging.ERROR,
                path=str(self.config.path),
                errors=[f"could not apply the edit ({type(error).__name__}: {error}); nothing changed"],
            )
            return
        report.emit(
            "config.reloaded",
            path=str(self.config.path),
            sites=list(plan.touched),
            added=list(plan.added),
            removed=list(plan.removed),
            changed=list(plan.changed),
        )

    def _apply(self, config: Config, plan: ReloadPlan, force: tuple[str, ...] = ()) -> None:
        """Switch to `config`: the sites of `plan` (and `force`) get their jobs removed and added again."""
        sites_by_name = {site.name: site for site in config.sites}
        self.runtime.config = config
        self.notifier.set_targets(config.notify)
        for name in sorted({*plan.touched, *force}):
            if self.scheduler.get_job(_site_job_id(name)):
                self.scheduler.remove_job(_site_job_id(name))
            if name in sites_by_name:
                self._schedule_site(sites_by_name[name])
        self.store.ensure_sites(sites_by_name)
        if self.coordinator is not None:
            self.coordinator.add_hosts(self._enabled_sites())
        for name in plan.rechecks_changed:
            reschedule_rechecks(self.store.engine, name, sites_by_name[name].rechecks)

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
