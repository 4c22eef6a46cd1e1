"""The lease rows on PostgreSQL (issue 18): hosts that no configured site has any more are forgotten, but
never while another live member holds one, nor before its pacing has run out."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from monitor.store import Store
from monitor.store.leases import LeaseStore
from tests.conftest import POSTGRES_URL

pytestmark = [
    pytest.mark.skipif(POSTGRES_URL is None, reason="needs MONITOR_TEST_POSTGRES_URL (set by .ci/run)"),
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


def hosts_in(store: Store) -> dict[str, int | None]:
    with store.engine.connect() as connection:
        return {
            row.host: row.owner for row in connection.execute(text("SELECT host, owner FROM host_leases"))
        }


def test_removed_hosts_are_forgotten_unless_another_live_member_holds_them(database_url: str) -> None:
    store = Store(database_url)
    store.upgrade()
    leases = LeaseStore(store.engine)
    leases.add_hosts({"a.example": 0.0, "b.example": 0.0, "c.example": 0.0, "d.example": 0.0})
    me, _ = leases.join("me:1", 60.0)
    other, _ = leases.join("other:2", 60.0)
    assert [claimed.host for claimed in leases.claim(me, 1)] == ["a.example"]
    assert [claimed.host for claimed in leases.claim(other, 1)] == ["b.example"]
    with store.engine.begin() as connection:  # c was just fetched: its next request is not before 30 s
        connection.execute(
            text(
                "UPDATE host_leases SET next_allowed_at = now() + interval '30 seconds' "
                "WHERE host = 'c.example'"
            )
        )

    forgotten = leases.prune({"e.example"}, me)  # a config that has none of them any more

    assert forgotten == {"a.example", "d.example"}  # mine, and the free one whose pacing has run out
    assert hosts_in(store) == {"b.example": other, "c.example": None}
    leases.leave(other)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE host_leases SET next_allowed_at = now() - interval '1 second'"))
    assert leases.prune({"e.example"}, me) == {"b.example", "c.example"}
    assert hosts_in(store) == {}
    store.close()
