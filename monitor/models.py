"""The value objects passed between the stages: fetched pages, discovered links, extracted articles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LinkSource = Literal["listing", "feed", "sitemap"]


@dataclass(frozen=True, slots=True)
class FetchAttempt:
    """One HTTP attempt, as recorded in the `fetches` table."""

    url: str
    started_at: str  # UTC ISO-8601
    status: int | None
    error: str | None  # short kind: "timeout", "connect", "too_large", "content_type", "robots", ...
    elapsed_ms: int
    bytes: int
    not_modified: bool = False


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """The outcome of fetching one URL (after retries and redirects)."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int | None
    body: bytes = b""  # decompressed and size-capped
    text: str = ""  # decoded with the detected charset
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # answered 304 to a conditional GET
    error: str | None = None  # short kind when the fetch failed
    error_detail: str = ""
    attempts: tuple[FetchAttempt, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None and (
            self.not_modified or (self.status is not None and 200 <= self.status < 300)
        )


@dataclass(frozen=True, slots=True)
class ArticleLink:
    """A story URL found on a listing page, in a feed or in a sitemap."""

    url: str
    source: LinkSource
    title: str | None = None
    published: str | None = None  # ISO-8601 when the source gives it (feeds, news sitemaps)


@dataclass(frozen=True, slots=True)
class Article:
    """What extraction yields for one page. `text` is the story body: paragraphs separated by a blank line."""

    title: str | None = None
    byline: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO-8601, with timezone when the page gives one
    modified: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    description: str | None = None
    image: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    text: str = ""
    signals: PageSignals | None = None  # what the article gate weighs (monitor/gate.py); None: not collected

    @property
    def paragraphs(self) -> list[str]:
        return [paragraph for paragraph in self.text.split("\n\n") if paragraph.strip()]


@dataclass(frozen=True, slots=True)
class Selectors:
    """Per-site CSS selector overrides for extraction (the users' escape hatch)."""

    body: str | None = None
    title: str | None = None
    remove: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class PageSignals:
    """Evidence about what kind of page this is, read once from the parsed tree for the article gate."""

    structured_types: tuple[str, ...] = ()  # JSON-LD @type and microdata itemtype names, sorted
    og_type: str | None = None
    article_meta: bool = False  # article:published_time / article:author meta tags
    linked_headings: int = 0  # h1-h4 holding a link: teaser cards of a listing
    pagination: bool = False
    commerce_marks: int = 0  # prices, add-to-cart buttons and forms
    forum_posts: int = 0  # posts and replies of a thread
