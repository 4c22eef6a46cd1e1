"""Re-planning the rechecks of a site's tracked stories when its `rechecks:` schedule changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Engine, select, update

from monitor.clock import from_iso, to_iso, utc_now
from monitor.config import RecheckStep
from monitor.schedule import recheck_interval
from monitor.store.engine import writer
from monitor.store.schema import articles


def reschedule_rechecks(engine: Engine, site: str, steps: Sequence[RecheckStep]) -> int:
    """Give every active story of `site` the next recheck the new steps ask for; returns how many moved.

    The next recheck counts from the story's last check (its last edit sets its age), so a shorter `every`
    makes stories due now instead of at the time the old schedule picked.
    """
    now = utc_now()
    moved = 0
    with writer(engine).begin() as connection:
        rows = connection.execute(
            select(
                articles.c.id,
                articles.c.first_seen_at,
                articles.c.last_changed_at,
                articles.c.last_checked_at,
                articles.c.next_check_at,
            ).where(articles.c.site == site, articles.c.status == "active")
        ).all()
        for story_id, first_seen_at, last_changed_at, last_checked_at, planned_at in rows:
            since = max(from_iso(first_seen_at), from_iso(last_changed_at or first_seen_at))
            interval = recheck_interval((now - since).total_seconds(), steps)
            if interval is None:
                next_at = None
            else:
                due = from_iso(last_checked_at or first_seen_at) + timedelta(seconds=interval)
                next_at = to_iso(max(due, now))
            if next_at != planned_at:
                connection.execute(
                    update(articles).where(articles.c.id == story_id).values(next_check_at=next_at)
                )
                moved += 1
    return moved
