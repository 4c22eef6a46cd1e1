"""The typed rows the store's read functions hand to the CLI and the web: one frozen dataclass per kind of
row (a table's columns, plus what the query adds), instead of dicts keyed by column name."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Self, TypeVar

from monitor.models import Article

RowT = TypeVar("RowT")


def _from_mapping(cls: type[RowT], mapping: Mapping[Any, Any], **extra: Any) -> RowT:
    """The row of `cls` from a result mapping: its fields picked by name (a column added later is ignored)."""
    names = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{name: value for name, value in {**mapping, **extra}.items() if name in names})


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """An event with its story, for `monitor changes`."""

    detected_at: str
    kind: str
    site: str
    url: str
    version: int | None
    title: str | None
    fields: str | None
    summary: str | None
    minor: bool


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A version whose text matches a search, with a snippet around the match."""

    site: str
    url: str
    version: int
    fetched_at: str
    title: str | None
    snippet: str


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A story (the articles table)."""

    id: int
    site: str
    url: str
    canonical_url: str | None
    first_seen_at: str
    last_checked_at: str | None
    last_changed_at: str | None
    next_check_at: str | None
    status: str
    current_version: int
    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None
    consecutive_failures: int = 0
    pending_hash: str | None = None
    pending_reason: str | None = None

    @classmethod
    def of(cls, mapping: Mapping[Any, Any]) -> Self:
        return _from_mapping(cls, mapping)


@dataclass(frozen=True, slots=True)
class VersionRow:
    """A stored version of a story (the versions table), with the summary of the change that made it."""

    id: int
    article_id: int
    version: int
    fetched_at: str
    url: str
    title: str | None
    byline: str | None
    published_at: str | None
    modified_at: str | None
    body: str
    content_hash: str
    text_hash: str
    canonical_url: str | None = None
    language: str | None = None
    description: str | None = None
    image: str | None = None
    section: str | None = None
    tags: str | None = None
    published_offset: str | None = None
    modified_offset: str | None = None
    summary: str | None = None  # of the new/changed event that stored it
    diff: str | None = None
    minor: bool = False

    @classmethod
    def of(cls, mapping: Mapping[Any, Any], **extra: Any) -> Self:
        return _from_mapping(cls, mapping, **extra)

    def as_article(self) -> Article:
        """The story fields of this version, as compare.snapshot() reads them."""
        return Article(
            title=self.title,
            byline=self.byline,
            published=self.published_at,
            modified=self.modified_at,
            text=self.body,
        )


@dataclass(frozen=True, slots=True)
class ChangeEventRow:
    """One event of a story (the changes table)."""

    id: int
    article_id: int
    kind: str
    version: int | None
    detected_at: str
    fields: str | None
    summary: str | None
    diff: str | None
    minor: bool

    @classmethod
    def of(cls, mapping: Mapping[Any, Any]) -> Self:
        return _from_mapping(cls, mapping)


@dataclass(frozen=True, slots=True)
class SiteStatus:
    """One site's health for `monitor status` and the web's sites page."""

    name: str
    created_at: str
    last_checked_at: str | None
    last_success_at: str | None
    last_error: str | None
    last_error_at: str | None
    consecutive_failures: int
    articles: int
    new_last_24h: int
    stories_per_day: float
    changes: int
    fetch_failures_24h: int
    complete_share: float | None
    stale: bool
    # the schedule, when the config is known (cli/messages.add_schedule)
    next_check_at: str | None = None
    next_recheck_at: str | None = None
    rechecks_scheduled: int = 0

    @classmethod
    def of(cls, mapping: Mapping[Any, Any], **extra: Any) -> Self:
        return _from_mapping(cls, mapping, **extra)


@dataclass(frozen=True, slots=True)
class NextRecheck:
    """A site's earliest next recheck of an active story, and how many of its stories are scheduled."""

    earliest: str | None
    scheduled: int


@dataclass(frozen=True, slots=True)
class TargetSummary:
    """A notification target with its deliveries pending, delivered and failed."""

    name: str
    kind: str
    address: str
    created_at: str
    last_outbox_id: int
    consecutive_failures: int
    next_attempt_at: str | None
    last_success_at: str | None
    last_error: str | None
    last_error_at: str | None
    pending: int
    delivered: int
    failed: int

    @classmethod
    def of(cls, mapping: Mapping[Any, Any], **extra: Any) -> Self:
        return _from_mapping(cls, mapping, **extra)


class FeedStamp(NamedTuple):
    """What a feed lists, in brief: enough for its ETag and Last-Modified."""

    newest_id: int
    newest_at: str | None
    listed: int
