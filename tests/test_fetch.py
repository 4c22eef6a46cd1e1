"""Tests for monitor.fetch against a real fault-injection server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import logging
import random
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

import monitor.fetch
from monitor.charset import decode_html as decode_body
from monitor.fetch import Fetcher, FetchSettings
from monitor.fetch.body import BodyTooLarge, decompress_bounded
from monitor.fetch.politeness import ROBOTS_MAX_TTL_S, RobotsCache
from monitor.fetch.resolve import AddressCache, getaddrinfo_addresses
from monitor.fetch.retry import backoff_delay, is_retryable, parse_retry_after
from testbed import fault_server as fs
from testbed.fault_server import FaultServer

pytestmark = pytest.mark.anyio

UA = "monitor-test/1.0 (+https://example.org/bot)"
TEST_SETTINGS = FetchSettings(
    user_agent=UA,
    deadline_s=1.0,
    connect_timeout_s=1.0,
    max_bytes=1024 * 1024,
    host_delay_s=0.0,
    retry_base_s=0.01,
    robots_error_ttl_s=0.3,
    trust_env=False,
)
SHIFT_JIS_PAGE = '<meta http-equiv="Content-Type" content="text/html; charset=shift_jis"><p>日本語</p>'
BOMB_SIZE = 64 * 1024 * 1024  # 64x the cap
CP1252_PAGE = (
    "<html><head><title>Café crème</title></head><body><p>Le garçon a déjà payé 5 € pour son café "
    "crème – « très bien » dit-il. Naïve façade, œuvre über Straße, señor.</p></body></html>"
)
GB18030_PAGE = (
    "<html><head><title>新闻</title></head><body><p>国务院总理今天在北京主持召开常务会议，"
    "研究部署进一步推动经济高质量发展的政策措施，会议指出要坚持稳中求进工作总基调。</p></body></html>"
)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as fault_server:
        yield fault_server


@pytest.fixture
def other_server() -> Iterator[FaultServer]:
    """A second site on another loopback address: 127.0.0.2 is a different host."""
    with FaultServer(host="127.0.0.2") as fault_server:
        yield fault_server


@asynccontextmanager
async def make_fetcher(**overrides: Any) -> Any:
    async with Fetcher(replace(TEST_SETTINGS, **overrides)) as fetcher:
        yield fetcher


def page_attempts(page: Any) -> list[Any]:
    return [attempt for attempt in page.attempts if not attempt.url.endswith("/robots.txt")]


# --- the interface ------


def test_public_names_are_exported() -> None:
    assert set(monitor.fetch.__all__) == {"FetchKind", "FetchSettings", "Fetcher"}


def test_fetch_does_not_import_discover() -> None:
    """The layers depend one way: discover uses fetch (URL identity, bounded decompression), never back."""
    code = (
        "import sys, monitor.fetch, monitor.fetch.urls; "
        "sys.exit(any(name.startswith('monitor.discover') for name in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


async def test_page_is_fetched_decoded_and_every_attempt_recorded(server: FaultServer) -> None:
    url = server.route("/story", fs.respond(200, "<p>Grüße</p>", headers=[("ETag", '"v1"')]))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.ok and page.status == 200 and page.error is None
    assert page.text == "<p>Grüße</p>" and page.body == "<p>Grüße</p>".encode()
    assert page.final_url == url and page.etag == '"v1"' and page.content_type == "text/html"
    robots, story = page.attempts
    assert robots.url.endswith("/robots.txt") and robots.status == 404
    assert story.url == url and story.status == 200 and story.error is None and story.bytes == len(page.body)
    assert story.started_at.endswith("Z") and story.elapsed_ms >= 0


async def test_user_agent_from_settings_and_per_call_override(server: FaultServer) -> None:
    url = server.route("/ua", fs.html("<p>x</p>"))
    async with make_fetcher() as fetcher:
        await fetcher.fetch(url, kind="page")
        await fetcher.fetch(url, kind="page", user_agent="special-site-bot/2")
    agents = [request.headers["user-agent"] for request in server.requests if request.path == "/ua"]
    assert agents == [UA, "special-site-bot/2"]


async def test_requests_name_the_encodings_we_decode(server: FaultServer) -> None:
    url = server.route("/story", fs.html("<p>x</p>"))
    async with make_fetcher(respect_robots=False) as fetcher:
        assert (await fetcher.fetch(url, kind="page")).ok
    (request,) = server.requests
    assert set(request.headers["accept-encoding"].replace(" ", "").split(",")) >= {"gzip", "deflate"}
    assert request.headers["host"] == f"127.0.0.1:{server.port}"


async def test_a_proxy_named_by_the_environment_carries_the_requests(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests go straight to each host's transport, unless the environment names a proxy (trust_env)."""
    target = "http://127.0.0.3:9/story"  # nothing listens there: only the proxy can answer
    server.route(target, fs.html("<p>via the proxy</p>"))  # a proxy request's target is the absolute URL
    for name in ("NO_PROXY", "ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.url("/"))
    trusted = frozenset({"127.0.0.3"})
    async with make_fetcher(trust_env=True, respect_robots=False) as fetcher:
        page = await fetcher.fetch(target, kind="page", site_hosts=trusted)
    assert page.ok and page.text == "<p>via the proxy</p>"
    assert [request.target for request in server.requests] == [target]
    async with make_fetcher(trust_env=False, respect_robots=False) as fetcher:
        page = await fetcher.fetch(target, kind="page", site_hosts=trusted)
    assert page.error == "connect" and len(server.requests) == 1


async def test_mock_transport_can_be_injected() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, html="<p>mock</p>"))
    async with Fetcher(replace(TEST_SETTINGS, respect_robots=False), transport=transport) as fetcher:
        page = await fetcher.fetch("https://news.example/a", kind="page")
    assert page.ok and page.text == "<p>mock</p>"


