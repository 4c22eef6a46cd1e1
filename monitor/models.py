"""The value objects passed between the stages (fetched pages, links, articles, tracked stories, versions)
and the closed sets they use (story status, change kind, check and fetch outcomes) as StrEnums."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from monitor.charset import decode_html

LinkSource = Literal["listing", "feed", "sitemap"]
FetchKind = Literal["page", "feed", "sitemap"]  # what a fetch expects: decides the content types it accepts


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
    charset: str | None = None  # the Content-Type header's; `text` decodes `body` with the detected charset
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # answered 304 to a conditional GET
    error: str | None = None  # short kind when the fetch failed
    error_detail: str = ""
    attempts: tuple[FetchAttempt, ...] = ()
    body_sha256: str = field(init=False, default="")  # of `body`, computed once here for every caller
    _text: str | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "body_sha256", hashlib.sha256(self.body).hexdigest())

    @property
    def text(self) -> str:
        """The body decoded with the detected charset, on first use: a recheck whose bytes are unchanged
        never needs it (two passes over the bytes, ~0.3 ms of a 170 KB page)."""
        if self._text is None:
            object.__setattr__(self, "_text", decode_html(self.body, self.charset))
        return self._text or ""

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
    # Why the page gave no story or a partial one, for the fetch log: "not_html" (JSON served as HTML),
    # "page_cut" (over the size cap even without inline data), "extract_deadline" (issue 16, item 7).
    problem: str | None = None
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


class StoryStatus(StrEnum):
    """`articles.status`: a story answers (active) or was confirmed taken down (removed)."""

    ACTIVE = "active"
    REMOVED = "removed"
    NOT_STORY = "not_story"  # it turned into a hub, a listing or a shop page (the article gate): silent


class ChangeKind(StrEnum):
    """`changes.kind`: one row per event of a story (a minor edit is `changed` with `minor` set)."""

    NEW = "new"
    CHANGED = "changed"
    REVERTED = "reverted"
    MOVED = "moved"
    REMOVED = "removed"
    RESTORED = "restored"
    NOT_STORY = "not_story"


class CheckOutcome(StrEnum):
    """What one check of a story came to, as counted in a pass report."""

    NEW = "new"
    KNOWN = "known"  # a first sight of a story already tracked (under another URL, or another daemon)
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    FAILED = "failed"
    REJECTED = "rejected"  # a first sight the article gate says is not a story


class FetchOutcome(StrEnum):
    """One HTTP attempt as the metrics count it."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    ERROR = "error"

    @classmethod
    def of(cls, attempt: FetchAttempt) -> FetchOutcome:
        if attempt.not_modified:
            return cls.NOT_MODIFIED
        return cls.ERROR if attempt.error else cls.OK


@dataclass(frozen=True, slots=True)
class Validators:
    """What a later fetch of the same URL is compared with: HTTP validators and the body's hash."""

    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class TrackedArticle:
    """A story's tracking state (one `articles` row)."""

    id: int
    site: str
    url: str
    canonical_url: str | None
    first_seen_at: str
    last_changed_at: str | None
    status: StoryStatus
    current_version: int
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    consecutive_failures: int
    pending_hash: str | None
    pending_reason: str | None


@dataclass(frozen=True, slots=True)
class NewVersion:
    """A version to store: the extracted article plus its fingerprints."""

    url: str
    article: Article
    content_hash: str
    text_hash: str


@dataclass(frozen=True, slots=True)
class NewChange:
    """A `changes` row to write with a version or a status change."""

    kind: ChangeKind
    fields: tuple[str, ...] = ()
    summary: str = ""
    diff: str = ""
    minor: bool = False


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """A story's stored current version: its article and content hash."""

    article: Article
    content_hash: str


class DecisionKind(StrEnum):
    """What a check of a story decided (monitor/pipeline/decide.py holds one class per kind)."""

    NEW = "new"
    KNOWN = "known"
    UNCHANGED = "unchanged"
    QUARANTINED = "quarantined"
    REVERTED = "reverted"
    CHANGED = "changed"
    MINOR = "minor"
    GONE = "gone"
    RESTORED = "restored"
    MOVED = "moved"
    FAILED = "failed"
    REJECTED = "rejected"


class GoneStage(StrEnum):
    """How far a story that answers 404/410 (or redirects to the front page) is along to `removed`."""

    SUSPECTED = "suspected"  # the first such answer: a deploy or a CDN hiccup answers like this too
    CONFIRMED = "confirmed"  # the second in a row: the story is removed
    STILL_REMOVED = "still_removed"  # already recorded as removed


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
    headline: bool = False  # an <h1> headline that is not the site's logo
    code_blocks: int = 0  # <pre>: documentation and tutorials
    page_chars: int = 0  # size of the page's markup, for the share of it the story holds
    forms: int = 0  # <form>: search boxes, sign-ups, contact and checkout forms
    form_fields: int = 0  # <input>, <select>, <textarea>: calculators, filters, quantity pickers
    buttons: int = 0  # <button>: add to cart, reply, quote, tabs and toggles
    time_elements: int = 0  # <time>: a story's dateline, or one per post of a thread or card of a listing
    tables: int = 0  # <table>: specifications, price lists, reference pages, old forum layouts
    article_elements: int = 0  # <article>: one for a story, one per card or post on listings and threads
    subheadings: int = 0  # <h2>, <h3>: sections of a guide, cards of a listing
