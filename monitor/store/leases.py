"""LeaseStore: the `members` and `host_leases` tables of several daemons on one PostgreSQL database.

Every time here is the database server's (`now()`), never a daemon's wall clock. Each statement is one
short transaction with no session state (no advisory locks, no LISTEN), so it works behind PgBouncer in
transaction mode. Claims take hosts with FOR UPDATE SKIP LOCKED: two members claiming at once get disjoint
hosts, and a host whose lease a write is confirming (fencing.py: FOR SHARE) is skipped until it commits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from monitor.store.database import write_transaction
from monitor.store.engine import writer


@dataclass(frozen=True, slots=True)
class Claimed:
    """A host just claimed: its new epoch, how long until it may be fetched, and its delay."""

    host: str
    epoch: int
    wait_s: float
    crawl_delay: float


@dataclass(frozen=True, slots=True)
class LeaseView:
    """What one heartbeat sees: the live members (oldest first), every host, and this member's hosts."""

    live_members: tuple[int, ...]
    hosts_total: int
    owned: Mapping[str, int]  # host -> epoch


@dataclass(frozen=True, slots=True)
class MemberStats:
    """A member's counters, written with its heartbeat (its metrics in `monitor status`)."""

    hosts_owned: int = 0
    claims: int = 0
    releases: int = 0
    refused_writes: int = 0
    refused_fetches: int = 0


_JOIN = text(
    "INSERT INTO members (name, started_at, heartbeat_at, expires_at) "
    "VALUES (:name, now(), now(), now() + make_interval(secs => :lease)) RETURNING id, now() AS db_now"
)
_HEARTBEAT = text(
    "UPDATE members SET heartbeat_at = now(), expires_at = now() + make_interval(secs => :lease), "
    "hosts_owned = :hosts_owned, claims = :claims, releases = :releases, "
    "refused_writes = :refused_writes, refused_fetches = :refused_fetches "
    "WHERE id = :member AND expires_at > now() RETURNING id, now() AS db_now"
)
# A member dead this long is forgotten; its hosts stay claimable (their owner is not live) meanwhile.
_REAP = text("DELETE FROM members WHERE expires_at < now() - make_interval(secs => :grace)")
_LIVE = text("SELECT id FROM members WHERE expires_at > now() ORDER BY id")
_LIVE_NAMES = text("SELECT name FROM members WHERE expires_at > now() ORDER BY id")
_HOST_COUNT = text("SELECT count(*) FROM host_leases")
_OWNED = text("SELECT host, epoch FROM host_leases WHERE owner = :member")
# A released host keeps the next_allowed_at its last owner stored; one whose owner died is given the
# delay after now(): the dead owner stopped fetching by itself before its lease ran out, which is before now.
CLAIM = text(
    "WITH candidates AS ("
    " SELECT h.host FROM host_leases h"
    " WHERE h.owner IS NULL"
    "  OR NOT EXISTS (SELECT 1 FROM members m WHERE m.id = h.owner AND m.expires_at > now())"
    " ORDER BY h.host LIMIT :limit FOR UPDATE OF h SKIP LOCKED) "
    "UPDATE host_leases h SET owner = :member, epoch = h.epoch + 1, claimed_at = now(), "
    " next_allowed_at = CASE WHEN h.owner IS NULL THEN h.next_allowed_at"
    "  ELSE GREATEST(h.next_allowed_at, now() + make_interval(secs => h.crawl_delay)) END "
    "FROM candidates c WHERE h.host = c.host "
    "RETURNING h.host, h.epoch, "
    " GREATEST(0, EXTRACT(EPOCH FROM (h.next_allowed_at - now())))::float AS wait_s, h.crawl_delay"
)
_RELEASE = text(
    "UPDATE host_leases SET owner = NULL, released_at = now(), crawl_delay = :delay, "
    " next_allowed_at = now() + make_interval(secs => :wait) "
    "WHERE host = :host AND owner = :member AND epoch = :epoch"
)
_SET_DELAY = text("UPDATE host_leases SET crawl_delay = :delay WHERE host = :host AND owner = :member")
_LEAVE = text("DELETE FROM members WHERE id = :member")
_FORGET = text("UPDATE host_leases SET owner = NULL, released_at = now() WHERE owner = :member")
_ADD_HOST = text(
    "INSERT INTO host_leases (host, crawl_delay) VALUES (:host, :delay) ON CONFLICT (host) DO NOTHING"
)
# The rows of hosts no configured site has any more: those free (or whose owner is not live) once their
# pacing has run out, and this member's own. A live member's other rows stay until it lets them go.
_PRUNE = text(
    "DELETE FROM host_leases h WHERE NOT (h.host = ANY(:hosts)) AND ("
    " h.owner = :member"
    " OR ((h.owner IS NULL"
    "   OR NOT EXISTS (SELECT 1 FROM members m WHERE m.id = h.owner AND m.expires_at > now()))"
    "  AND (h.next_allowed_at IS NULL OR h.next_allowed_at < now()))"
    ") RETURNING h.host"
)