async def test_mock_transport_body_is_not_decoded_twice() -> None:
    html = b"<html><p>compressed in memory</p></html>"
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200,
            content=gzip.compress(html),
            headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
        )
    )
    async with Fetcher(replace(TEST_SETTINGS, respect_robots=False), transport=transport) as fetcher:
        page = await fetcher.fetch("https://news.example/a", kind="page")
    assert page.ok and page.body == html


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "http://"]
)
async def test_non_web_urls_are_refused_without_a_request(url: str) -> None:
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.error == "unsafe_url" and page.attempts == ()


# --- conditional GET, removal ------


async def test_conditional_get_by_etag_costs_no_body(server: FaultServer) -> None:
    handler = fs.conditional("<p>story</p>", etag='"abc"', last_modified="Mon, 23 Nov 2026 08:00:00 GMT")
    url = server.route("/story", handler)
    async with make_fetcher() as fetcher:
        first = await fetcher.fetch(url, kind="page")
        second = await fetcher.fetch(url, kind="page", etag=first.etag)
    assert first.ok and first.etag == '"abc"' and first.last_modified == "Mon, 23 Nov 2026 08:00:00 GMT"
    assert second.ok and second.not_modified and second.status == 304
    assert second.body == b"" and second.text == "" and second.etag == '"abc"'
    assert page_attempts(second)[-1].not_modified
    assert server.requests[-1].headers["if-none-match"] == '"abc"'


async def test_conditional_get_by_last_modified_keeps_the_callers_validator(server: FaultServer) -> None:
    stamp = "Mon, 23 Nov 2026 08:00:00 GMT"
    url = server.route("/feed", fs.conditional("<rss/>", etag='"zzz"', last_modified=stamp))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="feed", last_modified=stamp)
    assert page.not_modified and page.last_modified == stamp
    assert server.requests[-1].headers["if-modified-since"] == stamp


async def test_answers_without_a_used_body_keep_the_connection(server: FaultServer) -> None:
    """A 304, a 404 or a redirect leaves its connection in the pool (a new connection per 304 rechecked
    story would cost more than the 304 itself)."""
    stamp = "Mon, 23 Nov 2026 08:00:00 GMT"
    story = server.route("/story", fs.conditional("<p>story</p>", etag='"abc"', last_modified=stamp))
    server.route("/moved", fs.redirect("/story", status=301))
    gone = server.route("/gone", fs.respond(404, "not here"))
    async with make_fetcher() as fetcher:
        for _ in range(3):
            assert (await fetcher.fetch(story, kind="page", etag='"abc"')).not_modified
        assert (await fetcher.fetch(gone, kind="page")).status == 404
        assert (await fetcher.fetch(server.url("/moved"), kind="page", etag='"abc"')).not_modified
    assert server.hits["/story"] == 4 and server.connections == 1


