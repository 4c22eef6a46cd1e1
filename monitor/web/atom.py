"""Atom feeds of change events: one entry per event with the story's title and URL, a one-line summary
and the word-level diff as HTML; stable entry ids and UTC times."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from sqlalchemy import Engine

from monitor.clock import from_iso
from monitor.compare.worddiff import CONTEXT_PARAGRAPHS, body_html, inline_html
from monitor.store.pages import ChangeFilter, ChangeItem, list_changes

# XML 1.0 forbids these characters even escaped; titles and bodies come from untrusted pages.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
KIND_LABELS = {
    "new": "New",
    "changed": "Changed",
    "reverted": "Reverted",
    "removed": "Removed",
    "restored": "Restored",
    "moved": "Moved",
}


def entry_id(item: ChangeItem) -> str:
    """A URN that stays the same for one change event in every rendering of every feed."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"monitor-change:{item.id}:{item.url}").urn


def one_line(item: ChangeItem) -> str:
    """What changed, in one line: `v3: title, body +1 -0 ~2 paragraphs`, `new story`, `removed`."""
    if item.kind == "new":
        return "new story"
    if item.kind == "changed" and item.summary:
        return f"v{item.version}: {item.summary}"
    return f"{item.kind}" + (f": {item.summary}" if item.summary else "")


def diff_html(item: ChangeItem) -> str:
    """The change as HTML: changed headline and byline marked word by word, then the edited paragraphs."""
    parts = []
    if item.kind == "changed" and item.previous_body is not None:
        if (item.previous_title or "") != (item.title or ""):
            parts.append(f"<p><strong>Headline:</strong> {inline_html(item.previous_title, item.title)}</p>")
        if (item.previous_byline or "") != (item.byline or ""):
            parts.append(f"<p><strong>Byline:</strong> {inline_html(item.previous_byline, item.byline)}</p>")
        if item.previous_body != item.body:
            parts.append(body_html(item.previous_body, item.body or "", context=CONTEXT_PARAGRAPHS))
    elif item.kind == "new" and item.body:
        parts.append(body_html(None, item.body))
    else:
        parts.append(f"<p>{_escape(one_line(item))}</p>")
    return "\n".join(parts)


def render_feed(items: list[ChangeItem], *, feed_id: str, title: str, self_url: str | None) -> bytes:
    """An Atom document of `items` (newest first)."""
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(_clean(title))
    feed.author({"name": "monitor"})
    feed.generator("monitor")
    if self_url:
        feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.updated(max((from_iso(item.detected_at) for item in items), default=EMPTY_FEED_UPDATED))
    for item in items:
        entry = feed.add_entry(order="append")
        entry.id(entry_id(item))
        label = KIND_LABELS.get(item.kind, item.kind)
        entry.title(_clean(f"{label}: {item.title or item.url}"))
        entry.link(href=_clean(item.url), rel="alternate")
        entry.updated(from_iso(item.detected_at))
        entry.summary(_clean(one_line(item)))
        entry.content(_clean(diff_html(item)), type="html")
        entry.category(term=item.site, label=item.site)
    return bytes(feed.atom_str(pretty=True))


def changes_feed(
    engine: Engine, *, since: str, site_names: tuple[str, ...], include_minor: bool, limit: int = 500
) -> bytes:
    """`monitor changes --format atom`: the newest changes since a time as one Atom document."""
    where = ChangeFilter(site_names=site_names, since=since, include_minor=include_minor)
    items = list_changes(engine, where, limit=limit, texts=True)
    title = "monitor: changes" + (f" on {', '.join(site_names)}" if site_names else "")
    feed_id = "urn:monitor:feed:" + ("sites:" + ",".join(site_names) if site_names else "changes")
    return render_feed(items, feed_id=feed_id, title=title, self_url=None)


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
