"""Which failures are retried, how long to wait before the next attempt, and what Retry-After means."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Network failures worth another attempt; protocol garbage and content problems are not (the server will
# send the same garbage again).
RETRYABLE_ERRORS = frozenset({"connect", "timeout", "reset"})
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 507, 509, 520, 521, 522, 523, 524})
# Statuses that say the host (not just this URL) is struggling; they move it towards "backing_off".
HOST_FAILURE_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
BACKOFF_MAX_S = 60.0


def is_retryable(status: int | None, error: str | None) -> bool:
    """True when a failed attempt may succeed if simply tried again later."""
    if error in RETRYABLE_ERRORS:
        return True
    return status is not None and (status in RETRYABLE_STATUSES or 500 <= status < 600)


def is_host_failure(status: int | None, error: str | None) -> bool:
    """True when an attempt's outcome says something about the host's health."""
    if error in RETRYABLE_ERRORS:
        return True
    return status is not None and (status in HOST_FAILURE_STATUSES or 500 <= status < 600)


def backoff_delay(retry_number: int, base_s: float, *, rng: random.Random | None = None) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, so retries never synchronise."""
    ceiling = min(BACKOFF_MAX_S, base_s * float(2**retry_number))
    draw: float = (rng or random).random()
    return ceiling / 2 + draw * ceiling / 2


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date, RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