async def test_each_host_keeps_its_own_connection_and_the_least_recent_host_is_let_go(
    server: FaultServer, other_server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import monitor.fetch.clients

    stamp = "Mon, 23 Nov 2026 08:00:00 GMT"
    urls = [
        site.route("/story", fs.conditional("<p>story</p>", etag='"abc"', last_modified=stamp))
        for site in (server, other_server)
    ]
    async with make_fetcher() as fetcher:
        for url in urls * 3:
            assert (await fetcher.fetch(url, kind="page", etag='"abc"')).not_modified
    assert (server.connections, other_server.connections) == (1, 1)
    monkeypatch.setattr(monitor.fetch.clients, "MAX_HOST_CLIENTS", 1)
    async with make_fetcher() as fetcher:
        for url in urls * 2:
            assert (await fetcher.fetch(url, kind="page", etag='"abc"')).not_modified
    assert (server.connections, other_server.connections) == (3, 3)  # each switch of host reconnects


@pytest.mark.parametrize("status", [404, 410])
async def test_removed_story_gives_status_and_error_without_retry(server: FaultServer, status: int) -> None:
    url = server.route("/gone", fs.respond(status, "gone"))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.status == status and page.error == f"http_{status}" and not page.ok
    assert len(page_attempts(page)) == 1


# --- retries, Retry-After, host state ------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
async def test_transient_statuses_are_retried_then_succeed(server: FaultServer, status: int) -> None:
    failing = fs.respond(status, "try later", content_type="text/plain")
    url = server.route("/flaky", fs.sequence(failing, failing, fs.html("<p>ok</p>")))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.ok and page.text == "<p>ok</p>"
    assert [attempt.status for attempt in page_attempts(page)] == [status, status, 200]


async def test_at_most_two_retries_and_error_kind_http_5xx(server: FaultServer) -> None:
    url = server.route("/down", fs.respond(503, "down", content_type="text/plain"))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.error == "http_5xx" and page.status == 503
    assert [attempt.error for attempt in page_attempts(page)] == ["http_5xx"] * 3
    assert server.hits["/down"] == 3


async def test_connect_errors_are_retried_and_reported() -> None:
    with FaultServer() as closed:
        url = closed.url("/x")  # the port is free again once the server stops
    async with make_fetcher(respect_robots=False) as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.error == "connect" and page.status is None
    assert [attempt.error for attempt in page.attempts] == ["connect"] * 3


async def test_short_retry_after_is_waited_for(server: FaultServer) -> None:
    url = server.route("/busy", fs.sequence(fs.retry_after("1", status=429), fs.html("<p>ok</p>")))
    async with make_fetcher() as fetcher:
        started = time.monotonic()
        page = await fetcher.fetch(url, kind="page")
    assert page.ok and time.monotonic() - started >= 0.95


async def test_far_future_retry_after_pauses_the_host_once_and_logs_once(
    server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    tomorrow = format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)
    url = server.route("/busy", fs.retry_after(tomorrow))
    other = server.route("/other", fs.html("<p>ok</p>"))
    caplog.set_level(logging.INFO, logger="monitor.fetch")
    async with make_fetcher() as fetcher:
        first = await fetcher.fetch(url, kind="page")
        second = await fetcher.fetch(other, kind="page")
        third = await fetcher.fetch(url, kind="page")
        state = fetcher.host_state(f"127.0.0.1:{server.port}")
    assert first.error == "retry_after" and first.status == 503 and len(page_attempts(first)) == 1
    assert second.error == third.error == "host_paused" and second.attempts == third.attempts == ()
    assert state == "paused" and server.hits["/busy"] == 1 and server.hits["/other"] == 0
    assert len([record for record in caplog.records if "-> paused" in record.getMessage()]) == 1


async def test_failing_host_backs_off_and_state_changes_are_logged_once(
    server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    down = server.route("/down", fs.respond(500, "oops", content_type="text/plain"))
    up = server.route("/up", fs.html("<p>up</p>"))
    host = f"127.0.0.1:{server.port}"
    caplog.set_level(logging.INFO, logger="monitor.fetch")
    async with make_fetcher(respect_robots=False, max_retries=0) as fetcher:
        states = []
        for _ in range(6):
            await fetcher.fetch(down, kind="page")
            states.append(fetcher.host_state(host))
        assert (await fetcher.fetch(up, kind="page")).ok
        final_state = fetcher.host_state(host)
    assert states == ["ok", "ok", "backing_off", "backing_off", "backing_off", "backing_off"]
    assert final_state == "ok"
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("monitor.fetch")]
    assert len([message for message in messages if "-> backing_off" in message]) == 1
    assert len([message for message in messages if "backing_off -> ok" in message]) == 1


async def test_pause_ends_after_retry_after(server: FaultServer) -> None:
    url = server.route("/busy", fs.sequence(fs.retry_after("1"), fs.html("<p>back</p>")))
    async with make_fetcher(retry_after_max_s=0.5) as fetcher:
        paused = await fetcher.fetch(url, kind="page")
        assert fetcher.host_state(url) == "paused"
        await asyncio.sleep(1.05)
        page = await fetcher.fetch(url, kind="page")
        assert fetcher.host_state(url) == "ok"
    assert paused.error == "retry_after" and page.ok


async def test_failing_host_is_paced_more_slowly(server: FaultServer) -> None:
    url = server.route("/down", fs.respond(500, "oops", content_type="text/plain"))
    async with make_fetcher(respect_robots=False, max_retries=0, host_delay_s=0.05) as fetcher:
        started = time.monotonic()
        for _ in range(6):
            await fetcher.fetch(url, kind="page")
    # 0.05 s between the first four, then doubling once the host is backing off: 0.1, 0.2
    assert time.monotonic() - started >= 3 * 0.05 + 0.1 + 0.2 - 0.02


async def test_backing_off_host_is_not_retried(server: FaultServer) -> None:
    url = server.route("/down", fs.respond(503, "down", content_type="text/plain"))
    async with make_fetcher(respect_robots=False) as fetcher:
        await fetcher.fetch(url, kind="page")  # three failures: now backing off
        page = await fetcher.fetch(url, kind="page")
    assert len(page.attempts) == 1 and server.hits["/down"] == 4


def test_backoff_is_exponential_with_jitter() -> None:
    delays = [[backoff_delay(retry, 1.0) for _ in range(200)] for retry in range(4)]
    for retry, samples in enumerate(delays):
        ceiling = 2.0**retry
        assert all(ceiling / 2 <= delay <= ceiling for delay in samples)
        assert len(set(samples)) > 100  # jittered, not synchronised
    assert backoff_delay(30, 1.0) <= 60.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), ("0", 0.0), ("", None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_parsing(value: str, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_retry_after_http_date_in_the_future() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 01:00:00 GMT", now=now) == 3600.0


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [(408, None, True), (429, None, True), (503, None, True), (404, None, False), (None, "reset", True),
     (None, "timeout", True), (None, "connect", True), (None, "protocol", False), (200, "too_large", False)],
)  # fmt: skip
def test_what_is_retried(status: int | None, error: str | None, expected: bool) -> None:
    assert is_retryable(status, error) is expected


# --- deadline, hostile connections ------


async def test_trickling_server_hits_the_overall_deadline(server: FaultServer) -> None:
    url = server.route("/slow", fs.trickle(b"<p>" + b"x" * 1000, interval_s=0.05))
    async with make_fetcher(deadline_s=0.5, max_retries=0, respect_robots=False) as fetcher:
        started = time.monotonic()
        page = await fetcher.fetch(url, kind="page")
    assert page.error == "timeout" and time.monotonic() - started < 1.5
    assert page_attempts(page)[0].error == "timeout"


async def test_silent_server_times_out(server: FaultServer) -> None:
    url = server.route("/stall", fs.stall(5))
    async with make_fetcher(deadline_s=0.3, max_retries=1, respect_robots=False) as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.error == "timeout" and len(page_attempts(page)) == 2


@pytest.mark.parametrize(
    ("handler", "error"),
    [
        (fs.reset, "reset"),
        (fs.close_silently, "reset"),
        (fs.partial_body, "partial_body"),
        (fs.reset_mid_body, "partial_body"),
        (fs.broken_chunked, "protocol"),
        (fs.huge_headers(), "protocol"),
        (fs.garbage, "protocol"),
    ],
    ids=["reset", "close", "partial-body", "reset-mid-body", "broken-chunking", "huge-headers", "garbage"],
)
async def test_broken_connections_are_recorded_not_raised(
    server: FaultServer, handler: fs.Handler, error: str
) -> None:
    url = server.route("/bad", handler)
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
        healthy = await fetcher.fetch(server.route("/ok", fs.html("<p>ok</p>")), kind="page")
    assert page.error == error and page.body == b"" and page.error_detail
    assert page_attempts(page)[-1].error == error
    assert healthy.ok  # the next request on the same client is unaffected


async def test_a_hostile_host_does_not_hold_up_other_sites(
    server: FaultServer, other_server: FaultServer
) -> None:
    slow = server.route("/slow", fs.trickle(b"x" * 100, interval_s=0.1))
    fast = other_server.route("/fast", fs.html("<p>fast</p>"))
    async with make_fetcher(max_retries=0) as fetcher:
        slow_task = asyncio.create_task(fetcher.fetch(slow, kind="page"))
        await asyncio.sleep(0.05)
        fast_page = await fetcher.fetch(fast, kind="page")
        slow_still_running = not slow_task.done()  # an order, not a timing: the fast host did not wait
        slow_page = await slow_task
    assert fast_page.ok and slow_still_running and slow_page.error == "timeout"


# --- size caps and decompression ------


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
async def test_compression_bomb_is_refused_in_bounded_memory(server: FaultServer, coding: str) -> None:
    url = server.route("/bomb", fs.bomb(BOMB_SIZE, coding))
    async with make_fetcher() as fetcher:
        tracemalloc.start()
        try:
            page = await fetcher.fetch(url, kind="page")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert page.error == "too_large" and page.status == 200 and page.body == b""
    assert peak < 8 * TEST_SETTINGS.max_bytes


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "unannounced"])
async def test_huge_plain_body_is_refused(server: FaultServer, declare_length: bool) -> None:
    url = server.route("/big", fs.big_body(50 * 1024 * 1024, declare_length=declare_length))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.error == "too_large" and page_attempts(page)[-1].bytes <= TEST_SETTINGS.max_bytes + 256 * 1024


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate", "br"])
async def test_compressed_bodies_are_decoded(server: FaultServer, coding: str) -> None:
    text = "<html><body>" + "<p>Une phrase accentuée, répétée.</p>" * 500 + "</body></html>"
    url = server.route("/z", fs.compressed(text.encode(), coding))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.ok and page.text == text
    assert page_attempts(page)[-1].bytes < len(text.encode())  # wire bytes, compressed


