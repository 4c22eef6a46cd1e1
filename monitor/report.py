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
from typing import Any

from monitor import metrics
from monitor.clock import now_iso, to_iso

EVENTS = logging.getLogger("monitor.events")
_EVENT_COUNTS: Counter[str] = Counter()

_LABELS = {
    "story.new": "NEW",
    "story.changed": "CHANGED",
    "story.minor": "MINOR",
    "story.reverted": "REVERTED",
    "story.removed": "REMOVED",
    "story.restored": "RESTORED",
    "story.quarantined": "SUSPECT",
    "story.moved": "MOVED",
    "fetch.failed": "FAILED",
    "site.failing": "FAILING",
    "site.recovered": "RECOVERED",
    "config.invalid": "CONFIG",
    "config.reloaded": "CONFIG",
    "daemon.started": "STARTED",
    "daemon.stopped": "STOPPED",
    "pass.done": "PASS",
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
    emit("story.new", site=site, url=url, title=title or "", version=version)


def story_changed(
    site: str, url: str, title: str | None, version: int, fields: Sequence[str], summary: str
) -> None:
    emit(
        "story.changed",
        site=site,
        url=url,
        title=title or "",
        version=version,
        fields=list(fields),
        summary=summary,
    )


def story_removed(site: str, url: str) -> None:
    emit("story.removed", site=site, url=url)


def fetch_failed(site: str | None, url: str, error: str) -> None:
    emit("fetch.failed", logging.WARNING, site=site or "", url=url, error=error)


def format_text(event: str, fields: dict[str, Any]) -> str:
    """The one-line text form of an event."""
    label = _LABELS.get(event, event.upper())
    if event in ("config.reloaded", "config.invalid"):
        return f"{label:<7} " + _config_text(event, fields)
    parts: list[str] = []
    if "site" in fields:
        parts.append(f"{fields['site']}")
    if "title" in fields:
        parts.append(json.dumps(fields["title"], ensure_ascii=False))
    if "url" in fields:
        parts.append(str(fields["url"]))
    tail = {key: value for key, value in fields.items() if key not in ("site", "title", "url", "version")}
    if event in ("story.changed", "story.minor", "story.reverted"):
        parts.append(f"v{fields.get('version')}: {fields.get('summary', '')}")
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
        return ",".join(str(item) for item in value)
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if " " in text else text


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = to_iso(datetime.fromtimestamp(record.created, UTC))
        event = getattr(record, "event", None)
        if event is not None:
            return f"{stamp} " + format_text(event, record.fields)  # type: ignore[attr-defined]
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = getattr(record, "event", None)
        payload: dict[str, Any] = {"ts": now_iso()}
        if event is not None:
            payload["event"] = event
            payload.update(record.fields)  # type: ignore[attr-defined]
        else:
            # Every JSON line has an `event`: a plain log message is `log.<level>` (log.warning ...)
            payload["event"] = f"log.{record.levelname.lower()}"
            payload.update(level=record.levelname.lower(), logger=record.name, message=record.getMessage())
            if record.exc_info:
                payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


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
