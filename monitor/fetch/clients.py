"""The Fetcher's connections: one httpx transport (and connection pool) per host, least recently used let go.

A request goes straight to its host's transport (httpx's public `handle_async_request`): the client layer
above it (URL and header merging, cookies, auth and redirect flows, event hooks) costs about a quarter of a
304 answer's CPU, and the Fetcher does its own redirects and keeps no cookies. When the environment names a
proxy (and trust_env is on) every request goes through an httpx client instead, which applies HTTP(S)_PROXY,
ALL_PROXY and NO_PROXY exactly as httpx documents them.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.request
from collections import OrderedDict

import httpx

from monitor.fetch.body import SUPPORTED_ENCODINGS
from monitor.fetch.settings import FetchSettings

KEEPALIVE_EXPIRY_S = 15.0
MAX_HOST_CLIENTS = 256  # hosts whose transport (and idle connections) are kept; the least recently used go
# One request per host is in flight at a time (the host's slot); a robots.txt fetch may join it.
_LIMITS = httpx.Limits(max_connections=2, max_keepalive_connections=2, keepalive_expiry=KEEPALIVE_EXPIRY_S)
Pool = httpx.AsyncBaseTransport | httpx.AsyncClient


class HostClients:
    """One transport per host, the least recently used first. One shared pool would be scanned in full, with
    a readability check of every idle connection, on every request: with a kept-alive connection per host
    that cost more than the connections saved (bench_fetch.py, bench_e2e.py)."""

    def __init__(self, settings: FetchSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._transport = transport  # injected (tests): shared by every host
        self._ssl_context: ssl.SSLContext | None = None  # built once, on the first pool (~15 ms of CPU)
        self._pools: OrderedDict[str, Pool] = OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()
        self._timeout = httpx.Timeout(settings.deadline_s, connect=settings.connect_timeout_s)
        self._timeout_extension = self._timeout.as_dict()  # what httpcore reads from a request
        self._via_client = transport is None and settings.trust_env and bool(_environment_proxies())

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.aclose()
        if self._closing:
            await asyncio.gather(*self._closing)

    async def send(self, key: str, url: str, headers: dict[str, str]) -> httpx.Response:
        """GET url on the pool of its host (key: its host_key), the body left unread (stream it, then
        aclose the response)."""
        pool = self._pool_for(key)
        if isinstance(pool, httpx.AsyncClient):
            return await pool.send(pool.build_request("GET", url, headers=headers), stream=True)
        request = httpx.Request(
            "GET",
            url,
            headers={"Accept-Encoding": SUPPORTED_ENCODINGS, **headers},
            extensions={"timeout": self._timeout_extension},
        )
        response = await pool.handle_async_request(request)
        response.request = request
        return response

    def _pool_for(self, key: str) -> Pool:
        if self._transport is not None:
            return self._transport
        pool = self._pools.get(key)
        if pool is not None:
            self._pools.move_to_end(key)
            return pool
        pool = self._new_pool()
        self._pools[key] = pool
        if len(self._pools) > MAX_HOST_CLIENTS:
            _, oldest = self._pools.popitem(last=False)
            closing = asyncio.get_running_loop().create_task(oldest.aclose())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        return pool

    def _new_pool(self) -> Pool:
        settings = self.settings
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context(trust_env=settings.trust_env)
        if not self._via_client:
            return httpx.AsyncHTTPTransport(verify=self._ssl_context, limits=_LIMITS, trust_env=False)
        return httpx.AsyncClient(
            verify=self._ssl_context,
            timeout=self._timeout,
            limits=_LIMITS,
            follow_redirects=False,
            trust_env=True,
            headers={"Accept-Encoding": SUPPORTED_ENCODINGS},
        )


def _environment_proxies() -> dict[str, str]:
    """The proxy variables of the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, any case), by scheme."""
    return {
        scheme: address
        for scheme, address in urllib.request.getproxies_environment().items()
        if scheme != "no" and address
    }
