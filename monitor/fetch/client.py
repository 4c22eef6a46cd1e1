"""The Fetcher: every HTTP request of the monitor goes through here (politeness, retries, safe bodies)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from types import TracebackType
from urllib.parse import urljoin

import httpx

from monitor.clock import now_iso
from monitor.fetch.body import ACCEPT_HEADERS
from monitor.fetch.clients import HostClients
from monitor.fetch.exchange import (
    DETAIL_MAX_CHARS,
    Exchange,
    RequestKind,
    classify_error,
    drain_small_body,
    header_map,
    is_web_url,
    read_body,
    status_error,
)
from monitor.fetch.failures import ROBOTS_NOTICES, describe_failure
from monitor.fetch.policy import Call, refuse_redirect, trusted_hosts, unsafe_address
from monitor.fetch.politeness import (
    ROBOTS_MAX_BYTES,
    HostNotOwned,
    HostRegistry,
    RobotsCache,
    RobotsRules,
    host_key,
    origin_of,
)
from monitor.fetch.resolve import AddressCache
from monitor.fetch.retry import backoff_delay, is_host_failure, is_retryable, parse_retry_after
from monitor.fetch.settings import FetchSettings
from monitor.fetch.urls import canonicalize_url
from monitor.models import FetchAttempt, FetchedPage, FetchKind

logger = logging.getLogger(__name__)

_RETRY_AFTER_STATUSES = frozenset({429, 503})
_ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 2.3.1.2


class Fetcher:
    """Fetches pages, feeds and sitemaps politely; never raises for network, HTTP or content problems."""

    def __init__(self, settings: FetchSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._clients = HostClients(settings, transport)
        self.hosts = HostRegistry(settings.concurrency)  # SiteFetchers share one: pacing is per host
        self._robots = RobotsCache()
        self._addresses = AddressCache(timeout_s=settings.connect_timeout_s)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._clients.aclose()

    def host_state(self, host: str) -> str:
        """The host's health: "ok", "backing_off" (repeated failures: slower pacing, no retries) or
        "paused" (a far-future Retry-After). Takes a host ("example.com", "127.0.0.1:8080") or a URL."""
        return self.hosts.state(host_key(host) if "://" in host else host.lower())

    async def sitemaps_from_robots(self, url: str, *, site_hosts: frozenset[str] | None = None) -> list[str]:
        """The Sitemap: lines of the robots.txt governing url (empty when none, unreachable or unsafe;
        site_hosts as for fetch())."""
        if not is_web_url(url):
            return []
        call = self._new_call(url, "sitemap", None, None, None, None, None, site_hosts)
        if await unsafe_address(self._addresses, call, url):
            return []
        try:
            rules = await self._robots_for(call, url)
        except HostNotOwned:
            return []
        robots_url = origin_of(url) + "/robots.txt"
        resolved = [urljoin(robots_url, sitemap.strip()) for sitemap in rules.sitemaps()]
        return list(dict.fromkeys(sitemap for sitemap in resolved if is_web_url(sitemap)))

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
        site_hosts: frozenset[str] | None = None,
    ) -> FetchedPage:
        """Fetches url; failures come back as FetchedPage.error, every HTTP attempt in .attempts.

        site_hosts: the host names of the site's configured URLs, the only hosts trusted whatever they
        resolve to. Every other host of every request (the URL, each redirect target, robots.txt and its
        redirects) that RESOLVES to a loopback, private, link-local or otherwise non-public address is
        refused with error "unsafe_url" before any request to it, even when the site itself lives on such an
        address. None (the default) trusts the host of url alone (`monitor check URL`).
        """
        if kind not in ACCEPT_HEADERS:
            raise ValueError(f"fetch kind must be page, feed or sitemap, not {kind!r}")
        call = self._new_call(
            url, kind, etag, last_modified, user_agent, host_delay_s, allowed_hosts, site_hosts
        )
        try:
            return await self._fetch(call)
        except HostNotOwned as refused:  # another daemon holds the host now (monitor/coordination): not sent
            return self._failure(call, url, refused.error, str(refused))
        except Exception as exc:  # the last guard: a bug here must not stop the other sites
            logger.exception("unexpected error fetching %s", url)
            return self._failure(call, url, "internal", repr(exc)[:DETAIL_MAX_CHARS])

    def _new_call(
        self,
        url: str,
        kind: FetchKind,
        etag: str | None,
        last_modified: str | None,
        user_agent: str | None,
        host_delay_s: float | None,
        allowed_hosts: frozenset[str] | None,
        site_hosts: frozenset[str] | None,
    ) -> Call:
        user_agent = user_agent or self.settings.user_agent
        headers = {"User-Agent": user_agent, "Accept": ACCEPT_HEADERS[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return Call(
            url=url,
            kind=kind,
            user_agent=user_agent,
            host_delay_s=self.settings.host_delay_s if host_delay_s is None else host_delay_s,
            allowed_hosts=allowed_hosts,
            site_hosts=trusted_hosts(url, site_hosts),
            headers=headers,
            retries_left=self.settings.max_retries,
        )

    async def _fetch(self, call: Call) -> FetchedPage:
        if not is_web_url(call.url):
            return self._failure(call, call.url, "unsafe_url", "only http and https URLs are fetched")
        current = call.url
        seen: set[str] = set()  # canonical URLs of the hops, built on the first redirect only
        for _hop in range(self.settings.max_redirects + 1):
            key = host_key(current)
            blocked = await self._blocked(call, current, key)
            if blocked:
                return self._failure(call, current, *blocked)
            exchange = await self._exchange_with_retries(call, current, key)
            location = exchange.location
            if location is None:
                return self._page(call, exchange)
            if not seen:
                seen.add(canonicalize_url(current))
            target = urljoin(current, location.strip())
            refused = refuse_redirect(call, target, seen)
            if refused:
                # The fetch log shows why the chain stopped at this hop, not a plain 3xx.
                call.attempts[-1] = replace(call.attempts[-1], error=refused)
                return self._failure(
                    call,
                    current,
                    refused,
                    f"redirect to {target[:DETAIL_MAX_CHARS]}",
                    status=exchange.status,
                )
            seen.add(canonicalize_url(target))
            current = target
        return self._failure(call, current, "too_many_redirects", f"more than {self.settings.max_redirects}")

    async def _blocked(self, call: Call, url: str, key: str) -> tuple[str, str] | None:
        """Why url must not be requested now (private address, host paused, robots.txt), or None."""
        unsafe = await unsafe_address(self._addresses, call, url)
        if unsafe:
            return "unsafe_url", unsafe
        paused_for = self.hosts.paused_for(key)
        if paused_for > 0:
            return "host_paused", f"Retry-After: host paused for {paused_for:.0f} s more"
        if not self.settings.respect_robots:
            return None
        rules = await self._robots_for(call, url)
        if not rules.allowed(url, call.user_agent):
            if rules.unreachable:
                return "robots", f"robots.txt unreachable ({rules.unreachable}); host disallowed for now"
            return "robots", "disallowed by robots.txt"
        return None

    def _delay_for(self, call: Call, url: str) -> float:
        if not self.settings.respect_robots:
            return call.host_delay_s
        rules = self._robots.get(origin_of(url))
        crawl_delay = (
            min(rules.crawl_delay(call.user_agent), self.settings.crawl_delay_cap_s) if rules else 0.0
        )
        return max(call.host_delay_s, crawl_delay)

    async def _robots_for(self, call: Call, url: str) -> RobotsRules:
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

    async def _load_robots(self, call: Call, origin: str) -> RobotsRules:
        """RFC 9309 2.3.1: 2xx parse, 4xx allow all, 5xx or unreachable disallow all (for a while)."""
        robots_url = origin + "/robots.txt"
        for _hop in range(_ROBOTS_MAX_REDIRECTS + 1):
            exchange = await self._exchange(
                call, robots_url, host_key(robots_url), "robots", ROBOTS_MAX_BYTES, call.host_delay_s
            )
            location = exchange.location
            if location is None:
                return self._robots_rules(exchange)
            target = urljoin(robots_url, location.strip())
            refused = "unsafe_url" if not is_web_url(target) else None
            if refused is None and await unsafe_address(self._addresses, call, target):
                refused = "unsafe_url"
            if refused:
                # A redirect that may not be followed leaves robots.txt unavailable: allow all (RFC 9309
                # 2.3.1.2, as for too many redirects); the fetch log shows the refusal.
                call.attempts[-1] = replace(call.attempts[-1], error=refused)
                break
            robots_url = target
        return RobotsRules(None, allow_all=True, expires_at=self._robots.expiry(self.settings.robots_ttl_s))

    def _robots_rules(self, exchange: Exchange) -> RobotsRules:
        ok_ttl = self._robots.expiry(self.settings.robots_ttl_s)
        error_ttl = self._robots.expiry(self.settings.robots_error_ttl_s)
        status = exchange.status
        origin = origin_of(exchange.url)
        if status is not None and 200 <= status < 300 and exchange.error is None:
            ROBOTS_NOTICES.reachable(origin)
            return RobotsRules.parse(exchange.body.decode("utf-8", errors="replace"), ok_ttl)
        if exchange.error == "too_large" or (status is not None and 400 <= status < 500 and status != 429):
            ROBOTS_NOTICES.reachable(origin)
            return RobotsRules(None, allow_all=True, expires_at=ok_ttl)
        # 5xx, 429 and network failures: "unreachable", so complete disallow until the next try; said once
        # per change of the host's state (what happened, and when the next try is).
        reason = describe_failure(exchange.error, exchange.detail, status)
        ROBOTS_NOTICES.unreachable(origin, reason, self.settings.robots_error_ttl_s)
        return RobotsRules(
            None, allow_all=False, expires_at=error_ttl, unreachable=str(exchange.error or status)
        )

    async def _exchange_with_retries(self, call: Call, url: str, key: str) -> Exchange:
        retry_number = 0
        max_bytes = self.settings.max_sitemap_bytes if call.kind == "sitemap" else self.settings.max_bytes
        while True:
            exchange = await self._exchange(call, url, key, call.kind, max_bytes, self._delay_for(call, url))
            if not is_retryable(exchange.status, exchange.error):
                return exchange
            retry_after = None
            if exchange.status in _RETRY_AFTER_STATUSES:
                retry_after = parse_retry_after(exchange.headers.get("retry-after"))
            if retry_after is not None and retry_after > self.settings.retry_after_max_s:
                self.hosts.pause(key, retry_after)
                exchange.error, exchange.detail = (
                    "retry_after",
                    f"Retry-After {retry_after:.0f} s: host paused",
                )
                return exchange
            if call.retries_left <= 0 or self.hosts.state(key) != "ok":
                return exchange
            call.retries_left -= 1
            await asyncio.sleep(
                max(retry_after or 0.0, backoff_delay(retry_number, self.settings.retry_base_s))
            )
            retry_number += 1

    async def _exchange(
        self, call: Call, url: str, key: str, kind: RequestKind, max_bytes: int, delay_s: float
    ) -> Exchange:
        """One HTTP attempt in the host's slot (key: its host_key), bounded by the deadline, recorded in
        call.attempts."""
        exchange = Exchange(url=url)
        async with self.hosts.slot(key, delay_s):
            started_at = now_iso()
            started = time.perf_counter()
            try:
                async with asyncio.timeout(self.settings.deadline_s):
                    await self._send(call, exchange, key, kind, max_bytes)
            except Exception as exc:
                exchange.error, exchange.detail = classify_error(exc)
                exchange.body = b""
            elapsed_ms = int((time.perf_counter() - started) * 1000)
        self.hosts.record(key, host_failure=is_host_failure(exchange.status, exchange.error))
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

    async def _send(
        self, call: Call, exchange: Exchange, key: str, kind: RequestKind, max_bytes: int
    ) -> None:
        headers = (
            call.headers if kind != "robots" else {"User-Agent": call.user_agent, "Accept": "text/plain"}
        )
        response = await self._clients.send(key, exchange.url, headers)
        try:
            exchange.status = response.status_code
            exchange.headers = header_map(response.headers)
            exchange.error = status_error(response.status_code)
            if exchange.error is None and 200 <= response.status_code < 300:
                await read_body(exchange, response, kind, max_bytes)
            else:
                await drain_small_body(response)
        finally:
            await response.aclose()

    def _page(self, call: Call, exchange: Exchange) -> FetchedPage:
        headers = exchange.headers
        not_modified = exchange.status == 304 and exchange.error is None
        body = b"" if not_modified or exchange.error else exchange.body
        return FetchedPage(
            url=call.url,
            final_url=exchange.url,
            status=exchange.status,
            body=body,
            charset=exchange.charset,
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
        self, call: Call, final_url: str, error: str, detail: str, status: int | None = None
    ) -> FetchedPage:
        return FetchedPage(
            url=call.url,
            final_url=final_url,
            status=status,
            error=error,
            error_detail=detail,
            attempts=tuple(call.attempts),
        )
