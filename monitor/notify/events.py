"""What a notification says about a change event (the webhook's JSON body) and which targets want it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from monitor.compare.worddiff import changed_words, count_words, words_of
from monitor.notify.settings import NotifyTarget
from monitor.store.outbox import OutboxEvent

# Event names by change kind: a return to an earlier version is a change like any other for a reader.
EVENT_NAMES = {
    "new": "story.new",
    "changed": "story.changed",
    "reverted": "story.changed",
    "removed": "story.removed",
    "restored": "story.restored",
    "moved": "story.moved",
}


@dataclass(frozen=True, slots=True)
class Notice:
    """A change event ready to send: its stable id, its name and the JSON body."""

    event_id: str
    event: str
    body: dict[str, Any]

    def payload(self) -> str:
        return json.dumps(self.body, ensure_ascii=False, sort_keys=True)


def event_id(event: OutboxEvent) -> str:
    """Stable for one change row, so a receiver can drop a redelivery (at-least-once delivery)."""
    return f"monitor-change-{event.change_id}"


def build_notice(event: OutboxEvent) -> Notice:
    name = EVENT_NAMES.get(event.kind, f"story.{event.kind}")
    counts = count_words(event.previous_body or "", event.body or "") if event.previous_body else None
    body: dict[str, Any] = {
        "event_id": event_id(event),
        "event": name,
        "kind": event.kind,
        "site": event.site,
        "url": event.url,
        "title": event.title,
        "version": event.version,
        "detected_at": event.detected_at,
        "fields": list(event.fields),
        "summary": event.summary or _default_summary(event),
        "diff": event.diff or "",
        "minor": event.minor,
        "words_added": counts.inserted if counts else None,
        "words_removed": counts.deleted if counts else None,
    }
    return Notice(event_id=body["event_id"], event=name, body=body)


def wanted(target: NotifyTarget, event: OutboxEvent) -> bool:
    """Whether `target`'s filters (sites, kinds, minor, min_words, words) let this event through."""
    if target.sites and event.site not in target.sites:
        return False
    if event.kind not in target.kinds:
        return False
    if event.minor and not target.minor:
        return False
    has_diff = event.kind == "changed" and event.previous_body is not None and event.body is not None
    if target.min_words and has_diff:
        if count_words(event.previous_body or "", event.body or "").total < target.min_words:
            return False
    if target.words:
        return _mentions(target.words, event)
    return True


def _mentions(words: tuple[str, ...], event: OutboxEvent) -> bool:
    """Any of `words` in the title, or among the changed words (a new story: anywhere in its text)."""
    wanted_words = {word.lower() for word in words}
    title_words = {word.lower() for word in words_of(event.title or "")}
    if wanted_words & title_words:
        return True
    if event.kind == "new":
        return bool(wanted_words & {word.lower() for word in words_of(event.body or "")})
    if event.previous_body is not None and event.body is not None:
        return bool(wanted_words & changed_words(event.previous_body, event.body))
    return False


def _default_summary(event: OutboxEvent) -> str:
    if event.kind == "new":
        return "new story"
    return event.kind
