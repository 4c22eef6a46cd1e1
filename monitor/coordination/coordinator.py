"""Coordinator: this daemon's membership and its fair share of the hosts.

Every `heartbeat_s` the member extends its life to `lease_s` from the server's `now()`, then moves towards
its share of the hosts: the live members' shares are hosts / members, the oldest members taking the
remainder, so every member computes the same split and nothing flaps when the newest one restarts. It
claims a little per heartbeat (free hosts, or hosts whose owner is not live) and releases what is above its
share, a little per heartbeat too and the last claimed first: no thundering herd on a takeover, and the
hosts a member has held longest stay with it.

Politeness stays global: only the owner sends requests to a host (the fetcher's gate asks `may_fetch`), a
released host carries its pacing (`next_allowed_at`, the delay) to the next owner, and a host taken from a
dead owner waits its delay after the lease ran out. A member that has not had a good heartbeat for almost
its lease (its own monotonic clock: stopped, cut off) sends nothing and writes nothing, then rejoins as a
new member; its late writes are refused by the fence (monitor/store/fencing.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from monitor import clock, metrics, report
from monitor.config import Site
from monitor.errors import StoreError
from monitor.fetch.politeness import HostRegistry, host_key
from monitor.store.fencing import Fence, refused_writes
from monitor.store.leases import LeaseStore, LeaseView, MemberStats

log = logging.getLogger(__name__)

HEARTBEAT_S = 3.0
LEASE_S = 15.0
# Claims and releases per heartbeat: a quarter of the share, at least this many.
MIN_STEP = 4
# A released host's next request waits this much longer than its last owner's pacing said (clock reading).
HANDOVER_MARGIN_S = 0.05


@dataclass(frozen=True, slots=True)
class CoordinationSettings:
    """Heartbeat period and lease length (env MONITOR_HEARTBEAT_S and MONITOR_LEASE_S override them)."""

    heartbeat_s: float = HEARTBEAT_S
    lease_s: float = LEASE_S

    @classmethod
    def from_env(cls) -> CoordinationSettings:
        heartbeat = float(os.environ.get("MONITOR_HEARTBEAT_S") or HEARTBEAT_S)
        lease = float(os.environ.get("MONITOR_LEASE_S") or LEASE_S)
        if not 0 < heartbeat * 2 <= lease:
            raise StoreError(f"the lease ({lease} s) must be at least twice the heartbeat ({heartbeat} s)")
        return cls(heartbeat, lease)

    @property
    def fresh_for_s(self) -> float:
        """How long after a good heartbeat began this member still fetches and writes: less than the
        lease, so it stops before any other member may take its hosts."""
        return self.lease_s - min(self.heartbeat_s, self.lease_s / 4)


def coordinated(database_url: str) -> bool:
    """Several daemons coordinate on PostgreSQL; SQLite keeps one daemon and its lock file."""
    return make_url(database_url).get_backend_name() == "postgresql"


def site_host(site: Site) -> str:
    """A site's own host: that of its first configured URL."""
    return host_key(_configured_urls(site)[0])


def host_units(sites: Sequence[Site]) -> dict[str, str]:
    """Every host of the sites' configured URLs (start URLs, feeds, sitemaps) -> the lease it is fetched
    under. Sites that share a host are one unit, owned by one member, so that host's politeness stays
    global (a blog whose feed lives on its newspaper's host, two sites with feeds on one feed service). A
    unit is named by the smallest own host (site_host) of its sites: a site alone keeps its host's name."""
    parent: dict[str, str] = {}

    def root(host: str) -> str:
        while parent.setdefault(host, host) != host:
            parent[host] = parent[parent[host]]
            host = parent[host]
        return host

    for site in sites:
        hosts = [host_key(url) for url in _configured_urls(site)]
        for host in hosts[1:]:
            parent[root(host)] = root(hosts[0])
        root(hosts[0])
    names: dict[str, str] = {}
    for site in sites:
        group = root(site_host(site))
        names[group] = min(names.get(group, site_host(site)), site_host(site))
    return {host: names[root(host)] for host in parent}


def _configured_urls(site: Site) -> tuple[str, ...]:
    return (*site.start_urls, *site.feeds, *site.sitemaps)


