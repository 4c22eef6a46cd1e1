"""What the story page shows: each version with what changed since the one before it, diffed word by word."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from monitor.compare.worddiff import body_html, count_words, inline_html
from monitor.store.rows import ChangeEventRow, VersionRow

# Versions whose diff is drawn on one page (newest first); older ones are listed without a diff, so a
# story edited a thousand times still renders fast.
MAX_DIFFED_VERSIONS = 30


@dataclass(frozen=True, slots=True)
class VersionView:
    version: int
    fetched_at: str
    title: str | None
    byline: str | None
    published_at: str | None
    modified_at: str | None
    summary: str | None
    title_diff: Markup | None  # set when the headline changed
    byline_diff: Markup | None  # set when the byline changed
    body: Markup | None  # the body with this version's changes marked (None past MAX_DIFFED_VERSIONS)
    words_added: int
    words_removed: int


def version_views(versions: list[VersionRow], changes: list[ChangeEventRow]) -> list[VersionView]:
    """Views of a story's versions, newest first; each diffed against the version before it."""
    summaries = {row.version: row.summary for row in changes if row.kind == "changed"}
    views = []
    newest_first = list(reversed(versions))
    for index, row in enumerate(newest_first):
        previous = newest_first[index + 1] if index + 1 < len(newest_first) else None
        diffed = index < MAX_DIFFED_VERSIONS
        title_diff = byline_diff = None
        added = removed = 0
        if previous is not None and diffed:
            if (previous.title or "") != (row.title or ""):
                title_diff = Markup(inline_html(previous.title, row.title))
            if (previous.byline or "") != (row.byline or ""):
                byline_diff = Markup(inline_html(previous.byline, row.byline))
            counts = count_words(previous.body, row.body)
            added, removed = counts.inserted, counts.deleted
        body = None
        if diffed:
            body = Markup(body_html(previous.body if previous else None, row.body))
        views.append(
            VersionView(
                version=row.version,
                fetched_at=row.fetched_at,
                title=row.title,
                byline=row.byline,
                published_at=row.published_at,
                modified_at=row.modified_at,
                summary=summaries.get(row.version),
                title_diff=title_diff,
                byline_diff=byline_diff,
                body=body,
                words_added=added,
                words_removed=removed,
            )
        )
    return views
