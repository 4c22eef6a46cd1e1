"""The Fetcher's HTTP clients: one httpx client (and connection pool) per host, least recently used let go."""

from __future__ import annotations

import asyncio
import ssl
from collections import OrderedDict

import httpx

from monitor.fetch.body import SUPPORTED_ENCODINGS
from monitor.fetch.settings import FetchSettings

KEEPALIVE_EXPIRY_S = 15.0
MAX_HOST_CLIENTS = 256  # hosts whose client (and idle connections) are kept; the least recently used go


class HostClients:
    """One client per host, the least recently used first. One shared pool would be scanned in full, with a
    readability check of every idle connection, on every request: with a kept-alive connection per host that
    cost more than the connections saved (bench_fetch.py, bench_e2e.py)."""

    def __init__(self, settings: FetchSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._transport = transport
        self._ssl_context: ssl.SSLContext | None = None  # built once, on the first client (~15 ms of CPU)
        self._clients: OrderedDict[str, httpx.AsyncClient] = OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), OrderedDict()
        for client in clients:
            await client.aclose()
        if self._closing:
            await asyncio.gather(*self._closing)

    def client_for(self, key: str) -> httpx.AsyncClient:
        """The HTTP client (and connection pool) of one host (key: its host_key); an injected transport is
        shared, so it gets one client for every host."""
        if self._transport is not None:
            key = ""
        client = self._clients.get(key)
        if client is not None:
            self._clients.move_to_end(key)
            return client
        client = self._new_client()
        self._clients[key] = client
        if len(self._clients) > MAX_HOST_CLIENTS:
            _, oldest = self._clients.popitem(last=False)
            closing = asyncio.get_running_loop().create_task(oldest.aclose())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        return client

    def _new_client(self) -> httpx.AsyncClient:
        settings = self.settings
        if self._transport is None and self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context(trust_env=settings.trust_env)
        return httpx.AsyncClient(
            transport=self._transport,
            verify=self._ssl_context or True,
            timeout=httpx.Timeout(settings.deadline_s, connect=settings.connect_timeout_s),
            # One request per host is in flight at a time (the host's slot); a robots.txt fetch may join it.
            limits=httpx.Limits(
                max_connections=2, max_keepalive_connections=2, keepalive_expiry=KEEPALIVE_EXPIRY_S
            ),
            follow_redirects=False,
            trust_env=settings.trust_env,
            headers={"Accept-Encoding": SUPPORTED_ENCODINGS},
        )