async def test_corrupt_compressed_body_is_an_error(server: FaultServer) -> None:
    handler = fs.respond(200, b"\x1f\x8bnot really gzip" * 10, headers=[("Content-Encoding", "gzip")])
    url = server.route("/corrupt", handler)
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.error == "bad_encoding"


def test_bounded_decompression_unit() -> None:
    payload = gzip.compress(b"a" * 10_000)
    assert decompress_bounded(payload, "gzip", 10_000) == b"a" * 10_000
    with pytest.raises(BodyTooLarge):
        decompress_bounded(payload, "gzip", 9_999)
    stacked = gzip.compress(gzip.compress(b"b" * 5000))
    assert decompress_bounded(stacked, "gzip, gzip", 5000) == b"b" * 5000


# --- content types ------


@pytest.mark.parametrize(
    ("kind", "content_type", "body", "error"),
    [
        ("page", "text/html; charset=utf-8", b"<html></html>", None),
        ("page", "application/xhtml+xml", b"<html></html>", None),
        ("page", "image/png", b"\x89PNG....", "content_type"),
        ("page", "application/pdf", b"%PDF-1.4", "content_type"),
        ("page", None, b"<!DOCTYPE html><html></html>", None),
        ("page", "application/octet-stream", b"\x00\x01binary garbage", "content_type"),
        ("feed", "application/rss+xml", b"<?xml version='1.0'?><rss/>", None),
        ("feed", "application/atom+xml", b"<feed/>", None),
        ("feed", "text/xml", b"<rss/>", None),
        ("feed", "text/html", b"<?xml version='1.0'?><rss/>", None),
        ("feed", "text/html", b"<html>not a feed</html>", "content_type"),
        ("feed", "application/json", b"{}", "content_type"),
        ("sitemap", "application/xml", b"<urlset/>", None),
        ("sitemap", "text/plain", b"<?xml version='1.0'?><urlset/>", None),
        ("sitemap", "image/jpeg", b"\xff\xd8", "content_type"),
    ],
)
async def test_content_type_filtering_per_kind(
    server: FaultServer, kind: Any, content_type: str | None, body: bytes, error: str | None
) -> None:
    url = server.route("/doc", fs.respond(200, body, content_type=content_type))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind=kind)
    assert page.error == error
    assert (page.body == body) if error is None else (page.body == b"" and page.error_detail)


