"""Optional Prometheus metrics for `monitor run --metrics-port`: fetch, error, story and change counters.

Counting is a no-op until `serve()` is called, so `once` and the tests pay nothing for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from monitor.errors import MonitorError
from monitor.models import DecisionKind, FetchAttempt, FetchOutcome

_counters: dict[str, Any] = {}

_STORY_EVENTS = {
    "story.new": "new",
    "story.changed": "changed",
    "story.removed": "removed",
    "story.restored": "restored",
}


def serve(port: int, host: str = "127.0.0.1") -> None:
    """Expose /metrics on host:port and start counting."""
    try:
        import prometheus_client
    except ImportError:
        raise MonitorError("--metrics-port needs prometheus-client: pip install 'monitor[metrics]'") from None
    if not _counters:
        _counters["fetches"] = prometheus_client.Counter(
            "monitor_fetches", "HTTP attempts, by site and outcome", ["site", "outcome"]
        )
        _counters["fetch_errors"] = prometheus_client.Counter(
            "monitor_fetch_errors", "Failed HTTP attempts, by site and error kind", ["site", "error"]
        )
        _counters["stories"] = prometheus_client.Counter(
            "monitor_story_events",
            "Story events (new, changed, removed, restored), by site",
            ["site", "kind"],
        )
        _counters["decisions"] = prometheus_client.Counter(
            "monitor_decisions",
            "What checks of stories decided (new, unchanged, changed, ...), by site",
            ["site", "decision"],
        )
        _counters["member"] = prometheus_client.Gauge(
            "monitor_member",
            "Several daemons on one PostgreSQL database: this daemon's member counters (hosts owned, claims, "
            "releases, refused writes and fetches), by member id",
            ["member", "counter"],
        )
    try:
        prometheus_client.start_http_server(port, addr=host)
    except OSError as error:
        raise MonitorError(f"cannot serve metrics on {host}:{port}: {error.strerror}") from None


def count_event(event: str, site: str | None) -> None:
    kind = _STORY_EVENTS.get(event)
    if kind is not None and _counters:
        _counters["stories"].labels(site=site or "", kind=kind).inc()


def count_fetches(site: str | None, attempts: Sequence[FetchAttempt]) -> None:
    if not _counters:
        return
    for attempt in attempts:
        _counters["fetches"].labels(site=site or "", outcome=FetchOutcome.of(attempt)).inc()
        if attempt.error:
            _counters["fetch_errors"].labels(site=site or "", error=attempt.error).inc()


def set_member(member: int, counters: dict[str, int]) -> None:
    """The member's counters as of its last heartbeat (the same as its row in `members`)."""
    if _counters:
        for name, value in counters.items():
            _counters["member"].labels(member=str(member), counter=name).set(value)


def count_decision(site: str | None, decision: DecisionKind) -> None:
    if _counters:
        _counters["decisions"].labels(site=site or "", decision=decision).inc()
