"""The one timestamp format of the database: a page's published/modified dates stored as UTC text."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.clock import to_iso

_DATE_ONLY_LENGTH = 10


def utc_timestamp(value: str | None) -> tuple[str | None, str | None]:
    """(`2025-10-15T16:00:00Z`, `-05:00`) for `2025-10-15T11:00:00-05:00`: UTC text and the source's offset.

    A date without a time stays a date (`2025-10-15`: inventing midnight would be false precision); a time
    without an offset, or text that is not ISO-8601, is kept as the page gave it, with no offset.
    """
    if not value:
        return value, None
    text = value.strip()
    if len(text) == _DATE_ONLY_LENGTH:
        return text, None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return value, None
    offset = moment.utcoffset()
    if offset is None:
        return value, None
    return to_iso(moment.astimezone(UTC)), _format_offset(offset.total_seconds())


def _format_offset(seconds: float) -> str:
    sign = "-" if seconds < 0 else "+"
    minutes = int(abs(seconds)) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