async def test_sitemaps_have_their_own_larger_cap(server: FaultServer) -> None:
    entry = b"<url><loc>http://example.com/story/0123456789</loc></url>"
    xml = b"<?xml version='1.0'?><urlset>" + entry * (2 * 1024 * 1024 // len(entry)) + b"</urlset>"
    sitemap = server.route("/sitemap.xml", fs.respond(200, xml, content_type="application/xml"))
    feed = server.route("/feed.xml", fs.respond(200, xml, content_type="application/xml"))
    gzipped = server.route(
        "/sitemap.xml.gz", fs.respond(200, gzip.compress(xml * 3), content_type="application/x-gzip")
    )
    assert FetchSettings(user_agent=UA).max_sitemap_bytes == 50 * 1024 * 1024
    async with make_fetcher(max_sitemap_bytes=4 * 1024 * 1024) as fetcher:  # max_bytes is 1 MiB
        as_sitemap = await fetcher.fetch(sitemap, kind="sitemap")
        as_feed = await fetcher.fetch(feed, kind="feed")
        too_big = await fetcher.fetch(gzipped, kind="sitemap")  # 6 MiB once unpacked
    assert as_sitemap.ok and as_sitemap.body == xml
    assert as_feed.error == "too_large" and too_big.error == "too_large"


async def test_gzipped_sitemap_file_is_unpacked(server: FaultServer) -> None:
    xml = b"<?xml version='1.0'?><urlset><url><loc>http://example.com/a</loc></url></urlset>"
    url = server.route(
        "/sitemap.xml.gz", fs.respond(200, gzip.compress(xml), content_type="application/x-gzip")
    )
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="sitemap")
    assert page.ok and page.body == xml


# --- charsets ------


@pytest.mark.parametrize(
    ("payload", "content_type", "expected"),
    [
        (CP1252_PAGE.encode("cp1252"), "text/html", CP1252_PAGE),
        (GB18030_PAGE.encode("gb18030"), "text/html", GB18030_PAGE),
        (CP1252_PAGE.encode("cp1252"), "text/html; charset=iso-8859-1", CP1252_PAGE),  # WHATWG: means 1252
        (GB18030_PAGE.encode("gb18030"), "text/html; charset=gb2312", GB18030_PAGE),
        ("€ utf-8".encode(), "text/html; charset=UTF-8", "€ utf-8"),
        (b"\xef\xbb\xbf<p>\xe2\x82\xac bom</p>", "text/html; charset=iso-8859-1", "<p>€ bom</p>"),
        ("<p>utf16 ✓</p>".encode("utf-16"), "text/html", "<p>utf16 ✓</p>"),
        (
            '<meta charset="windows-1251"><p>Новости дня</p>'.encode("cp1251"),
            "text/html",
            '<meta charset="windows-1251"><p>Новости дня</p>',
        ),
        (
            SHIFT_JIS_PAGE.encode("shift_jis"),
            "text/html",
            SHIFT_JIS_PAGE,
        ),
        (b"<p>plain ascii, undeclared</p>", "text/html", "<p>plain ascii, undeclared</p>"),
    ],
    ids=["cp1252-undeclared", "gb18030-undeclared", "latin1-header", "gb2312-header", "utf8-header",
         "bom-wins", "utf16-bom", "meta-charset", "meta-http-equiv", "ascii"],
)  # fmt: skip
async def test_charset_detection(
    server: FaultServer, payload: bytes, content_type: str, expected: str
) -> None:
    url = server.route("/page", fs.respond(200, payload, content_type=content_type))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.ok and page.text == expected


def test_declared_utf8_that_is_really_cp1252_is_detected() -> None:
    assert decode_body(CP1252_PAGE.encode("cp1252"), "utf-8") == CP1252_PAGE


