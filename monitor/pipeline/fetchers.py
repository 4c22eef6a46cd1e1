"""One HTTP client per distinct set of per-site fetch limits (`timeout`, `max_bytes`, `respect_robots`).

The Fetcher takes its deadline, body cap and robots policy from its settings; a site that overrides one of
them gets a Fetcher of its own (shared by every site with the same values), so each key takes effect.
"""

from __future__ import annotations

import dataclasses

from monitor.config import Site
from monitor.fetch import Fetcher, FetchSettings

_Limits = tuple[float, int, bool]


class SiteFetchers:
    """The shared Fetcher for sites on the defaults, and one more per distinct override."""

    def __init__(self, shared: Fetcher) -> None:
        self.shared = shared
        self._by_limits: dict[_Limits, Fetcher] = {}

    def for_site(self, site: Site) -> Fetcher:
        settings = self.shared.settings
        limits = (site.timeout_s, site.max_bytes, site.respect_robots)
        if limits == (settings.deadline_s, settings.max_bytes, settings.respect_robots):
            return self.shared
        fetcher = self._by_limits.get(limits)
        if fetcher is None:
            fetcher = Fetcher(_with_limits(settings, limits))
            fetcher.hosts = self.shared.hosts  # one host is paced as one, whatever the site's limits
            self._by_limits[limits] = fetcher
        return fetcher

    async def aclose(self) -> None:
        for fetcher in self._by_limits.values():
            await fetcher.aclose()
        self._by_limits.clear()


def _with_limits(settings: FetchSettings, limits: _Limits) -> FetchSettings:
    deadline_s, max_bytes, respect_robots = limits
    return dataclasses.replace(
        settings, deadline_s=deadline_s, max_bytes=max_bytes, respect_robots=respect_robots
    )
