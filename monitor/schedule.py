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


class FailedLinks:
    """Story links whose first fetch failed (an error status, a dead host, no story on the page).

    A listing keeps linking a broken story for days; without this, every pass would fetch it again. A failed
    link waits FIRST_RETRY_S before its next try, twice as long after each further failure, up to MAX_RETRY_S.
    In memory and bounded (the oldest entries go first): a restart simply tries every link once more.
    """

    FIRST_RETRY_S = 600.0
    MAX_RETRY_S = 6 * 3600.0
    MAX_LINKS = 20_000

    def __init__(self) -> None:
        self._retry_at: dict[str, tuple[float, int]] = {}  # url -> (monotonic time of the next try, failures)

    def due(self, url: str, now: float) -> bool:
        """Whether url may be fetched at monotonic time now."""
        entry = self._retry_at.get(url)
        return entry is None or now >= entry[0]

    def failed(self, url: str, now: float) -> None:
        failures = self._retry_at.pop(url, (0.0, 0))[1] + 1
        wait_s = min(self.FIRST_RETRY_S * 2 ** (failures - 1), self.MAX_RETRY_S)
        self._retry_at[url] = (now + wait_s, failures)
        if len(self._retry_at) > self.MAX_LINKS:
            del self._retry_at[next(iter(self._retry_at))]

    def forget(self, url: str) -> None:
        """url worked: it is no longer a failed link."""
        self._retry_at.pop(url, None)

    def __len__(self) -> int:
        return len(self._retry_at)
