"""UTC timestamps as the ISO-8601 text stored in every table (`2026-11-23T09:40:12Z`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# Several daemons on one PostgreSQL database stamp rows by the server's clock: the heartbeat measures how far
# this machine's clock is off it (monitor/coordination), so a daemon whose clock is wrong changes nothing.
_offset = [timedelta(0)]


def utc_now() -> datetime:
    return datetime.now(UTC) + _offset[0]


def set_offset(seconds: float) -> None:
    """From now on utc_now() is this machine's clock plus `seconds` (the database server's clock)."""
    _offset[0] = timedelta(seconds=seconds)


def to_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_FORMAT)


def now_iso() -> str:
    return to_iso(utc_now())


def from_iso(text: str) -> datetime:
    """The moment of a stored timestamp; ValueError for any other text."""
    if len(text) == 20 and text[10] == "T" and text[19] == "Z":  # ours: fromisoformat is ~8x strptime
        return datetime.fromisoformat(text)
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)


def iso_after(seconds: float, start: datetime | None = None) -> str:
    return to_iso((start or utc_now()) + timedelta(seconds=seconds))
