"""Network failures in words a user acts on (DNS failure, connection refused, timeout, TLS ...), and the
robots.txt notice that is logged once per change of a host's state, not once per request."""

from __future__ import annotations

import logging
import threading

from monitor.clock import iso_after

logger = logging.getLogger("monitor.fetch.client")

# Substrings of the OS / OpenSSL / httpx messages behind a "connect" error, most specific first.
_DNS = (
    "name or service not known",
    "nodename nor servname",
    "no address associated",
    "temporary failure in name resolution",
    "name resolution",
    "getaddrinfo",
)
_CONNECT_CAUSES = (
    (_DNS, "DNS failure (the host name does not resolve)"),
    (("connection refused", "errno 111", "errno 61"), "connection refused (nothing listens on that port)"),
    (("certificate", "ssl", "tls", "handshake"), "TLS failure (certificate or handshake)"),
    (("network is unreachable", "no route to host"), "network unreachable (offline?)"),
    # httpx/anyio's summary when every address refused or was unreachable (the errno is not kept)
    (("all connection attempts failed",), "could not connect (connection refused or host unreachable)"),
)


def describe_failure(error: str | None, detail: str, status: int | None) -> str:
    """What happened, in words: `connection refused (nothing listens on that port)`, `timeout` ..."""
    lowered = detail.lower()
    if error in ("connect", "reset", "protocol") or (error is None and status is None):
        for needles, words in _CONNECT_CAUSES:
            if any(needle in lowered for needle in needles):
                return words
        return "connection failed" + (f" ({detail})" if detail else "")
    if error == "timeout":
        return "timeout (no answer in time)"
    if status is not None and error in (None, "http_5xx", f"http_{status}"):
        return f"the server answered HTTP {status}"
    return error or "unknown failure"


def failure_text(error: str, detail: str) -> str:
    """The `error` of a fetch.failed event: a robots.txt that could not be read is a network problem with
    its own warning (once per host), not a policy verdict on each URL."""
    if error == "robots" and detail.startswith("robots.txt unreachable"):
        return (
            "host unreachable: its robots.txt could not be read (see the warning); skipped until the next try"
        )
    return error + (f": {detail}" if detail else "")


class RobotsNotices:
    """Remembers the last robots.txt state logged per origin, so each change is logged once."""

    def __init__(self) -> None:
        self._logged: dict[str, str] = {}
        self._lock = threading.Lock()

    def unreachable(self, origin: str, reason: str, retry_in_s: float) -> None:
        with self._lock:
            if self._logged.get(origin) == reason:
                return
            self._logged[origin] = reason
        minutes = max(1, round(retry_in_s / 60))
        logger.warning(
            "robots.txt for %s could not be read: %s; the host is skipped until the next try at %s "
            "(in %d min)",
            origin,
            reason,
            iso_after(retry_in_s),
            minutes,
        )

    def reachable(self, origin: str) -> None:
        with self._lock:
            if self._logged.pop(origin, None) is not None:
                logger.warning("robots.txt for %s can be read again; the host is fetched again", origin)


ROBOTS_NOTICES = RobotsNotices()
