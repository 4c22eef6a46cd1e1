"""Write fencing for several daemons on one PostgreSQL database: the lease a task writes under, checked in
the same transaction as every write it makes, and the count of writes refused for a lost lease.

A task working for a host runs with that host's Fence in its context (a ContextVar: asyncio copies it into
every task it starts); database.write_transaction() then confirms, before the write, that this member still
holds the host at that epoch and is live by the server's clock, and keeps the lease row share-locked until
commit, so a claim by another member (FOR UPDATE) waits for the write or skips the host. Without a fence
(SQLite, `monitor once`, the single daemon) nothing is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from monitor.errors import StoreError


class LeaseLost(StoreError):
    """A write refused: this member no longer holds the host's lease (or is no longer live)."""


@dataclass(frozen=True, slots=True)
class Fence:
    """What a task's writes must still hold: member `member` owns `host` at `epoch` (host None: the member
    only needs to be live)."""

    member: int
    host: str | None = None
    epoch: int = 0
    # The member's own view, asked first: a host it is handing over (or a member not fresh) writes nothing,
    # even before the database hears of it.
    held: Callable[[], bool] | None = field(default=None, compare=False)


CURRENT_FENCE: ContextVar[Fence | None] = ContextVar("monitor_fence", default=None)
_refused = [0]

_HOST_FENCE = text(
    "SELECT 1 FROM host_leases h JOIN members m ON m.id = h.owner "
    "WHERE h.host = :host AND h.owner = :member AND h.epoch = :epoch AND m.expires_at > now() "
    "FOR SHARE OF h"
)
_MEMBER_FENCE = text("SELECT 1 FROM members WHERE id = :member AND expires_at > now()")


def refused_writes() -> int:
    """Writes this process had refused for a lost lease since it started."""
    return _refused[0]


@contextmanager
def fenced(fence: Fence | None) -> Iterator[None]:
    """Run the block's writes under `fence`."""
    token = CURRENT_FENCE.set(fence)
    try:
        yield
    finally:
        CURRENT_FENCE.reset(token)


def confirm_fence(connection: Connection) -> None:
    """In a write transaction: raise LeaseLost unless the current fence (if any) still holds."""
    fence = CURRENT_FENCE.get()
    if fence is None or connection.dialect.name != "postgresql":
        return
    if fence.held is not None and not fence.held():
        held = None
    elif fence.host is None:
        held = connection.execute(_MEMBER_FENCE, {"member": fence.member}).first()
    else:
        held = connection.execute(
            _HOST_FENCE, {"host": fence.host, "member": fence.member, "epoch": fence.epoch}
        ).first()
    if held is None:
        _refused[0] += 1
        where = f"host {fence.host} at epoch {fence.epoch}" if fence.host else "its membership"
        raise LeaseLost(f"write refused: member {fence.member} no longer holds {where}")