@pytest.mark.parametrize("charset", [None, "utf-8", "shift_jis", "utf-16", "no-such-charset"])
def test_undecodable_bytes_never_fail(charset: str | None) -> None:
    noise = random.Random(7).randbytes(5000)
    assert isinstance(decode_body(noise, charset), str)
    assert "\ufffd" in decode_body(b"<p>\x81\x39 broken</p>", "shift_jis")


# --- redirects ------


async def test_redirect_is_followed_and_final_url_reported(server: FaultServer) -> None:
    server.route("/new", fs.html("<p>moved</p>"))
    url = server.route("/old", fs.redirect("/new", status=301))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.ok and page.final_url == server.url("/new") and page.url == url
    assert [attempt.status for attempt in page_attempts(page)] == [301, 200]


async def test_redirect_loop_is_detected(server: FaultServer) -> None:
    server.route("/a", fs.redirect("/b"))
    server.route("/b", fs.redirect("/a?utm_source=loop"))  # the same story once canonicalised
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(server.url("/a"), kind="page")
    assert page.error == "redirect_loop" and len(page_attempts(page)) == 2


async def test_redirect_chain_is_capped(server: FaultServer) -> None:
    for hop in range(10):
        server.route(f"/r{hop}", fs.redirect(f"/r{hop + 1}"))
    async with make_fetcher(max_redirects=3) as fetcher:
        page = await fetcher.fetch(server.url("/r0"), kind="page")
    assert page.error == "too_many_redirects" and len(page_attempts(page)) == 4


async def test_cross_host_redirect_is_refused_unless_allowed(
    server: FaultServer, other_server: FaultServer
) -> None:
    target = other_server.route("/landing", fs.html("<p>elsewhere</p>"))
    url = server.route("/out", fs.redirect(target))
    async with make_fetcher() as fetcher:
        refused = await fetcher.fetch(url, kind="page")
        both = frozenset({"127.0.0.1", "127.0.0.2"})
        allowed = await fetcher.fetch(url, kind="page", allowed_hosts=both, site_hosts=both)
    assert (
        refused.error == "cross_host_redirect"
        and refused.status == 302
        and other_server.hits["/landing"] == 1
    )
    assert allowed.ok and allowed.final_url == target


async def test_redirect_to_other_scheme_is_refused(server: FaultServer) -> None:
    url = server.route("/ftp", fs.redirect("ftp://127.0.0.1/file"))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.error == "unsafe_url"


# --- robots.txt ------


# --- resolution-time address check (site_hosts) ------

PUBLIC_SITE = frozenset({"news.example.com"})


def fake_dns(table: dict[str, list[str]], lookups: list[str] | None = None) -> Any:
    """A lookup answering from table, else through the event loop's real getaddrinfo (localhost)."""

    async def lookup(host: str) -> list[str]:
        if lookups is not None:
            lookups.append(host)
        if host in table:
            return table[host]
        return await getaddrinfo_addresses(host)

    return lookup


@asynccontextmanager
async def fetcher_with_dns(table: dict[str, list[str]], **overrides: Any) -> Any:
    async with make_fetcher(**overrides) as fetcher:
        fetcher._addresses = AddressCache(fake_dns(table))
        yield fetcher


async def test_host_resolving_to_loopback_is_refused_for_a_public_site(server: FaultServer) -> None:
    server.route("/page", fs.html("<p>internal</p>"))
    by_name = f"http://localhost:{server.port}/page"
    async with fetcher_with_dns({"news.example.com": ["93.184.216.34"]}) as fetcher:
        by_resolution = await fetcher.fetch(by_name, kind="page", site_hosts=PUBLIC_SITE)
        by_literal = await fetcher.fetch(server.url("/page"), kind="page", site_hosts=PUBLIC_SITE)
    for page in (by_resolution, by_literal):
        assert page.error == "unsafe_url" and page.attempts == () and "127.0.0.1" in page.error_detail
    assert "localhost resolves to" in by_resolution.error_detail
    assert server.requests == []  # not even robots.txt


@pytest.mark.parametrize("site_host", ["127.0.0.1", "localhost"])
async def test_private_addresses_are_fetched_when_the_site_lives_there(
    server: FaultServer, site_host: str
) -> None:
    server.route("/page", fs.html("<p>intranet news</p>"))
    async with make_fetcher() as fetcher:
        url = f"http://{site_host}:{server.port}/page"
        page = await fetcher.fetch(url, kind="page", site_hosts=frozenset({site_host}))
    assert page.ok and page.text == "<p>intranet news</p>"


async def test_without_site_hosts_nothing_is_resolved(server: FaultServer) -> None:
    server.route("/page", fs.html("<p>configured</p>"))
    lookups: list[str] = []
    async with make_fetcher() as fetcher:
        fetcher._addresses = AddressCache(fake_dns({}, lookups))
        page = await fetcher.fetch(f"http://localhost:{server.port}/page", kind="page")
    assert page.ok and lookups == []


