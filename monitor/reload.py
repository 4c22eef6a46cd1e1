"""What a config reload changes: the sites added, removed and changed, worked out before applying."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.config import Config


@dataclass(frozen=True, slots=True)
class ReloadPlan:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    rechecks_changed: tuple[str, ...]  # sites (still configured) whose `rechecks:` schedule differs

    @property
    def touched(self) -> tuple[str, ...]:
        """Every site whose job is replaced."""
        return tuple(sorted((*self.added, *self.removed, *self.changed)))


def plan_reload(old: Config, new: Config) -> ReloadPlan:
    """Compare two valid configs site by site."""
    old_sites = {site.name: site for site in old.sites}
    new_sites = {site.name: site for site in new.sites}
    both = old_sites.keys() & new_sites.keys()
    return ReloadPlan(
        added=tuple(sorted(new_sites.keys() - old_sites.keys())),
        removed=tuple(sorted(old_sites.keys() - new_sites.keys())),
        changed=tuple(sorted(name for name in both if old_sites[name] != new_sites[name])),
        rechecks_changed=tuple(
            sorted(name for name in both if old_sites[name].rechecks != new_sites[name].rechecks)
        ),
    )
