"""Politeness state: robots.txt rules per origin, per-host pacing (one in flight), host health and pauses."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

logger = logging.getLogger(__name__)

HOST_OK = "ok"
HOST_BACKING_OFF = "backing_off"
HOST_PAUSED = "paused"
# Consecutive host-level failures (connect errors, timeouts, 5xx, 429) before a host is "backing_off".
FAILURES_BEFORE_BACKOFF = 3
# While backing off, the pacing delay doubles per extra failure, up to this.
BACKOFF_DELAY_CAP_S = 300.0
MAX_PAUSE_S = 7 * 24 * 3600.0
ROBOTS_MAX_TTL_S = 24 * 3600.0  # RFC 9309 2.4: cached rules SHOULD NOT be used for more than 24 hours
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 2.5: parse at least 500 KiB

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_key(url: str) -> str:
    """The unit of politeness: the host name, plus the port when it is not the scheme's default."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


def origin_of(url: str) -> str:
    """scheme://host[:port], the scope of one robots.txt (RFC 9309 2.3)."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower().rpartition('@')[2]}"


@dataclass
class _Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_allowed: float = 0.0
    failures: int = 0
    paused_until: float = 0.0
    logged_state: str = HOST_OK
    delay_s: float = 0.0  # the delay after its last request (a handover stores it: monitor/coordination)


NOT_OWNER = "not_owner"  # a FetchedPage error: the request was not sent, another daemon holds the host


class HostNotOwned(Exception):
    """A request to a host this daemon does not hold (several daemons share one database); never sent."""

    error = NOT_OWNER

    def __init__(self, key: str) -> None:
        super().__init__(f"{key} is served by another daemon now")


HostGate = Callable[[str], bool]


class _Slot:
    """HostRegistry.slot(): a plain class rather than @asynccontextmanager, which costs a generator and
    several frames on every request."""

    __slots__ = ("_delay_s", "_host", "_key", "_registry")

    def __init__(self, registry: HostRegistry, key: str, host: _Host, delay_s: float) -> None:
        self._registry = registry
        self._key = key
        self._host = host
        self._delay_s = delay_s

    async def __aenter__(self) -> None:
        host = self._host
        await host.lock.acquire()
        try:
            wait = host.next_allowed - self._registry._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            await self._registry._global.acquire()
        except BaseException:
            host.lock.release()
            raise
        # Asked only now, after the wait: a host handed over meanwhile gets no request from here.
        gate = self._registry.gate
        if gate is not None and not gate(self._key):
            self._registry._global.release()
            host.lock.release()
            raise HostNotOwned(self._key)

    async def __aexit__(self, *exc_info: object) -> None:
        host, registry = self._host, self._registry
        host.delay_s = registry._paced_delay(host, self._delay_s)
        host.next_allowed = registry._clock() + host.delay_s
        registry._global.release()
        host.lock.release()


class HostRegistry:
    """Per-host pacing under a global concurrency limit, and each host's health."""

    def __init__(self, concurrency: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._hosts: dict[str, _Host] = {}
        self._global = asyncio.Semaphore(max(1, concurrency))
        self._clock = clock
        self.gate: HostGate | None = None  # whether a request to this host may go out now (coordination)

    def _get(self, key: str) -> _Host:
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host()
        return host

    def slot(self, key: str, delay_s: float) -> _Slot:
        """`async with` it: waits for the host's turn (one in flight, `delay_s` between requests), then a
        global slot."""
        return _Slot(self, key, self._get(key), delay_s)

    async def quiesce(self, key: str) -> tuple[float, float]:
        """Wait for the request in flight to the host (if any) to end; then (seconds until the next request
        is allowed, counting a Retry-After pause; the delay it is paced with). For a handover: the gate must
        refuse the host already, so nothing starts after this."""
        host = self._get(key)
        async with host.lock:
            now = self._clock()
            return max(0.0, host.next_allowed - now, host.paused_until - now), host.delay_s

    def hold(self, key: str, seconds: float) -> None:
        """No request to the host for `seconds` from now (a host taken over: its last owner's pacing)."""
        host = self._get(key)
        host.next_allowed = max(host.next_allowed, self._clock() + seconds)

    def delay_of(self, key: str) -> float:
        """The delay after the host's last request (0 before any)."""
        host = self._hosts.get(key)
        return host.delay_s if host else 0.0

    @staticmethod
    def _paced_delay(host: _Host, delay_s: float) -> float:
        extra_failures = host.failures - FAILURES_BEFORE_BACKOFF
        if extra_failures < 0:
            return delay_s
        return min(BACKOFF_DELAY_CAP_S, delay_s * float(2 ** (extra_failures + 1)))

    def record(self, key: str, *, host_failure: bool) -> None:
        """Notes one attempt's outcome; success resets the failure count."""
        host = self._get(key)
        host.failures = host.failures + 1 if host_failure else 0
        self._log_change(key, host)

    def pause(self, key: str, seconds: float) -> None:
        """Stops all requests to a host for a while (a far-future Retry-After)."""
        host = self._get(key)
        host.paused_until = max(host.paused_until, self._clock() + min(seconds, MAX_PAUSE_S))
        self._log_change(key, host)

    def paused_for(self, key: str) -> float:
        """Seconds left in the host's pause (0 when not paused)."""
        host = self._hosts.get(key)
        return max(0.0, host.paused_until - self._clock()) if host else 0.0

    def state(self, key: str) -> str:
        host = self._hosts.get(key)
        if host is None:
            return HOST_OK
        current = self._state_of(host)
        self._log_change(key, host)
        return current

    def _state_of(self, host: _Host) -> str:
        if host.paused_until > self._clock():
            return HOST_PAUSED
        if host.failures >= FAILURES_BEFORE_BACKOFF:
            return HOST_BACKING_OFF
        return HOST_OK

    def _log_change(self, key: str, host: _Host) -> None:
        # Logged once per state change, not once per request: a dead host must not flood the log.
        current = self._state_of(host)
        if current == host.logged_state:
            return
        if current == HOST_OK:
            logger.info("host %s: %s -> ok", key, host.logged_state)
        else:
            logger.warning(
                "host %s: %s -> %s (%d consecutive failures)", key, host.logged_state, current, host.failures
            )
        host.logged_state = current


class RobotsRules:
    """The robots.txt outcome for one origin: parsed rules, or allow-all / disallow-all (RFC 9309 2.3.1)."""

    def __init__(
        self, parser: Protego | None, *, allow_all: bool, expires_at: float, unreachable: str | None = None
    ) -> None:
        self._parser = parser
        self._allow_all = allow_all
        self.expires_at = expires_at
        self.unreachable = unreachable  # why robots.txt could not be read, when that is why all is disallowed

    @classmethod
    def parse(cls, content: str, expires_at: float) -> RobotsRules:
        return cls(Protego.parse(content), allow_all=True, expires_at=expires_at)

    def allowed(self, url: str, user_agent: str) -> bool:
        if self._parser is None:
            return self._allow_all
        return bool(self._parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float:
        if self._parser is None:
            return 0.0
        delay = self._parser.crawl_delay(user_agent)
        return float(delay) if delay else 0.0

    def sitemaps(self) -> list[str]:
        return list(self._parser.sitemaps) if self._parser is not None else []


class RobotsCache:
    """robots.txt rules per origin, each with its own expiry; one fetch per origin at a time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._clock = clock

    def get(self, origin: str) -> RobotsRules | None:
        rules = self._rules.get(origin)
        if rules is None or rules.expires_at <= self._clock():
            return None
        return rules

    def put(self, origin: str, rules: RobotsRules) -> None:
        self._rules[origin] = rules

    def lock(self, origin: str) -> asyncio.Lock:
        lock = self._locks.get(origin)
        if lock is None:
            lock = self._locks[origin] = asyncio.Lock()
        return lock

    def expiry(self, ttl_s: float) -> float:
        return self._clock() + min(ttl_s, ROBOTS_MAX_TTL_S)
