"""Queries of the notification outbox: targets, fan-out of change events into deliveries, delivery state."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select, update

from monitor.clock import now_iso
from monitor.store.database import write_transaction
from monitor.store.engine import writer
from monitor.store.rows import TargetSummary
from monitor.store.schema import articles, changes, deliveries, notify_targets, outbox, versions


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """One change event with what a notification needs to say about it."""

    outbox_id: int
    change_id: int
    article_id: int
    kind: str
    version: int | None
    detected_at: str
    fields: tuple[str, ...]
    summary: str | None
    diff: str | None
    minor: bool
    site: str
    url: str
    title: str | None
    body: str | None  # the text of `version`
    previous_body: str | None  # the text of the version before it, when there is one


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    outbox_id: int
    article_id: int
    event_id: str
    event: str
    payload: str
    attempts: int


@dataclass(frozen=True, slots=True)
class NewDelivery:
    outbox_id: int
    article_id: int
    event: str
    event_id: str
    payload: str


class OutboxStore:
    """The notifier's reads and writes, on the daemon's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def register_target(self, name: str, kind: str, address: str) -> None:
        """Make sure a target row exists; a new target starts after the newest event (no backlog)."""
        with self._write() as connection:
            exists = connection.scalar(select(notify_targets.c.name).where(notify_targets.c.name == name))
            if exists is not None:
                connection.execute(
                    update(notify_targets).where(notify_targets.c.name == name).values(address=address)
                )
                return
            newest = connection.scalar(select(func.max(outbox.c.id))) or 0
            connection.execute(
                notify_targets.insert(),
                dict(name=name, kind=kind, address=address, created_at=now_iso(), last_outbox_id=newest),
            )

    def target_state(self, name: str) -> dict[str, Any]:
        with self.engine.connect() as connection:
            row = connection.execute(select(notify_targets).where(notify_targets.c.name == name)).mappings()
            return dict(row.one())

    def new_events(self, after_outbox_id: int, limit: int = 200) -> list[OutboxEvent]:
        """Events with an outbox id above `after_outbox_id`, oldest first."""
        current = versions.alias("current")
        previous = versions.alias("previous")
        query = (
            select(
                outbox.c.id,
                outbox.c.change_id,
                outbox.c.article_id,
                changes.c.kind,
                changes.c.version,
                changes.c.detected_at,
                changes.c.fields,
                changes.c.summary,
                changes.c.diff,
                changes.c.minor,
                articles.c.site,
                articles.c.url,
                current.c.title,
                current.c.body,
                previous.c.body,
            )
            .join(changes, changes.c.id == outbox.c.change_id)
            .join(articles, articles.c.id == outbox.c.article_id)
            .outerjoin(
                current,
                and_(current.c.article_id == outbox.c.article_id, current.c.version == changes.c.version),
            )
            .outerjoin(
                previous,
                and_(
                    previous.c.article_id == outbox.c.article_id,
                    previous.c.version == changes.c.version - 1,
                ),
            )
            .where(outbox.c.id > after_outbox_id)
            .order_by(outbox.c.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [
                OutboxEvent(
                    outbox_id=row[0],
                    change_id=row[1],
                    article_id=row[2],
                    kind=row[3],
                    version=row[4],
                    detected_at=row[5],
                    fields=tuple(row[6].split(",")) if row[6] else (),
                    summary=row[7],
                    diff=row[8],
                    minor=bool(row[9]),
                    site=row[10],
                    url=row[11],
                    title=row[12],
                    body=row[13],
                    previous_body=row[14],
                )
                for row in connection.execute(query)
            ]

    def add_deliveries(self, target: str, new: list[NewDelivery], last_outbox_id: int) -> None:
        """Queue deliveries for a target and move its cursor past the events they came from, atomically."""
        now = now_iso()
        with self._write() as connection:
            if new:
                connection.execute(
                    deliveries.insert(),
                    [
                        dict(
                            outbox_id=item.outbox_id,
                            target=target,
                            article_id=item.article_id,
                            event=item.event,
                            event_id=item.event_id,
                            payload=item.payload,
                            created_at=now,
                        )
                        for item in new
                    ],
                )
            connection.execute(
                update(notify_targets)
                .where(notify_targets.c.name == target)
                .values(last_outbox_id=last_outbox_id)
            )

    def pending(self, target: str, limit: int = 100) -> list[Delivery]:
        """A target's undelivered events in the order they happened."""
        query = (
            select(
                deliveries.c.id,
                deliveries.c.outbox_id,
                deliveries.c.article_id,
                deliveries.c.event_id,
                deliveries.c.event,
                deliveries.c.payload,
                deliveries.c.attempts,
            )
            .where(deliveries.c.target == target, deliveries.c.status == "pending")
            .order_by(deliveries.c.outbox_id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [Delivery(*row) for row in connection.execute(query)]

    def mark_delivered(self, target: str, delivery_id: int) -> None:
        now = now_iso()
        with self._write() as connection:
            connection.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    status="delivered",
                    delivered_at=now,
                    last_attempt_at=now,
                    attempts=deliveries.c.attempts + 1,
                )
            )
            connection.execute(
                update(notify_targets)
                .where(notify_targets.c.name == target)
                .values(consecutive_failures=0, next_attempt_at=None, last_success_at=now)
            )

    def mark_attempt_failed(
        self, target: str, delivery_id: int, error: str, *, final: bool, next_attempt_at: str | None
    ) -> int:
        """Record a failed attempt; `final` gives the event up (the receiver refused it). Returns the
        target's consecutive failures."""
        now = now_iso()
        with self._write() as connection:
            connection.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    status="failed" if final else "pending",
                    last_attempt_at=now,
                    last_error=error[:500],
                    attempts=deliveries.c.attempts + 1,
                )
            )
            failures = 0 if final else notify_targets.c.consecutive_failures + 1
            connection.execute(
                update(notify_targets)
                .where(notify_targets.c.name == target)
                .values(
                    consecutive_failures=failures,
                    next_attempt_at=next_attempt_at,
                    last_error=error[:500],
                    last_error_at=now,
                )
            )
            count = connection.scalar(
                select(notify_targets.c.consecutive_failures).where(notify_targets.c.name == target)
            )
        return int(count or 0)

    def prune(self, delivered_before: str) -> int:
        """Drop delivered rows older than a time (their payloads hold whole diffs); the rest stay visible."""
        with self._write() as connection:
            result = connection.execute(
                deliveries.delete().where(
                    deliveries.c.status == "delivered", deliveries.c.delivered_at < delivered_before
                )
            )
        return int(result.rowcount or 0)

    def _write(self) -> AbstractContextManager[Connection]:
        return write_transaction(self._writer)


def target_summaries(engine: Engine) -> list[TargetSummary]:
    """Per notification target: deliveries pending, delivered and failed, and its last error."""
    counts = (
        select(deliveries.c.target, deliveries.c.status, func.count())
        .group_by(deliveries.c.target, deliveries.c.status)
        .subquery()
    )
    with engine.connect() as connection:
        targets = connection.execute(select(notify_targets).order_by(notify_targets.c.name)).mappings().all()
        by_status: dict[tuple[str, str], int] = {
            (row[0], row[1]): int(row[2]) for row in connection.execute(select(counts))
        }
    return [
        TargetSummary.of(
            target,
            pending=by_status.get((target["name"], "pending"), 0),
            delivered=by_status.get((target["name"], "delivered"), 0),
            failed=by_status.get((target["name"], "failed"), 0),
        )
        for target in targets
    ]
