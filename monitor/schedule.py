"""Scheduling policy: when a tracked story is due for its next recheck, and how failing sites back off."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from monitor.clock import from_iso, to_iso, utc_now
from monitor.config import RecheckStep

MAX_SITE_BACKOFF_FACTOR = 16


def recheck_interval(age_s: float, steps: Sequence[RecheckStep]) -> float | None:
    """Seconds until the next recheck of a story `age_s` old; None once it is past the last step."""
    for step in steps:
        if age_s < step.under:
            return step.every
    return None


def next_check_at(
    first_seen_at: str, last_changed_at: str | None, steps: Sequence[RecheckStep], now: datetime | None = None
) -> str | None:
    """When to recheck a story. Age counts from its last edit, so an edited story is watched closely again."""
    current = now or utc_now()
    since = max(
        from_iso(first_seen_at), from_iso(last_changed_at) if last_changed_at else from_iso(first_seen_at)
    )
    interval = recheck_interval((current - since).total_seconds(), steps)
    if interval is None:
        return None
    return to_iso(current.fromtimestamp(current.timestamp() + interval, tz=current.tzinfo))


def site_backoff_interval(interval_s: float, consecutive_failures: int) -> float:
    """A failing site is visited less often: double the interval per failure, up to 16x."""
    factor = (
        min(2 ** max(consecutive_failures - 1, 0), MAX_SITE_BACKOFF_FACTOR) if consecutive_failures else 1
    )
    return interval_s * factor