async def test_redirect_to_a_privately_resolving_host_is_refused_before_the_request() -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        if request.url.host == "news.example.com":
            return httpx.Response(302, headers={"Location": "http://intranet.news.example.com/admin"})
        return httpx.Response(200, html="<p>admin</p>")

    table = {"news.example.com": ["93.184.216.34"], "intranet.news.example.com": ["10.1.2.3"]}
    async with Fetcher(
        replace(TEST_SETTINGS, respect_robots=False), transport=httpx.MockTransport(handler)
    ) as f:
        f._addresses = AddressCache(fake_dns(table))
        page = await f.fetch("http://news.example.com/story", kind="page", site_hosts=PUBLIC_SITE)
    assert page.error == "unsafe_url" and "10.1.2.3" in page.error_detail
    assert page.final_url == "http://intranet.news.example.com/admin"
    assert requested == ["http://news.example.com/story"]


@pytest.mark.parametrize(
    "address",
    ["127.0.0.2", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "::1", "fe80::1%eth0",
     "fc00::1", "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1"],
)  # fmt: skip
async def test_every_kind_of_non_public_address_is_refused(address: str) -> None:
    table = {"news.example.com": ["93.184.216.34"], "evil.example.net": ["93.184.216.35", address]}
    async with fetcher_with_dns(table) as fetcher:
        page = await fetcher.fetch("http://evil.example.net/x", kind="page", site_hosts=PUBLIC_SITE)
    assert page.error == "unsafe_url" and address in page.error_detail


async def test_failed_resolution_lets_the_request_fail_on_its_own() -> None:
    async def no_dns(host: str) -> list[str]:
        raise OSError("no such host")

    async with make_fetcher(max_retries=0, respect_robots=False) as fetcher:
        fetcher._addresses = AddressCache(no_dns)
        page = await fetcher.fetch("http://no-such-host.invalid/x", kind="page", site_hosts=PUBLIC_SITE)
    assert page.error == "connect" and len(page.attempts) == 1


async def test_each_host_is_resolved_once_within_the_ttl() -> None:
    now = [0.0]
    lookups: list[str] = []
    cache = AddressCache(fake_dns({"a.example": ["93.184.216.34"]}, lookups), ttl_s=60, clock=lambda: now[0])
    results = await asyncio.gather(*(cache.private_address("a.example") for _ in range(5)))
    await cache.private_address("A.Example.")
    assert results == [None] * 5 and lookups == ["a.example"]
    now[0] = 61.0
    await cache.private_address("a.example")
    assert lookups == ["a.example", "a.example"]
    assert await cache.private_address("127.0.0.1") == "127.0.0.1" and len(lookups) == 2  # literals: no DNS


def robots(text: str) -> fs.Handler:
    return fs.respond(200, text, content_type="text/plain")


