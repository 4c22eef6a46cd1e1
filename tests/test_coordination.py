"""The coordinator's pure parts, without PostgreSQL: each member's share of the hosts, the fetcher's gate
(a host another member holds gets no request; a member that is not fresh sends nothing), the fence a task
writes under, and the pacing a handover carries (quiesce, hold). The several-daemons behaviour itself runs
against the real PostgreSQL in test_multidaemon.py."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import create_engine

from monitor.config import Site, load_config
from monitor.coordination import CoordinationSettings, Coordinator
from monitor.coordination.coordinator import host_units
from monitor.fetch import Fetcher, FetchSettings
from monitor.fetch.politeness import NOT_OWNER, HostNotOwned, HostRegistry
from monitor.store.leases import LeaseView

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def coordinator(clock: Clock, hosts: HostRegistry | None = None) -> Coordinator:
    # LeaseStore only keeps the engine: nothing here touches the database.
    return Coordinator(
        create_engine("sqlite://"), hosts or HostRegistry(4), CoordinationSettings(1.0, 4.0), clock
    )


@pytest.mark.parametrize(
    ("hosts", "members", "shares"),
    [(12, (1, 2, 3), [4, 4, 4]), (10, (1, 2, 3), [4, 3, 3]), (10, (3, 7), [5, 5]), (2, (1, 2, 3), [1, 1, 0])],
)
def test_shares_add_up_and_the_oldest_take_the_remainder(
    hosts: int, members: tuple[int, ...], shares: list[int]
) -> None:
    found = []
    for member in members:
        coord = coordinator(Clock())
        coord.member = member
        found.append(coord.share(LeaseView(members, hosts, {})))
    assert found == shares and sum(found) == hosts


def test_the_gate_refuses_other_members_hosts_and_everything_when_not_fresh() -> None:
    clock = Clock()
    coord = coordinator(clock)
    coord.member, coord._last_good = 1, clock.now
    coord.unit_of = {"a.example": "a.example", "b.example": "b.example"}
    coord.owned = {"a.example": 3}
    assert coord.may_fetch("a.example")
    assert not coord.may_fetch("b.example")  # leased to another member
    assert coord.may_fetch("cdn.example")  # no lease: no site's host
    clock.now += coord.settings.fresh_for_s + 0.1  # no good heartbeat for (almost) the lease
    assert not coord.may_fetch("a.example") and not coord.may_fetch("cdn.example")
    assert coord.refused_fetches == 3


def test_a_fence_stops_holding_once_the_host_is_handed_over() -> None:
    clock = Clock()
    coord = coordinator(clock)
    coord.member, coord._last_good = 7, clock.now
    coord.owned = {"a.example": 5}
    fence = coord.fence_for("a.example")
    assert fence is not None and (fence.member, fence.host, fence.epoch) == (7, "a.example", 5)
    assert fence.held is not None and fence.held()
    assert coord.fence_for("b.example") is None
    coord.owned.pop("a.example")
    assert not fence.held()


async def test_a_handover_waits_for_the_request_in_flight_and_carries_the_pacing() -> None:
    registry = HostRegistry(4)
    async with registry.slot("a.example", 1.0):
        waiting = asyncio.create_task(registry.quiesce("a.example"))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # the request in flight finishes first
    wait_s, delay_s = await waiting
    assert 0.9 < wait_s <= 1.0 and delay_s == 1.0
    registry.hold("b.example", 0.3)
    started = asyncio.get_running_loop().time()
    async with registry.slot("b.example", 0.0):
        assert asyncio.get_running_loop().time() - started >= 0.29
    registry.gate = lambda key: key != "b.example"
    with pytest.raises(HostNotOwned):
        async with registry.slot("b.example", 0.0):
            pass


async def test_the_fetcher_sends_nothing_to_a_host_it_does_not_hold() -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(200, html="<p>ok</p>")

    settings = replace(FetchSettings(user_agent="test"), respect_robots=False, max_retries=0)
    async with Fetcher(settings, transport=httpx.MockTransport(handler)) as fetcher:
        fetcher.hosts.gate = lambda key: key == "mine.example"
        page = await fetcher.fetch("https://theirs.example/story", kind="page")
        assert page.error == NOT_OWNER and page.attempts == () and sent == []
        assert (await fetcher.fetch("https://mine.example/story", kind="page")).status == 200
    assert sent == ["https://mine.example/story"]


def sites_of(tmp_path: Path, entries: list[dict[str, object]]) -> list[Site]:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"sites": entries}), encoding="utf-8")
    return list(load_config(path).sites)


SHARING = [
    {"name": "paper", "start_urls": ["https://paper.example/"], "feeds": ["https://feeds.example/paper.xml"]},
    {"name": "blog", "start_urls": ["https://blog.example/"], "feeds": ["https://feeds.example/blog.xml"]},
    {
        "name": "radio",
        "start_urls": ["https://radio.example/"],
        "sitemaps": ["https://radio.example:8443/s.xml"],
    },
    {"name": "alone", "start_urls": ["https://alone.example/"]},
]


def test_sites_that_share_a_host_are_one_unit_named_by_their_smallest_own_host(tmp_path: Path) -> None:
    assert host_units(sites_of(tmp_path, SHARING)) == {
        "paper.example": "blog.example",
        "feeds.example": "blog.example",  # both feeds live there: one owner paces it for both sites
        "blog.example": "blog.example",
        "radio.example": "radio.example",
        "radio.example:8443": "radio.example",
        "alone.example": "alone.example",
    }


def test_every_host_of_a_unit_is_fetched_by_its_owner_only(tmp_path: Path) -> None:
    clock = Clock()
    coord = coordinator(clock)
    coord.member, coord._last_good = 1, clock.now
    sites = sites_of(tmp_path, SHARING)
    coord.unit_of = host_units(sites)
    coord.owned = {"blog.example": 2}
    assert [coord.site_unit(site) for site in sites] == [
        "blog.example", "blog.example", "radio.example", "alone.example"
    ]  # fmt: skip
    assert coord.may_fetch("feeds.example") and coord.may_fetch("paper.example")
    assert not coord.may_fetch("radio.example:8443") and not coord.may_fetch("alone.example")
    assert coord.may_fetch("cdn.example")  # no site names it: a story's own host
    assert sorted(coord.hosts_in("blog.example")) == ["blog.example", "feeds.example", "paper.example"]
    coord.unit_of = dict.fromkeys(coord.unit_of, "") | host_units(sites[2:])  # paper and blog removed
    assert not coord.may_fetch("feeds.example")  # still refused: its row may be another member's
