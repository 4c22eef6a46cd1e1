"""User-facing log events (`story.new`, `story.changed`, `story.removed`, `fetch.failed`...), text or JSON.

Every event goes through `emit()`: one line per event on the `monitor.events` logger. The text form is the
SPEC's (`NEW     example-news  "Title"  https://...`); `--log-format json` prints one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from monitor import metrics
from monitor.clock import now_iso, to_iso
from monitor.terminal import MAX_EXCEPTION_CHARS, MAX_FIELD_CHARS, capped, safe_json, safe_line, safe_text

EVENTS = logging.getLogger("monitor.events")
MAX_MESSAGE_CHARS = 4 * MAX_FIELD_CHARS  # a plain log message holds a few fields
_EVENT_COUNTS: Counter[str] = Counter()


class Event(StrEnum):
    """Every user-facing event the monitor emits (the README's log events table)."""

    STORY_NEW = "story.new"
    STORY_CHANGED = "story.changed"
    STORY_MINOR = "story.minor"
    STORY_REMOVED = "story.removed"
    STORY_RESTORED = "story.restored"
    STORY_QUARANTINED = "story.quarantined"
    STORY_MOVED = "story.moved"
    FETCH_FAILED = "fetch.failed"
    SITE_FAILING = "site.failing"
    SITE_RECOVERED = "site.recovered"
    CONFIG_INVALID = "config.invalid"
    CONFIG_RELOADED = "config.reloaded"
    DAEMON_STARTED = "daemon.started"
    DAEMON_STOPPED = "daemon.stopped"
    PASS_DONE = "pass.done"
    PAGE_PROBLEM = "page.problem"


_LABELS: dict[str, str] = {
    Event.STORY_NEW: "NEW",
    Event.STORY_CHANGED: "CHANGED",
    Event.STORY_MINOR: "MINOR",
    Event.STORY_REMOVED: "REMOVED",
    Event.STORY_RESTORED: "RESTORED",
    Event.STORY_QUARANTINED: "SUSPECT",
    Event.STORY_MOVED: "MOVED",
    Event.FETCH_FAILED: "FAILED",
    Event.SITE_FAILING: "FAILING",
    Event.SITE_RECOVERED: "RECOVERED",
    Event.CONFIG_INVALID: "CONFIG",
    Event.CONFIG_RELOADED: "CONFIG",
    Event.DAEMON_STARTED: "STARTED",
    Event.DAEMON_STOPPED: "STOPPED",
    Event.PASS_DONE: "PASS",
    Event.PAGE_PROBLEM: "PROBLEM",
}


def emit(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one user-facing event with its fields (and count it for --metrics-port)."""
    metrics.count_event(event, fields.get("site"))
    _EVENT_COUNTS[event] += 1
    EVENTS.log(level, "%s", event, extra={"event": event, "fields": fields})


def event_count(event: str) -> int:
    """How many `event`s this process has emitted (e.g. the fetch.failed of one `monitor once` pass)."""
    return _EVENT_COUNTS[event]


def story_new(site: str, url: str, title: str | None, version: int = 1) -> None:
    emit(Event.STORY_NEW, site=site, url=url, title=title or "", version=version)


def story_changed(
    site: str,
    url: str,
    title: str | None,
    version: int,
    fields: Sequence[str],
    summary: str,
    *,
    event: str = Event.STORY_CHANGED,
) -> None:
    """A new version (or a return to an earlier one); event "story.minor" for a minor one not alerted."""
    emit(
        event,
        site=site,
        url=url,
        title=title or "",
        version=version,
        fields=list(fields),
        summary=summary,
    )


def story_removed(site: str, url: str) -> None:
    emit(Event.STORY_REMOVED, site=site, url=url)


def fetch_failed(site: str | None, url: str, error: str) -> None:
    emit(Event.FETCH_FAILED, logging.WARNING, site=site or "", url=url, error=error)


def format_text(event: str, fields: dict[str, Any]) -> str:
    """The one-line text form of an event; every field escaped for the terminal and capped."""
    label = _LABELS.get(event, event.upper())
    if event in ("config.reloaded", "config.invalid"):
        return f"{label:<7} " + _config_text(event, fields)
    parts: list[str] = []
    if "site" in fields:
        parts.append(safe_line(f"{fields['site']}"))
    if "title" in fields:
        parts.append(safe_json(json.dumps(capped(str(fields["title"])), ensure_ascii=False)))
    if "url" in fields:
        parts.append(safe_line(str(fields["url"])))
    tail = {key: value for key, value in fields.items() if key not in ("site", "title", "url", "version")}
    if event in (Event.STORY_CHANGED, Event.STORY_MINOR):
        parts.append(f"v{fields.get('version')}: {safe_line(str(fields.get('summary', '')))}")
    elif tail:
        parts.append(" ".join(f"{key}={_text_value(value)}" for key, value in tail.items()))
    # The SPEC's layout: the label padded to 7 characters, one space, then two-space separated fields.
    return f"{label:<7} " + "  ".join(parts)


def _config_text(event: str, fields: dict[str, Any]) -> str:
    """A reload in words: which sites were added, removed and changed, or what is wrong with the edit."""
    if event == "config.invalid":
        errors = "; ".join(str(error) for error in fields.get("errors", ()))
        return f"{fields.get('path')} is invalid, the last good config keeps running: {errors}"
    parts = [
        f"{label} {', '.join(fields[key])}"
        for key, label in (("added", "added"), ("removed", "removed"), ("changed", "changed"))
        if fields.get(key)
    ]
    return f"{fields.get('path')} reloaded: " + ("; ".join(parts) if parts else "no site changed")


def _text_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return safe_line(",".join(str(item) for item in value))
    text = str(value)
    return safe_json(json.dumps(capped(text), ensure_ascii=False)) if " " in text else safe_line(text)


def _capped_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: _capped_value(value) for key, value in fields.items()}


def _capped_value(value: Any) -> Any:
    if isinstance(value, str):
        return capped(value)
    if isinstance(value, list | tuple):
        return [_capped_value(item) for item in value]
    return value


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = to_iso(datetime.fromtimestamp(record.created, UTC))
        event = getattr(record, "event", None)
        if event is not None:
            return f"{stamp} " + format_text(event, record.fields)  # type: ignore[attr-defined]
        message = safe_line(record.getMessage(), MAX_MESSAGE_CHARS)
        line = f"{stamp} {record.levelname:<7} {record.name}: {message}"
        if record.exc_info:
            line += "\n" + capped(safe_text(self.formatException(record.exc_info)), MAX_EXCEPTION_CHARS)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = getattr(record, "event", None)
        payload: dict[str, Any] = {"ts": now_iso()}
        if event is not None:
            payload["event"] = event
            payload.update(_capped_fields(record.fields))  # type: ignore[attr-defined]
        else:
            # Every JSON line has an `event`: a plain log message is `log.<level>` (log.warning ...)
            payload["event"] = f"log.{record.levelname.lower()}"
            message = capped(record.getMessage(), MAX_MESSAGE_CHARS)
            payload.update(level=record.levelname.lower(), logger=record.name, message=message)
            if record.exc_info:
                payload["exception"] = capped(self.formatException(record.exc_info), MAX_EXCEPTION_CHARS)
        # json.dumps escapes C0 itself; DEL, C1 and bidi controls it leaves raw (issue 16)
        return safe_json(json.dumps(payload, ensure_ascii=False, default=str))


def configure_logging(log_format: str = "text", level: str = "INFO") -> None:
    """Send every log line to stderr in the chosen format (idempotent: replaces earlier handlers)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Events are the product's output: keep them visible even at --log-level warning.
    EVENTS.setLevel(logging.INFO)
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
