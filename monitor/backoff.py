"""SiteBackoff: when a failing site is visited next: the one owner of site back-off state.

How often a site has failed in a row is durable (`sites.consecutive_failures`, written by the site check);
when the daemon last visited it is this process's own memory (a restart visits every site once more).
Story links whose first fetch failed are schedule.FailedLinks; a host's politeness pacing is the fetcher's.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from monitor.schedule import site_backoff_interval
from monitor.store import Store

# A visit a little early still counts as due: the scheduler's jitter must not skip a whole interval.
EARLY_SHARE = 0.95


class SiteBackoff:
    """Whether a site's scheduled visit runs, given how often it failed in a row and when it last ran."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._clock = clock
        self._last_visit: dict[str, float] = {}  # site name -> monotonic time of its last visit

    def visit_due(self, name: str, interval_s: float) -> bool:
        """Whether a visit of this site is due now; a failing site is visited less often (see
        schedule.site_backoff_interval). A due visit is recorded as made."""
        failures = self._store.site_failures(name)
        last_visit = self._last_visit.get(name)
        now = self._clock()
        if failures and last_visit is not None:
            wait_s = site_backoff_interval(interval_s, failures)
            if now - last_visit < wait_s * EARLY_SHARE:
                return False
        self._last_visit[name] = now
        return True
