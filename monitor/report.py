"""User-facing log events (`story.new`, `story.changed`, `story.removed`, `fetch.failed`...), text or JSON.

Every event goes through `emit()`: one line per event on the `monitor.events` logger. The text form is the
SPEC's (`NEW     example-news  "Title"  https://...`); `--log-format json` prints one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from monitor import metrics
from monitor.clock import now_iso

EVENTS = logging.getLogger("monitor.events")

_LABELS = {
    "story.new": "NEW",
    "story.changed": "CHANGED",
    "story.minor": "MINOR",
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
    EVENTS.log(level, "%s", event, extra={"event": event, "fields": fields})


def story_new(site: str, url: str, title: str | None, version: int = 1) -> None:
    emit("story.new", site=site, url=url, title=title or "", version=version)


def story_changed(
    site: str,
    url: str,
    title: str | None,
    version: int,
    fields: Sequence[str],
    summary: str,
    *,
    event: str = "story.changed",
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
    emit("story.removed", site=site, url=url)


def fetch_failed(site: str | None, url: str, error: str) -> None:
    emit("fetch.failed", logging.WARNING, site=site or "", url=url, error=error)


def format_text(event: str, fields: dict[str, Any]) -> str:
    """The one-line text form of an event."""
    label = _LABELS.get(event, event.upper())
    parts: list[str] = []
    if "site" in fields:
        parts.append(f"{fields['site']}")
    if "title" in fields:
        parts.append(json.dumps(fields["title"], ensure_ascii=False))
    if "url" in fields:
        parts.append(str(fields["url"]))
    tail = {key: value for key, value in fields.items() if key not in ("site", "title", "url", "version")}
    if event in ("story.changed", "story.minor"):
        parts.append(f"v{fields.get('version')}: {fields.get('summary', '')}")
    elif tail:
        parts.append(" ".join(f"{key}={_text_value(value)}" for key, value in tail.items()))
    # The SPEC's layout: the label padded to 7 characters, one space, then two-space separated fields.
    return f"{label:<7} " + "  ".join(parts)


def _text_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if " " in text else text


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = getattr(record, "event", None)
        if event is not None:
            return format_text(event, record.fields)  # type: ignore[attr-defined]
        line = f"{record.levelname:<7} {record.name}: {record.getMessage()}"
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
