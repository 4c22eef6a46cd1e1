"""UTC timestamps as the ISO-8601 text stored in every table (`2026-11-23T09:40:12Z`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_FORMAT)


def now_iso() -> str:
    return to_iso(utc_now())


def from_iso(text: str) -> datetime:
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)


def iso_after(seconds: float, start: datetime | None = None) -> str:
    return to_iso((start or utc_now()) + timedelta(seconds=seconds))


def now_iso_ms() -> str:
    """Now with milliseconds (`2026-11-23T09:40:12.345Z`), the format of `fetches.started_at`."""
    return utc_now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
