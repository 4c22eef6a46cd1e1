"""One address policy for every request: a site's configured hosts are trusted, no other non-public address is
ever contacted, whatever names it (a story link, an autodiscovered feed, robots.txt or its redirects)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from monitor.fetch import Fetcher, FetchSettings
from monitor.fetch.resolve import AddressCache
from testbed import fault_server as fs
from testbed.configs import write_config
from testbed.fault_server import FaultServer
from tests.test_pipeline import events

pytestmark = pytest.mark.anyio
SETTINGS = FetchSettings(
    user_agent="monitor-test/1.0",
    deadline_s=2.0,
    connect_timeout_s=2.0,
    host_delay_s=0.0,
    retry_base_s=0.01,
    max_retries=0,
    trust_env=False,
)
STORY_PATH = "/2026/11/30/the-council-votes-on-the-harbour-plan/"
STORY = (
    "<html><head><title>The council votes on the harbour plan</title></head><body><article>"
    "<h1>The council votes on the harbour plan</h1>"
    + "".join(
        f"<p>Paragraph {n} of the story: the council met on Monday and debated the harbour plan at length, "
        "with residents, engineers and the mayor each given time to speak before the vote.</p>"
        for n in range(1, 6)
    )
    + "</article></body></html>"
)


@pytest.fixture
def private_host() -> Iterator[FaultServer]:
    """Another loopback host (127.0.0.2) standing for anything on the private network: it must see nothing."""
    with FaultServer(host="127.0.0.2") as server:
        server.route("/feed.xml", fs.respond(200, "<rss><channel></channel></rss>", content_type="text/xml"))
        server.route("/latest/meta-data/", fs.respond(200, "ami-id\nhostname\n", content_type="text/plain"))
        yield server


@pytest.fixture
def site() -> Iterator[FaultServer]:
    with FaultServer(host="127.0.0.1") as server:
        server.route(STORY_PATH, fs.html(STORY))
        yield server


def _front_page(head: str) -> str:
    return (
        f"<html><head><title>Front</title>{head}</head><body>"
        f'<a href="{STORY_PATH}">The council votes on the harbour plan</a></body></html>'
    )


def _once(tmp_path: Path, site: FaultServer) -> list[dict[str, object]]:
    from monitor.cli import cli as monitor_cli

    entry = {"name": "private-intranet-news", "start_urls": [site.url("/")]}  # no feeds: autodiscovery
    path = write_config(tmp_path, [entry])
    result = CliRunner().invoke(
        monitor_cli, ["--config", str(path), "--log-format", "json", "once"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return events(result.output)


def test_an_autodiscovered_feed_on_another_private_host_is_never_requested(
    tmp_path: Path, site: FaultServer, private_host: FaultServer
) -> None:
    """A site on a private address may name any host as its feed; only its own hosts may be private."""
    feeds = (
        private_host.url("/feed.xml"),
        "http://[::1]:9/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        f"http://localhost:{site.port}/feed.xml",
    )
    head = "".join(f'<link rel="alternate" type="application/rss+xml" href="{url}">' for url in feeds)
    site.route("/", fs.html(_front_page(head)))
    logged = _once(tmp_path, site)
    assert [event["url"] for event in logged if event["event"] == "story.new"] == [site.url(STORY_PATH)]
    assert private_host.requests == []  # not the feed, not its robots.txt
    assert site.hits["/feed.xml"] == 0  # localhost is another name, not the configured host
    with sqlite3.connect(tmp_path / "monitor.db") as connection:
        sources = {row[0] for row in connection.execute("SELECT url FROM sources")}
        fetched = {row[0] for row in connection.execute("SELECT url FROM fetches")}
    assert sources == {site.url("/")} and site.url("/") in fetched
    assert not any(url.endswith(("/feed.xml", "/meta-data/")) for url in fetched)


def test_a_robots_txt_redirect_to_another_private_host_is_refused_and_recorded(
    tmp_path: Path, site: FaultServer, private_host: FaultServer
) -> None:
    site.route("/", fs.html(_front_page("")))
    site.route("/robots.txt", fs.redirect(private_host.url("/latest/meta-data/")))
    logged = _once(tmp_path, site)
    assert private_host.requests == []
    # robots.txt is then unavailable (RFC 9309: allow all), so the story is still read.
    assert [event["url"] for event in logged if event["event"] == "story.new"] == [site.url(STORY_PATH)]
    with sqlite3.connect(tmp_path / "monitor.db") as connection:
        robots_rows = connection.execute(
            "SELECT status, error FROM fetches WHERE url = ?", (site.url("/robots.txt"),)
        ).fetchall()
    assert robots_rows == [(302, "unsafe_url")]


def _public_dns(table: dict[str, list[str]]) -> AddressCache:
    async def lookup(host: str) -> list[str]:
        return table[host]

    return AddressCache(lookup)


async def test_a_public_sites_robots_redirect_to_cloud_metadata_is_never_followed() -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        if request.url.path == "/robots.txt":
            return httpx.Response(301, headers={"Location": "http://169.254.169.254/latest/meta-data/iam/"})
        return httpx.Response(200, html="<p>story</p>")

    async with Fetcher(SETTINGS, transport=httpx.MockTransport(handler)) as fetcher:
        fetcher._addresses = _public_dns({"news.example.com": ["93.184.216.34"]})
        page = await fetcher.fetch(
            "http://news.example.com/story", kind="page", site_hosts=frozenset({"news.example.com"})
        )
    assert page.ok
    assert requested == ["http://news.example.com/robots.txt", "http://news.example.com/story"]
    assert [(attempt.status, attempt.error) for attempt in page.attempts][0] == (301, "unsafe_url")


async def test_a_site_on_a_private_address_does_not_open_other_private_addresses(
    private_host: FaultServer,
) -> None:
    async with Fetcher(replace(SETTINGS, respect_robots=False)) as fetcher:
        page = await fetcher.fetch(
            private_host.url("/latest/meta-data/"), kind="feed", site_hosts=frozenset({"127.0.0.1"})
        )
    assert page.error == "unsafe_url" and "127.0.0.2" in page.error_detail
    assert private_host.requests == []


async def test_a_refused_redirect_is_an_error_in_the_fetch_log(site: FaultServer) -> None:
    url = site.route("/out", fs.redirect("https://elsewhere.example.net/landing"))
    async with Fetcher(replace(SETTINGS, respect_robots=False)) as fetcher:
        page = await fetcher.fetch(url, kind="page", site_hosts=frozenset({"127.0.0.1"}))
    assert page.error == "cross_host_redirect"
    assert [(attempt.status, attempt.error) for attempt in page.attempts] == [(302, "cross_host_redirect")]
