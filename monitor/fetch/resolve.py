"""Resolution-time address check: does a host name lead to a loopback, private or link-local address?

The URL text alone cannot tell (a public-looking name can resolve to 127.0.0.1 or 10.0.0.5), so the Fetcher
resolves each host once, through the event loop's getaddrinfo, and keeps the answer for a short while.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable

from monitor.fetch.urls import ip_of, is_private_address

ADDRESS_TTL_S = 60.0
MAX_CACHED_HOSTS = 4096
LOOKUP_TIMEOUT_S = 10.0

Lookup = Callable[[str], Awaitable[list[str]]]


async def getaddrinfo_addresses(host: str) -> list[str]:
    """The addresses host resolves to, as the connection would see them (the loop's getaddrinfo)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class AddressCache:
    """host -> "resolves to a non-public address", cached for ttl_s; failed look-ups are not cached."""

    def __init__(
        self,
        lookup: Lookup = getaddrinfo_addresses,
        *,
        ttl_s: float = ADDRESS_TTL_S,
        timeout_s: float = LOOKUP_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup = lookup
        self._ttl_s = ttl_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._answers: dict[str, tuple[float, str | None]] = {}
        self._pending: dict[str, asyncio.Future[str | None]] = {}

    async def private_address(self, host: str) -> str | None:
        """The first non-public address host resolves to, or None (public, or the look-up failed: the
        request then goes ahead and fails or succeeds on its own)."""
        host = host.lower().rstrip(".").strip("[]")
        literal = ip_of(host)
        if literal is not None:
            return str(literal) if is_private_address(literal) else None
        answer = self._answers.get(host)
        if answer is not None and answer[0] > self._clock():
            return answer[1]
        pending = self._pending.get(host)
        if pending is None:  # one look-up per host, however many requests wait for it
            pending = self._pending[host] = asyncio.ensure_future(self._resolve_and_store(host))
        # Shielded: a cancelled request must not cancel the look-up other requests are waiting for.
        return await asyncio.shield(pending)

    async def _resolve_and_store(self, host: str) -> str | None:
        try:
            result, ok = await self._resolve(host)
        finally:
            del self._pending[host]
        if ok:
            if len(self._answers) >= MAX_CACHED_HOSTS:
                self._answers.clear()
            self._answers[host] = (self._clock() + self._ttl_s, result)
        return result

    async def _resolve(self, host: str) -> tuple[str | None, bool]:
        try:
            async with asyncio.timeout(self._timeout_s):
                addresses = await self._lookup(host)
        except (OSError, TimeoutError, UnicodeError, ValueError):
            return None, False
        for address in addresses:
            parsed = ip_of(address.partition("%")[0])  # fe80::1%eth0: drop the zone
            if parsed is not None and is_private_address(parsed):
                return address, True
        return None, True
