"""The Fetcher: every HTTP request of the monitor goes through here (politeness, retries, safe bodies)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from monitor.discover.urls import canonicalize_url, host_in_domains, registrable_domain
from monitor.fetch.body import (
    ACCEPT_HEADERS,
    SUPPORTED_ENCODINGS,
    BadEncoding,
    BodyTooLarge,
    BoundedDecoder,
    content_type_allowed,
    decode_body,
    decompress_bounded,
    parse_content_type,
    sniff_allowed,
)
from monitor.fetch.politeness import (
    ROBOTS_MAX_BYTES,
    HostRegistry,
    RobotsCache,
    RobotsRules,
    host_key,
    origin_of,
)
from monitor.fetch.retry import backoff_delay, is_host_failure, is_retryable, parse_retry_after
from monitor.models import FetchAttempt, FetchedPage

logger = logging.getLogger(__name__)

FetchKind = Literal["page", "feed", "sitemap"]
_RequestKind = Literal["page", "feed", "sitemap", "robots"]
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_WEB_SCHEMES = frozenset({"http", "https"})
_ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 2.3.1.2
_GZIP_MAGIC = b"\x1f\x8b"
_DETAIL_MAX_CHARS = 200


@dataclass(frozen=True)
class FetchSettings:
    """How the Fetcher behaves; one instance per daemon, per-site overrides go through fetch()'s arguments."""

    user_agent: str
    deadline_s: float = 30.0  # whole request: connect, headers and body (a trickling server hits this)
    connect_timeout_s: float = 10.0
    max_bytes: int = 10 * 1024 * 1024  # cap on the DECOMPRESSED body
    host_delay_s: float = 1.0  # min delay between requests to one host; one in flight per host
    concurrency: int = 8  # global
    max_retries: int = 2
    max_redirects: int = 5
    crawl_delay_cap_s: float = 30.0
    respect_robots: bool = True
    retry_base_s: float = 1.0  # first retry waits 0.5-1x this, then doubles (with jitter)
    retry_after_max_s: float = 120.0  # a longer Retry-After pauses the host instead of waiting for it
    robots_ttl_s: float = 24 * 3600.0  # capped at 24 h (RFC 9309)
    robots_error_ttl_s: float = 600.0  # how long a 5xx/unreachable robots.txt keeps the host disallowed
    trust_env: bool = True  # honour HTTP(S)_PROXY / SSL_CERT_FILE from the environment


@dataclass
class _Call:
    """The per-call context of one fetch(): its options, retry budget and the attempts so far."""

    url: str
    kind: FetchKind
    user_agent: str
    host_delay_s: float
    allowed_hosts: frozenset[str] | None
    headers: dict[str, str]
    retries_left: int
    attempts: list[FetchAttempt] = field(default_factory=list)


@dataclass
class _Exchange:
    """The outcome of one HTTP attempt."""

    url: str
    status: int | None = None
    error: str | None = None
    detail: str = ""
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    raw_bytes: int = 0
    content_type: str | None = None
    charset: str | None = None

    @property
    def location(self) -> str | None:
        if self.status in _REDIRECT_STATUSES and self.error is None:
            return self.headers.get("location") or None
        return None


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _status_error(status: int) -> str | None:
    if 200 <= status < 300 or status == 304 or status in _REDIRECT_STATUSES:
        return None
    if 500 <= status < 600:
        return "http_5xx"
    return f"http_{status}"


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return False
    return parts.scheme.lower() in _WEB_SCHEMES and bool(parts.hostname)


def _classify(exc: BaseException) -> tuple[str, str]:
    """Maps an exception raised while talking to a server to (error kind, detail)."""
    detail = f"{type(exc).__name__}: {exc}"[:_DETAIL_MAX_CHARS]
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "timeout", detail
    if isinstance(exc, BodyTooLarge):
        return "too_large", detail
    if isinstance(exc, BadEncoding):
        return "bad_encoding", detail
    if isinstance(exc, httpx.ConnectError):
        return "connect", detail
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "reset", detail
    if isinstance(exc, httpx.RemoteProtocolError):
        message = str(exc).lower()
        if "without sending a response" in message or "connection reset" in message:
            return "reset", detail
        if "incomplete" in message or "peer closed" in message:
            return "partial_body", detail
        return "protocol", detail
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL | httpx.LocalProtocolError):
        return "invalid_request", detail
    if isinstance(exc, OSError | httpx.TransportError):
        return "connect", detail
    return "internal", detail