class Coordinator:
    """This daemon's membership, its hosts, and the gate every request passes."""

    def __init__(
        self,
        engine: Engine,
        hosts: HostRegistry,
        settings: CoordinationSettings,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.leases = LeaseStore(engine)
        self.settings = settings
        self.member: int | None = None
        self.owned: dict[str, int] = {}  # unit (see host_units) -> the epoch it was claimed at
        self._unit_of: dict[str, str] = {}
        self._hosts_of: dict[str, list[str]] = {}
        self.oldest_live: int | None = None  # the member that delivers notifications
        self.claims = 0
        self.releases = 0
        self.refused_fetches = 0
        self._hosts = hosts
        self._clock = clock
        self._last_good = -math.inf  # monotonic time at which the last good heartbeat began
        self._delays_written: dict[str, float] = {}
        self._handovers: set[asyncio.Task[None]] = set()
        self._name = f"{socket.gethostname()}:{os.getpid()}"
        hosts.gate = self.may_fetch

    # -- what the daemon asks ------------------------------------------------------------------------------

    def fresh(self) -> bool:
        """Whether the last good heartbeat is recent enough to act on the leases."""
        return self._clock() < self._last_good + self.settings.fresh_for_s

    def may_fetch(self, key: str) -> bool:
        """The fetcher's gate: a configured host only by the owner of its unit (a host no site names, a
        story's own, by whoever checks it); nothing at all while not fresh."""
        unit = self.unit_of.get(key)
        allowed = self.fresh() and (unit is None or unit in self.owned)
        if not allowed:
            self.refused_fetches += 1
        return allowed

    def delivers_notifications(self) -> bool:
        """Only the oldest live member delivers the outbox, so each event goes out once (at least once
        across its death: the next oldest takes over the undelivered rows)."""
        return self.fresh() and self.member is not None and self.member == self.oldest_live

    def site_unit(self, site: Site) -> str:
        """The unit whose owner checks this site."""
        host = site_host(site)
        return self.unit_of.get(host) or host

    def fence_for(self, unit: str) -> Fence | None:
        """The fence a task for this unit writes under; None when the unit is not ours now."""
        if self.member is None or unit not in self.owned or not self.fresh():
            return None
        epoch = self.owned[unit]
        return Fence(self.member, unit, epoch, held=lambda: self.fresh() and self.owned.get(unit) == epoch)

    @property
    def unit_of(self) -> dict[str, str]:
        """Every configured host -> its unit; a host no site has any more -> "" (never owned, so not
        fetched: its lease row may live on while another member holds it)."""
        return self._unit_of

    @unit_of.setter
    def unit_of(self, units: dict[str, str]) -> None:
        self._unit_of = units
        self._hosts_of = {}
        for host, unit in units.items():
            self._hosts_of.setdefault(unit, []).append(host)

    def hosts_in(self, unit: str) -> list[str]:
        """The configured hosts fetched under a unit (the unit's own name at least)."""
        return self._hosts_of.get(unit) or [unit]

    # -- membership ----------------------------------------------------------------------------------------

    def add_hosts(self, sites: list[Site]) -> None:
        """Lease rows for the units of these sites (host_units; each starts paced by its sites' largest
        host delay); the rows of units that no site has any more go (those free, and this member's own), so
        a config edited for months does not leave its old hosts in every member's share."""
        units = host_units(sites)
        delays: dict[str, float] = {}
        for site in sites:
            unit = units[site_host(site)]
            delays[unit] = max(delays.get(unit, 0.0), site.host_delay_s)
        self.leases.add_hosts(delays)
        for unit in self.leases.prune(delays, self.member):
            self.owned.pop(unit, None)
        self.unit_of = dict.fromkeys(self.unit_of, "") | units

    async def start(self, sites: list[Site]) -> None:
        self.add_hosts(sites)
        self._join("member.joined")
        await self.beat()

    def _join(self, event: str) -> None:
        started, wall = self._clock(), time.time()
        self.owned.clear()
        self.member, server_now = self.leases.join(self._name, self.settings.lease_s)
        self._last_good = started
        _follow_server_clock(server_now, wall)
        level = logging.WARNING if event == "member.rejoined" else logging.INFO
        report.emit(event, level, member=self.member, name=self._name)

    async def beat(self) -> None:
        """One heartbeat, then one step towards this member's share of the hosts."""
        assert self.member is not None
        started, wall = self._clock(), time.time()
        try:
            server_now = self.leases.heartbeat(self.member, self.settings.lease_s, self.stats())
            if server_now is None:  # stopped or cut off past its lease: its hosts may be anyone's now
                self._join("member.rejoined")
            else:
                self._last_good = started
                _follow_server_clock(server_now, wall)
            view = self.leases.view(self.member)
            await self._rebalance(view)
            self._write_delays()
            metrics.set_member(self.member, dataclasses.asdict(self.stats()))
        except (StoreError, SQLAlchemyError) as error:
            log.warning("heartbeat of member %s failed: %s (retrying)", self.member, error)

    def stats(self) -> MemberStats:
        return MemberStats(
            hosts_owned=len(self.owned),
            claims=self.claims,
            releases=self.releases,
            refused_writes=refused_writes(),
            refused_fetches=self.refused_fetches,
        )

    def share(self, view: LeaseView) -> int:
        """This member's share: hosts / live members, the oldest members taking the remainder."""
        members = view.live_members
        if self.member not in members:
            return 0
        base, extra = divmod(view.hosts_total, len(members))
        return base + (1 if members.index(self.member) < extra else 0)

    async def _rebalance(self, view: LeaseView) -> None:
        assert self.member is not None
        self.oldest_live = view.live_members[0] if view.live_members else None
        # The database says which hosts are ours; a host lost to another member stops here at once.
        self.owned = {host: epoch for host, epoch in self.owned.items() if view.owned.get(host) == epoch}
        target = self.share(view)
        step = max(MIN_STEP, math.ceil(target / 4))
        if len(self.owned) < target:
            claimed = self.leases.claim(self.member, min(step, target - len(self.owned)))
            for lease in claimed:
                for host in self.hosts_in(lease.host):  # the last owner's pacing carries over
                    self._hosts.hold(host, lease.wait_s)
                self.owned[lease.host] = lease.epoch
                self._delays_written[lease.host] = lease.crawl_delay
            self.claims += len(claimed)
            if claimed:
                report.emit("lease.claimed", member=self.member, hosts=[lease.host for lease in claimed])
        elif len(self.owned) > target:
            # The hosts claimed last go first: a member's long-held hosts stay where they are.
            excess = list(self.owned)[target:][-step:]
            # Each waits for its host's request in flight, in the background: the heartbeats go on meanwhile.
            for host in excess:
                handover = asyncio.create_task(self._hand_over(host, self.owned.pop(host)))
                self._handovers.add(handover)
                handover.add_done_callback(self._handovers.discard)
            report.emit("lease.released", member=self.member, hosts=excess)

    async def release(self, unit: str) -> None:
        """Hand one unit over: no new request from here, those in flight finish, then its pacing (the
        longest wait of its hosts) goes into the lease row for the next owner."""
        await self._hand_over(unit, self.owned.pop(unit))  # the gate refuses its hosts from now on

    async def _hand_over(self, unit: str, epoch: int) -> None:
        """The rest of release(), once the unit is out of `owned`."""
        assert self.member is not None
        member = self.member
        paced = [await self._hosts.quiesce(host) for host in self.hosts_in(unit)]
        wait_s = max(wait for wait, _delay in paced)
        delay = max(delay for _wait, delay in paced) or self._delays_written.get(unit, 0.0)
        self._delays_written.pop(unit, None)
        try:
            self.leases.release(member, unit, epoch, wait_s + HANDOVER_MARGIN_S, delay)
        except (StoreError, SQLAlchemyError) as error:  # its lease runs out instead; the next owner waits
            log.warning("member %s could not hand %s over: %s", member, unit, error)
        self.releases += 1

    def _write_delays(self) -> None:
        """Store the delay each owned host is paced with when it changed (a Crawl-delay, a back-off)."""
        assert self.member is not None
        changed = {}
        for unit in self.owned:
            delay = max(self._hosts.delay_of(host) for host in self.hosts_in(unit))
            if delay and delay != self._delays_written.get(unit):
                changed[unit] = delay
        if changed:
            self.leases.set_delays(self.member, changed)
            self._delays_written.update(changed)

    async def leave(self) -> None:
        """A clean stop: every host handed over with its pacing, then the member row deleted."""
        if self.member is None:
            return
        try:
            await asyncio.gather(*self._handovers, *(self.release(host) for host in list(self.owned)))
            self.leases.leave(self.member)
        except (StoreError, SQLAlchemyError) as error:
            log.warning("member %s could not hand its hosts over: %s", self.member, error)
        report.emit("member.left", member=self.member)
        self.member = None


def _follow_server_clock(server_now: datetime, wall_before: float) -> None:
    """Stamp rows by the server's clock: this machine's may be off (by minutes, even)."""
    wall_after = time.time()
    clock.set_offset(server_now.timestamp() - (wall_before + wall_after) / 2)
