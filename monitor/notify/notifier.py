"""The daemon's delivery task: fans outbox events out to the targets and delivers them in order, with
bounded exponential back-off per target while a receiver is down."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine

from monitor import report
from monitor.clock import iso_after
from monitor.errors import StoreError
from monitor.notify.events import Notice, build_notice, wanted
from monitor.notify.senders import send
from monitor.notify.settings import NotifyTarget
from monitor.store.outbox import Delivery, NewDelivery, OutboxStore

log = logging.getLogger(__name__)

POLL_S = 1.0  # how often the outbox is read for new events
FAN_OUT_BATCH = 200
SEND_BATCH = 100
KEEP_DELIVERED_S = 30 * 86400.0  # delivered rows are kept this long for inspection, then pruned
PRUNE_EVERY_S = 3600.0


@dataclass
class _TargetState:
    """In-memory back-off of one target (the database keeps the same, at second resolution, for restarts)."""

    failures: int = 0
    retry_at: float = 0.0  # time.monotonic()
    announced_down: bool = False
    started: bool = False


class Notifier:
    """Delivers every change event to every target that wants it: at least once, in order per story."""

    def __init__(
        self,
        engine: Engine,
        targets: tuple[NotifyTarget, ...],
        *,
        poll_s: float = POLL_S,
        keep_delivered_s: float = KEEP_DELIVERED_S,  # config retention.deliveries
    ) -> None:
        self.outbox = OutboxStore(engine)
        self.keep_delivered_s = keep_delivered_s
        self.targets = targets
        self.poll_s = poll_s
        self._states: dict[str, _TargetState] = {}
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.rounds = 0  # passes over the targets so far
        self._pruned_at = time.monotonic()
        # Several daemons on one database: only one delivers (the oldest live member), or each event
        # would go out once per daemon.
        self.may_deliver: Callable[[], bool] = lambda: True

    def set_targets(self, targets: tuple[NotifyTarget, ...]) -> None:
        """Config reload: new targets start with the next event, removed ones stop."""
        self.targets = targets
        self._wake.set()

    async def run(self, stopping: asyncio.Event) -> None:
        self._stopping = stopping
        async with httpx.AsyncClient(follow_redirects=False) as client:
            while not stopping.is_set():
                try:
                    if self.may_deliver():
                        await asyncio.gather(*(self._pump(client, target) for target in self.targets))
                        self._prune_now_and_then()
                except StoreError as error:
                    log.error("notifications: database error: %s (will retry)", error)
                except Exception:  # a bug must not end deliveries for the life of the daemon
                    log.exception("notifications: delivery round failed (will retry)")
                self.rounds += 1
                self._wake.clear()
                waiter = asyncio.ensure_future(self._wake.wait())
                stopper = asyncio.ensure_future(stopping.wait())
                await asyncio.wait(
                    {waiter, stopper}, timeout=self.poll_s, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                stopper.cancel()

    def _prune_now_and_then(self) -> None:
        if time.monotonic() - self._pruned_at >= PRUNE_EVERY_S:
            self._pruned_at = time.monotonic()
            self.outbox.prune(iso_after(-self.keep_delivered_s))

    async def _pump(self, client: httpx.AsyncClient, target: NotifyTarget) -> None:
        state = self._states.setdefault(target.key, _TargetState())
        if not state.started:
            self.outbox.register_target(target.key, target.kind, target.address)
            state.failures = int(self.outbox.target_state(target.key)["consecutive_failures"])
            state.started = True
        self._fan_out(target)
        if time.monotonic() < state.retry_at:
            return
        for delivery in self.outbox.pending(target.key, SEND_BATCH):
            if self._stopping.is_set():
                return
            if not await self._deliver(client, target, state, delivery):
                return  # the receiver is down: later events (of this story or any) wait, keeping the order

    def _fan_out(self, target: NotifyTarget) -> None:
        """Queue a delivery of every new event the target's filters let through."""
        cursor = int(self.outbox.target_state(target.key)["last_outbox_id"])
        while True:
            events = self.outbox.new_events(cursor, FAN_OUT_BATCH)
            if not events:
                return
            new = []
            for event in events:
                if wanted(target, event):
                    notice = build_notice(event)
                    new.append(
                        NewDelivery(
                            event.outbox_id, event.article_id, notice.event, notice.event_id, notice.payload()
                        )
                    )
            cursor = events[-1].outbox_id
            self.outbox.add_deliveries(target.key, new, cursor)

    async def _deliver(
        self, client: httpx.AsyncClient, target: NotifyTarget, state: _TargetState, delivery: Delivery
    ) -> bool:
        """One attempt; False when the target should be left alone for its back-off."""
        notice = Notice(delivery.event_id, delivery.event, json.loads(delivery.payload))
        result = await send(client, target, notice)
        if result.ok:
            self.outbox.mark_delivered(target.key, delivery.id)
            if state.announced_down:
                report.emit("notify.recovered", target=target.key, failures=state.failures)
            state.failures, state.retry_at, state.announced_down = 0, 0.0, False
            return True
        error = result.error or "failed"
        if not result.retry:
            self.outbox.mark_attempt_failed(target.key, delivery.id, error, final=True, next_attempt_at=None)
            report.emit(
                "notify.failed", logging.ERROR, target=target.key, event_id=delivery.event_id, error=error
            )
            return True
        delay = backoff_delay(target, state.failures + 1)
        state.failures = self.outbox.mark_attempt_failed(
            target.key, delivery.id, error, final=False, next_attempt_at=iso_after(delay)
        )
        state.retry_at = time.monotonic() + delay
        if not state.announced_down:
            report.emit("notify.failing", logging.WARNING, target=target.key, error=error)
            state.announced_down = True
        log.info("notify %s: %s; next attempt in %.1f s", target.key, error, delay)
        return False


def backoff_delay(target: NotifyTarget, failures: int) -> float:
    """backoff_min doubled per consecutive failure, capped at backoff_max, with up to 10% random jitter."""
    base = min(target.backoff_max, target.backoff_min * 2 ** min(failures - 1, 30))
    return float(base * (1 + random.random() * 0.1))