async def _raw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body as received on the wire; an in-memory response (MockTransport) has no raw stream left."""
    try:
        content = response.content
    except httpx.ResponseNotRead:
        async for chunk in response.aiter_raw():
            yield chunk
        return
    response.headers.pop("content-encoding", None)  # httpx already decoded in-memory content
    yield content


class Fetcher:
    """Fetches pages, feeds and sitemaps politely; never raises for network, HTTP or content problems."""

    def __init__(self, settings: FetchSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(settings.deadline_s, connect=settings.connect_timeout_s),
            limits=httpx.Limits(
                max_connections=settings.concurrency * 2, max_keepalive_connections=settings.concurrency * 2
            ),
            follow_redirects=False,
            trust_env=settings.trust_env,
            headers={"Accept-Encoding": SUPPORTED_ENCODINGS},
        )
        self._hosts = HostRegistry(settings.concurrency)
        self._robots = RobotsCache()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def host_state(self, host: str) -> str:
        """The host's health: "ok", "backing_off" (repeated failures: slower pacing, no retries) or
        "paused" (a far-future Retry-After). Takes a host ("example.com", "127.0.0.1:8080") or a URL."""
        return self._hosts.state(host_key(host) if "://" in host else host.lower())

    async def sitemaps_from_robots(self, url: str) -> list[str]:
        """The Sitemap: lines of the robots.txt governing url (empty when none or unreachable)."""
        if not _is_web_url(url):
            return []
        call = self._new_call(url, "sitemap", None, None, None, None, None)
        rules = await self._robots_for(call, url)
        robots_url = origin_of(url) + "/robots.txt"
        resolved = [urljoin(robots_url, sitemap.strip()) for sitemap in rules.sitemaps()]
        return list(dict.fromkeys(sitemap for sitemap in resolved if _is_web_url(sitemap)))

    async def fetch(
        self,
        url: str,
        *,
        kind: FetchKind,
        etag: str | None = None,
        last_modified: str | None = None,
        user_agent: str | None = None,
        host_delay_s: float | None = None,
        allowed_hosts: frozenset[str] | None = None,
    ) -> FetchedPage:
        """Fetches url; failures come back as FetchedPage.error, every HTTP attempt in .attempts."""
        if kind not in ACCEPT_HEADERS:
            raise ValueError(f"fetch kind must be page, feed or sitemap, not {kind!r}")
        call = self._new_call(url, kind, etag, last_modified, user_agent, host_delay_s, allowed_hosts)
        try:
            return await self._fetch(call)
        except Exception as exc:  # the last guard: a bug here must not stop the other sites
            logger.exception("unexpected error fetching %s", url)
            return self._failure(call, url, "internal", repr(exc)[:_DETAIL_MAX_CHARS])

    def _new_call(
        self,
        url: str,
        kind: FetchKind,
        etag: str | None,
        last_modified: str | None,
        user_agent: str | None,
        host_delay_s: float | None,
        allowed_hosts: frozenset[str] | None,
    ) -> _Call:
        user_agent = user_agent or self.settings.user_agent
        headers = {"User-Agent": user_agent, "Accept": ACCEPT_HEADERS[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return _Call(
            url=url,
            kind=kind,
            user_agent=user_agent,
            host_delay_s=self.settings.host_delay_s if host_delay_s is None else host_delay_s,
            allowed_hosts=allowed_hosts,
            headers=headers,
            retries_left=self.settings.max_retries,
        )

    async def _fetch(self, call: _Call) -> FetchedPage:
        if not _is_web_url(call.url):
            return self._failure(call, call.url, "unsafe_url", "only http and https URLs are fetched")
        current = call.url
        seen = {canonicalize_url(current)}
        for _hop in range(self.settings.max_redirects + 1):
            blocked = await self._blocked(call, current)
            if blocked:
                return self._failure(call, current, *blocked)
            exchange = await self._exchange_with_retries(call, current)
            location = exchange.location
            if location is None:
                return self._page(call, exchange)
            target = urljoin(current, location.strip())
            refused = self._refuse_redirect(call, target, seen)
            if refused:
                return self._failure(
                    call,
                    current,
                    refused,
                    f"redirect to {target[:_DETAIL_MAX_CHARS]}",
                    status=exchange.status,
                )
            seen.add(canonicalize_url(target))
            current = target
        return self._failure(call, current, "too_many_redirects", f"more than {self.settings.max_redirects}")

    def _refuse_redirect(self, call: _Call, target: str, seen: set[str]) -> str | None:
        if not _is_web_url(target):
            return "unsafe_url"
        if canonicalize_url(target) in seen:
            return "redirect_loop"
        target_host = (urlsplit(target).hostname or "").lower()
        if call.allowed_hosts is not None:
            allowed = host_in_domains(target_host, call.allowed_hosts)
        else:
            origin_host = (urlsplit(call.url).hostname or "").lower()
            allowed = registrable_domain(target_host) == registrable_domain(origin_host)
        return None if allowed else "cross_host_redirect"

    async def _blocked(self, call: _Call, url: str) -> tuple[str, str] | None:
        """Why url must not be requested now (host paused, robots.txt), or None."""
        paused_for = self._hosts.paused_for(host_key(url))
        if paused_for > 0:
            return "host_paused", f"Retry-After: host paused for {paused_for:.0f} s more"
        if not self.settings.respect_robots:
            return None
        rules = await self._robots_for(call, url)
        if not rules.allowed(url, call.user_agent):
            return "robots", "disallowed by robots.txt"
        return None

    def _delay_for(self, call: _Call, url: str) -> float:
        if not self.settings.respect_robots:
            return call.host_delay_s
        rules = self._robots.get(origin_of(url))
        crawl_delay = (
            min(rules.crawl_delay(call.user_agent), self.settings.crawl_delay_cap_s) if rules else 0.0
        )
        return max(call.host_delay_s, crawl_delay)

    async def _robots_for(self, call: _Call, url: str) -> RobotsRules:
        origin = origin_of(url)
        rules = self._robots.get(origin)
        if rules is not None:
            return rules
        async with self._robots.lock(origin):
            rules = self._robots.get(origin)
            if rules is None:
                rules = await self._load_robots(call, origin)
                self._robots.put(origin, rules)
            return rules

    async def _load_robots(self, call: _Call, origin: str) -> RobotsRules:
        """RFC 9309 2.3.1: 2xx parse, 4xx allow all, 5xx or unreachable disallow all (for a while)."""
        robots_url = origin + "/robots.txt"
        for _hop in range(_ROBOTS_MAX_REDIRECTS + 1):
            exchange = await self._exchange(call, robots_url, "robots", ROBOTS_MAX_BYTES, call.host_delay_s)
            location = exchange.location
            if location is None:
                break
            robots_url = urljoin(robots_url, location.strip())
            if not _is_web_url(robots_url):
                break
        else:
            return RobotsRules(
                None, allow_all=True, expires_at=self._robots.expiry(self.settings.robots_ttl_s)
            )
        return self._robots_rules(exchange)

    def _robots_rules(self, exchange: _Exchange) -> RobotsRules:
        ok_ttl = self._robots.expiry(self.settings.robots_ttl_s)
        error_ttl = self._robots.expiry(self.settings.robots_error_ttl_s)
        status = exchange.status
        if status is not None and 200 <= status < 300 and exchange.error is None:
            return RobotsRules.parse(exchange.body.decode("utf-8", errors="replace"), ok_ttl)
        if exchange.error == "too_large" or (status is not None and 400 <= status < 500 and status != 429):
            return RobotsRules(None, allow_all=True, expires_at=ok_ttl)
        # 5xx, 429 and network failures: "unreachable", so complete disallow until the next try.
        logger.warning(
            "robots.txt for %s unreachable (%s); host disallowed for now",
            exchange.url,
            exchange.error or status,
        )
        return RobotsRules(None, allow_all=False, expires_at=error_ttl)

    async def _exchange_with_retries(self, call: _Call, url: str) -> _Exchange:
        retry_number = 0
        while True:
            exchange = await self._exchange(
                call, url, call.kind, self.settings.max_bytes, self._delay_for(call, url)
            )
            key = host_key(url)
            if not is_retryable(exchange.status, exchange.error):
                return exchange
            retry_after = None
            if exchange.status in _RETRY_AFTER_STATUSES:
                retry_after = parse_retry_after(exchange.headers.get("retry-after"))
            if retry_after is not None and retry_after > self.settings.retry_after_max_s:
                self._hosts.pause(key, retry_after)
                exchange.error, exchange.detail = (
                    "retry_after",
                    f"Retry-After {retry_after:.0f} s: host paused",
                )
                return exchange
            if call.retries_left <= 0 or self._hosts.state(key) != "ok":
                return exchange
            call.retries_left -= 1
            await asyncio.sleep(
                max(retry_after or 0.0, backoff_delay(retry_number, self.settings.retry_base_s))
            )
            retry_number += 1

    async def _exchange(
        self, call: _Call, url: str, kind: _RequestKind, max_bytes: int, delay_s: float
    ) -> _Exchange:
        """One HTTP attempt in the host's slot, bounded by the deadline, recorded in call.attempts."""
        key = host_key(url)
        exchange = _Exchange(url=url)
        async with self._hosts.slot(key, delay_s):
            started_at = _utc_now()
            started = time.perf_counter()
            try:
                async with asyncio.timeout(self.settings.deadline_s):
                    await self._send(call, exchange, kind, max_bytes)
            except Exception as exc:
                exchange.error, exchange.detail = _classify(exc)
                exchange.body = b""
            elapsed_ms = int((time.perf_counter() - started) * 1000)
        self._hosts.record(key, host_failure=is_host_failure(exchange.status, exchange.error))
        call.attempts.append(
            FetchAttempt(
                url=url,
                started_at=started_at,
                status=exchange.status,
                error=exchange.error,
                elapsed_ms=elapsed_ms,
                bytes=exchange.raw_bytes,
                not_modified=exchange.status == 304,
            )
        )
        return exchange

    async def _send(self, call: _Call, exchange: _Exchange, kind: _RequestKind, max_bytes: int) -> None:
        headers = (
            call.headers if kind != "robots" else {"User-Agent": call.user_agent, "Accept": "text/plain"}
        )
        request = self._client.build_request("GET", exchange.url, headers=headers)
        response = await self._client.send(request, stream=True)
        try:
            exchange.status = response.status_code
            exchange.headers = response.headers
            exchange.error = _status_error(response.status_code)
            if exchange.error is None and 200 <= response.status_code < 300:
                await self._read_body(exchange, response, kind, max_bytes)
        finally:
            await response.aclose()

    async def _read_body(
        self, exchange: _Exchange, response: httpx.Response, kind: _RequestKind, max_bytes: int
    ) -> None:
        media_type, charset = parse_content_type(response.headers.get("content-type"))
        exchange.content_type, exchange.charset = media_type or None, charset
        allowed = True if kind == "robots" else content_type_allowed(kind, media_type)
        if allowed is False:
            exchange.error, exchange.detail = (
                "content_type",
                f"{media_type or 'none'} is not accepted for {kind}",
            )
            return
        declared_length = response.headers.get("content-length", "")
        if declared_length.isdigit() and int(declared_length) > max_bytes:
            raise BodyTooLarge(f"Content-Length {declared_length} > {max_bytes}")
        decoder = BoundedDecoder(response.headers.get("content-encoding", ""), max_bytes)
        async for chunk in _raw_chunks(response):
            exchange.raw_bytes += len(chunk)
            if exchange.raw_bytes > max_bytes:
                raise BodyTooLarge(f"more than {max_bytes} bytes on the wire")
            decoder.feed(chunk)
        body = decoder.finish()
        if kind == "sitemap" and body.startswith(_GZIP_MAGIC):
            body = decompress_bounded(body, "gzip", max_bytes)  # sitemap.xml.gz served as a file
        if allowed is None and kind != "robots" and not sniff_allowed(kind, body):
            exchange.error, exchange.detail = (
                "content_type",
                f"{media_type or 'none'} does not look like {kind}",
            )
            return
        exchange.body = body

    def _page(self, call: _Call, exchange: _Exchange) -> FetchedPage:
        headers = exchange.headers
        not_modified = exchange.status == 304 and exchange.error is None
        body = b"" if not_modified or exchange.error else exchange.body
        return FetchedPage(
            url=call.url,
            final_url=exchange.url,
            status=exchange.status,
            body=body,
            text=decode_body(body, exchange.charset),
            content_type=exchange.content_type,
            # A 304 may omit the validators; the caller's stay valid then.
            etag=headers.get("etag") or (call.headers.get("If-None-Match") if not_modified else None),
            last_modified=headers.get("last-modified")
            or (call.headers.get("If-Modified-Since") if not_modified else None),
            not_modified=not_modified,
            error=exchange.error,
            error_detail=exchange.detail,
            attempts=tuple(call.attempts),
        )

    def _failure(
        self, call: _Call, final_url: str, error: str, detail: str, status: int | None = None
    ) -> FetchedPage:
        return FetchedPage(
            url=call.url,
            final_url=final_url,
            status=status,
            error=error,
            error_detail=detail,
            attempts=tuple(call.attempts),
        )