async def test_robots_disallow_is_honoured_and_cached(server: FaultServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /private/\n"))
    server.route("/private/x", fs.html("<p>secret</p>"))
    server.route("/public", fs.html("<p>public</p>"))
    async with make_fetcher() as fetcher:
        blocked = await fetcher.fetch(server.url("/private/x"), kind="page")
        allowed = [await fetcher.fetch(server.url("/public"), kind="page") for _ in range(3)]
    assert blocked.error == "robots" and server.hits["/private/x"] == 0
    assert all(page.ok for page in allowed) and server.hits["/robots.txt"] == 1


async def test_robots_rules_for_our_user_agent(server: FaultServer) -> None:
    server.route("/robots.txt", robots("User-agent: monitor-test\nDisallow: /\n\nUser-agent: *\nAllow: /\n"))
    url = server.route("/page", fs.html("<p>x</p>"))
    async with make_fetcher() as fetcher:
        ours = await fetcher.fetch(url, kind="page")
        other = await fetcher.fetch(url, kind="page", user_agent="friendly-bot/1.0")
    assert ours.error == "robots" and other.ok


@pytest.mark.parametrize(
    ("status", "error"), [(404, None), (403, None), (410, None), (500, "robots"), (503, "robots")]
)
async def test_robots_status_semantics(server: FaultServer, status: int, error: str | None) -> None:
    server.route("/robots.txt", fs.respond(status, "User-agent: *\nDisallow: /\n", content_type="text/plain"))
    url = server.route("/page", fs.html("<p>x</p>"))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.error == error


async def test_unreachable_robots_disallows_only_for_a_while(server: FaultServer) -> None:
    server.route("/robots.txt", fs.sequence(fs.respond(500, "oops"), fs.respond(404, "none")))
    url = server.route("/page", fs.html("<p>x</p>"))
    async with make_fetcher(robots_error_ttl_s=0.2) as fetcher:
        first = await fetcher.fetch(url, kind="page")
        await asyncio.sleep(0.25)
        second = await fetcher.fetch(url, kind="page")
    assert first.error == "robots" and second.ok and server.hits["/robots.txt"] == 2


async def test_silent_robots_counts_as_unreachable(server: FaultServer) -> None:
    server.route("/robots.txt", fs.stall(5))
    url = server.route("/page", fs.html("<p>x</p>"))
    async with make_fetcher(deadline_s=0.3) as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.error == "robots" and page.attempts[0].error == "timeout" and server.hits["/page"] == 0
    # the log says why: robots.txt could not be read, not that it forbids us
    assert page.error_detail == "robots.txt unreachable (timeout); host disallowed for now"


async def test_robots_is_fetched_once_for_concurrent_requests(server: FaultServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /private\n"))
    url = server.route("/page", fs.html("<p>x</p>"))
    async with make_fetcher() as fetcher:
        pages = await asyncio.gather(*(fetcher.fetch(url, kind="page") for _ in range(5)))
    assert all(page.ok for page in pages) and server.hits["/robots.txt"] == 1
    robots_request = next(request for request in server.requests if request.path == "/robots.txt")
    assert robots_request.headers["user-agent"] == UA


async def test_robots_redirect_is_followed(server: FaultServer) -> None:
    server.route("/robots.txt", fs.redirect("/real-robots.txt", status=301))
    server.route("/real-robots.txt", robots("User-agent: *\nDisallow: /x\n"))
    async with make_fetcher() as fetcher:
        page = await fetcher.fetch(server.url("/x"), kind="page")
    assert page.error == "robots"


async def test_crawl_delay_is_honoured_up_to_the_cap(server: FaultServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nCrawl-delay: 0.3\n"))
    url = server.route("/page", fs.html("<p>x</p>"))
    async with make_fetcher(crawl_delay_cap_s=10) as fetcher:
        await fetcher.fetch(url, kind="page")
        started = time.monotonic()
        await fetcher.fetch(url, kind="page")
        paced = time.monotonic() - started
    assert paced >= 0.28


async def test_crawl_delay_above_the_cap_is_capped(server: FaultServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nCrawl-delay: 3600\n"))
    url = server.route("/page", fs.html("<p>x</p>"))
    async with make_fetcher(crawl_delay_cap_s=0.2) as fetcher:
        started = time.monotonic()
        for _ in range(3):
            assert (await fetcher.fetch(url, kind="page")).ok
    assert 0.35 <= time.monotonic() - started < 1.5


async def test_sitemaps_from_robots(server: FaultServer) -> None:
    server.route(
        "/robots.txt",
        robots("User-agent: *\nDisallow:\nSitemap: https://example.com/news.xml\nSitemap: /relative.xml\n"),
    )
    async with fetcher_with_dns({"news.example.com": ["93.184.216.34"]}) as fetcher:
        sitemaps = await fetcher.sitemaps_from_robots(server.url("/any/page"))
        unsafe = await fetcher.sitemaps_from_robots(server.url("/any/page"), site_hosts=PUBLIC_SITE)
    assert sitemaps == ["https://example.com/news.xml", server.url("/relative.xml")]
    assert unsafe == [] and server.hits["/robots.txt"] == 1


async def test_robots_can_be_switched_off(server: FaultServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /\n"))
    url = server.route("/page", fs.html("<p>x</p>"))
    async with make_fetcher(respect_robots=False) as fetcher:
        page = await fetcher.fetch(url, kind="page")
    assert page.ok and server.hits["/robots.txt"] == 0


def test_robots_cache_never_exceeds_24_hours() -> None:
    cache = RobotsCache(clock=lambda: 0.0)
    assert cache.expiry(7 * 24 * 3600) == ROBOTS_MAX_TTL_S


# --- pacing and concurrency ------


def counting(delay_s: float, stats: dict[str, int]) -> fs.Handler:
    """A handler that records how many requests it serves at once."""
    lock = threading.Lock()
    ok = fs.html("<p>x</p>")

    def handler(request: fs.Request, conn: fs.Conn) -> bool:
        with lock:
            stats["now"] = stats.get("now", 0) + 1
            stats["max"] = max(stats.get("max", 0), stats["now"])
        time.sleep(delay_s)
        with lock:
            stats["now"] -= 1
        return ok(request, conn)

    return handler


async def test_one_request_in_flight_per_host_and_delay_between(server: FaultServer) -> None:
    stats: dict[str, int] = {}
    url = server.route("/page", counting(0.05, stats))
    async with make_fetcher(host_delay_s=0.1, respect_robots=False) as fetcher:
        started = time.monotonic()
        pages = await asyncio.gather(*(fetcher.fetch(url, kind="page") for _ in range(4)))
        elapsed = time.monotonic() - started
    assert all(page.ok for page in pages) and stats["max"] == 1
    assert elapsed >= 3 * 0.1 + 4 * 0.05 - 0.02


async def test_host_delay_can_be_overridden_per_call(server: FaultServer) -> None:
    url = server.route("/page", fs.html("<p>x</p>"))
    async with make_fetcher(host_delay_s=5.0, respect_robots=False) as fetcher:
        started = time.monotonic()
        for _ in range(3):
            await fetcher.fetch(url, kind="page", host_delay_s=0.0)
    assert time.monotonic() - started < 1.0


async def test_global_concurrency_limit_across_hosts() -> None:
    stats: dict[str, int] = {}
    handler = counting(0.1, stats)
    servers = [FaultServer().start() for _ in range(6)]
    try:
        urls = [server.route("/page", handler) for server in servers]
        async with make_fetcher(concurrency=2, respect_robots=False) as fetcher:
            pages = await asyncio.gather(*(fetcher.fetch(url, kind="page") for url in urls))
    finally:
        for server in servers:
            server.stop()
    assert all(page.ok for page in pages) and stats["max"] == 2
