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
from collections.abc import Callable
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
    """The host a site's work belongs to: that of its first configured URL."""
    return host_key((*site.start_urls, *site.feeds, *site.sitemaps)[0])


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
        self.owned: dict[str, int] = {}  # host -> the epoch it was claimed at
        self.known_hosts: frozenset[str] = frozenset()  # every host with a lease row
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
        """The fetcher's gate: a host with a lease only by its owner; nothing at all while not fresh."""
        allowed = self.fresh() and (key in self.owned or key not in self.known_hosts)
        if not allowed:
            self.refused_fetches += 1
        return allowed

    def delivers_notifications(self) -> bool:
        """Only the oldest live member delivers the outbox, so each event goes out once (at least once
        across its death: the next oldest takes over the undelivered rows)."""
        return self.fresh() and self.member is not None and self.member == self.oldest_live

    def fence_for(self, host: str) -> Fence | None:
        """The fence a task for this host writes under; None when the host is not ours now."""
        if self.member is None or host not in self.owned or not self.fresh():
            return None
        epoch = self.owned[host]
        return Fence(self.member, host, epoch, held=lambda: self.fresh() and self.owned.get(host) == epoch)

    # -- membership ----------------------------------------------------------------------------------------

    def add_hosts(self, sites: list[Site]) -> None:
        """Lease rows for the hosts of these sites (each starts paced by its site's host delay); the rows of
        hosts that no site has any more go (those free, and this member's own), so a config edited for
        months does not leave its old hosts in every member's share."""
        delays: dict[str, float] = {}
        for site in sites:
            host = site_host(site)
            delays[host] = max(delays.get(host, 0.0), site.host_delay_s)
        self.leases.add_hosts(delays)
        for host in self.leases.prune(delays, self.member):
            self.owned.pop(host, None)
        # Still known, so not fetched: a removed host's row may live on while another member holds it.
        self.known_hosts = self.known_hosts | frozenset(delays)

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
                self._hosts.hold(lease.host, lease.wait_s)  # the last owner's pacing carries over
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

    async def release(self, host: str) -> None:
        """Hand one host over: no new request from here, the one in flight finishes, then its pacing goes
        into the lease row for the next owner."""
        await self._hand_over(host, self.owned.pop(host))  # the gate refuses the host from now on

    async def _hand_over(self, host: str, epoch: int) -> None:
        """The rest of release(), once the host is out of `owned`."""
        assert self.member is not None
        member = self.member
        wait_s, delay_s = await self._hosts.quiesce(host)
        delay = delay_s or self._delays_written.pop(host, 0.0)
        self._delays_written.pop(host, None)
        try:
            self.leases.release(member, host, epoch, wait_s + HANDOVER_MARGIN_S, delay)
        except (StoreError, SQLAlchemyError) as error:  # its lease runs out instead; the next owner waits
            log.warning("member %s could not hand %s over: %s", member, host, error)
        self.releases += 1

    def _write_delays(self) -> None:
        """Store the delay each owned host is paced with when it changed (a Crawl-delay, a back-off)."""
        assert self.member is not None
        changed = {}
        for host in self.owned:
            delay = self._hosts.delay_of(host)
            if delay and delay != self._delays_written.get(host):
                changed[host] = delay
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