_MEMBER_ROWS = text(
    "SELECT m.id AS member, m.name, m.started_at, m.heartbeat_at, "
    " EXTRACT(EPOCH FROM (now() - m.heartbeat_at))::float AS heartbeat_age_s, m.expires_at > now() AS live, "
    " (SELECT count(*) FROM host_leases h WHERE h.owner = m.id) AS hosts_owned, "
    " m.claims, m.releases, m.refused_writes, m.refused_fetches "
    "FROM members m ORDER BY m.id"
)
_FREE_HOSTS = text(
    "SELECT count(*) FROM host_leases h WHERE h.owner IS NULL"
    " OR NOT EXISTS (SELECT 1 FROM members m WHERE m.id = h.owner AND m.expires_at > now())"
)


def member_rows(engine: Engine) -> tuple[list[dict[str, Any]], int]:
    """`monitor status`: every member (live or not yet reaped) with its counters, and how many hosts have
    no live owner; nothing on SQLite (one daemon)."""
    if engine.dialect.name != "postgresql":
        return [], 0
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(_MEMBER_ROWS)]
        free = int(connection.execute(_FREE_HOSTS).scalar_one())
    return rows, free


def live_members(engine: Engine) -> list[str]:
    """The names of the daemons live on this database now (PostgreSQL; none on SQLite)."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        return [str(row.name) for row in connection.execute(_LIVE_NAMES)]


class LeaseStore:
    """Members and host leases (PostgreSQL only)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    def add_hosts(self, delays: Mapping[str, float]) -> None:
        """Make sure every configured host has a lease row (the delay its first owner starts with)."""
        with write_transaction(self._writer) as connection:
            for host in sorted(delays):
                connection.execute(_ADD_HOST, {"host": host, "delay": delays[host]})

    def prune(self, hosts: Collection[str], member: int | None) -> set[str]:
        """Forget the lease rows of hosts not in `hosts` (no configured site has them any more) that no other
        live member holds; the hosts forgotten."""
        with write_transaction(self._writer) as connection:
            rows = connection.execute(_PRUNE, {"hosts": sorted(hosts), "member": member or 0})
            return {row.host for row in rows}

    def join(self, name: str, lease_s: float) -> tuple[int, datetime]:
        """A new member, live for lease_s by the server's clock; its id, and the server's time."""
        with write_transaction(self._writer) as connection:
            row = connection.execute(_JOIN, {"name": name, "lease": lease_s}).one()
        return int(row.id), row.db_now

    def heartbeat(self, member: int, lease_s: float, stats: MemberStats) -> datetime | None:
        """Extend the member's life by lease_s: the server's time; None when it had expired already (it
        must rejoin)."""
        values = {
            "member": member,
            "lease": lease_s,
            "hosts_owned": stats.hosts_owned,
            "claims": stats.claims,
            "releases": stats.releases,
            "refused_writes": stats.refused_writes,
            "refused_fetches": stats.refused_fetches,
        }
        with write_transaction(self._writer) as connection:
            row = connection.execute(_HEARTBEAT, values).first()
            connection.execute(_REAP, {"grace": max(60.0, 4 * lease_s)})
        return row.db_now if row is not None else None

    def view(self, member: int) -> LeaseView:
        with self.engine.connect() as connection:
            live = tuple(int(row[0]) for row in connection.execute(_LIVE))
            total = int(connection.execute(_HOST_COUNT).scalar_one())
            owned = {row.host: int(row.epoch) for row in connection.execute(_OWNED, {"member": member})}
        return LeaseView(live, total, owned)

    def claim(self, member: int, limit: int) -> list[Claimed]:
        """Up to `limit` hosts that are free or whose owner is not live, for this member (epoch bumped)."""
        if limit <= 0:
            return []
        with write_transaction(self._writer) as connection:
            rows = connection.execute(CLAIM, {"member": member, "limit": limit}).all()
        return [Claimed(row.host, int(row.epoch), float(row.wait_s), float(row.crawl_delay)) for row in rows]

    def release(self, member: int, host: str, epoch: int, wait_s: float, delay_s: float) -> bool:
        """Hand a host back with its pacing state: no request before wait_s from now; False if it was no
        longer this member's."""
        values = {"member": member, "host": host, "epoch": epoch, "wait": wait_s, "delay": delay_s}
        with write_transaction(self._writer) as connection:
            return connection.execute(_RELEASE, values).rowcount == 1

    def set_delays(self, member: int, delays: Mapping[str, float]) -> None:
        """Store the delay this member now paces these hosts with (a robots.txt Crawl-delay, a back-off)."""
        with write_transaction(self._writer) as connection:
            for host, delay in delays.items():
                connection.execute(_SET_DELAY, {"member": member, "host": host, "delay": delay})

    def leave(self, member: int) -> None:
        """A clean stop: the member's row goes, and hosts it still holds are free at once."""
        with write_transaction(self._writer) as connection:
            connection.execute(_FORGET, {"member": member})
            connection.execute(_LEAVE, {"member": member})
