"""decide() and decide_first_sight(): what a check of a story found, as a closed set of decisions.

Pure functions over value objects (no HTTP, no database, no clock): the pipeline gathers the facts, these
decide, and apply.py turns each decision into store writes, events and metrics. A new kind of outcome is one
more decision class here and one more `case` in apply.py (mypy's assert_never finds the places to extend).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from monitor import compare
from monitor.compare import Comparison
from monitor.config import Site
from monitor.discover import canonicalize_url, story_url
from monitor.gate import Verdict
from monitor.models import (
    Article,
    DecisionKind,
    FetchedPage,
    GoneStage,
    NewVersion,
    StoredVersion,
    StoryStatus,
    TrackedArticle,
    Validators,
)

GONE_ERRORS = frozenset({"http_404", "http_410"})
# Article.problem values of a page that gave no story at all: its text says nothing about the story.
UNUSABLE_PAGES = frozenset({"not_html", "extract_deadline", "extract_crashed"})
GONE_PENDING_REASON = "gone"  # articles.pending_reason while a first 404 waits for confirmation
NO_STORY = "no story found"  # a first sight whose page has neither a title nor a body
# how the summary of a wordless change (compare.wordless: figures, order) on an unsure story ends
UNSURE_NOTE = " (no word written or deleted, on a page the gate is unsure is a story)"


# -- recheck decisions -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unchanged:
    """Nothing new. validators is None when the page was not read (304, same bytes): the stored ones stay."""

    kind: ClassVar[DecisionKind] = DecisionKind.UNCHANGED
    validators: Validators | None = None


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A suspicious version (paywall, wall, truncation): held back until a later fetch confirms it."""

    kind: ClassVar[DecisionKind] = DecisionKind.QUARANTINED
    reason: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class Reverted:
    """The story returned to an earlier stored version (A/B headline tests); reported the first time only."""

    kind: ClassVar[DecisionKind] = DecisionKind.REVERTED
    version_number: int
    title: str | None
    report: bool
    validators: Validators


@dataclass(frozen=True, slots=True)
class Changed:
    """A real edit: a new version to store and alert."""

    kind: ClassVar[DecisionKind] = DecisionKind.CHANGED
    version: NewVersion
    comparison: Comparison
    validators: Validators


@dataclass(frozen=True, slots=True)
class Minor:
    """A minor edit (dates only, punctuation, paragraphs reordered): a new version stored without an alert."""

    kind: ClassVar[DecisionKind] = DecisionKind.MINOR
    version: NewVersion
    comparison: Comparison
    validators: Validators


@dataclass(frozen=True, slots=True)
class Gone:
    """The story answers 404/410 or redirects to the front page."""

    kind: ClassVar[DecisionKind] = DecisionKind.GONE
    stage: GoneStage


@dataclass(frozen=True, slots=True)
class Restored:
    """A removed story answers again (decided before what its content did)."""

    kind: ClassVar[DecisionKind] = DecisionKind.RESTORED


@dataclass(frozen=True, slots=True)
class Moved:
    """The story now redirects to another URL (decided before what its content did)."""

    kind: ClassVar[DecisionKind] = DecisionKind.MOVED
    new_url: str


@dataclass(frozen=True, slots=True)
class Failed:
    """The check failed (fetch error after retries, or a bug while checking): try again later."""

    kind: ClassVar[DecisionKind] = DecisionKind.FAILED
    error: str


Decision = Unchanged | Quarantined | Reverted | Changed | Minor | Gone | Restored | Moved | Failed


@dataclass(frozen=True, slots=True)
class Extracted:
    """A recheck's extracted version with what the store holds about it."""

    version: NewVersion
    current: StoredVersion | None
    earlier_version: int | None  # an older stored version with the same content hash
    earlier_reported: bool  # a return to earlier_version is among the story's recent changes
    unsure_story: bool = False  # the gate took this fetch for a story on weak evidence (Verdict.unsure)


def needs_content(story: TrackedArticle, page: FetchedPage, site: Site) -> bool:
    """Whether decide() needs the page extracted: it answered with bytes other than last time's."""
    if _gone(page, site) or not page.ok:
        return False
    return not _same_bytes(story, page)


def decide(
    story: TrackedArticle, page: FetchedPage, extracted: Extracted | None, site: Site
) -> tuple[Decision, ...]:
    """A recheck's decisions in the order they apply: Restored and Moved first when they happened, then one
    of Unchanged, Quarantined, Reverted, Changed, Minor, Gone or Failed. extracted is needed exactly when
    needs_content() says so."""
    if _gone(page, site):
        return (Gone(_gone_stage(story)),)
    if not page.ok:
        return (Failed(page.error or f"http_{page.status}"),)
    preludes: list[Decision] = []
    if story.status is StoryStatus.REMOVED:
        preludes.append(Restored())
    moved_to = _moved_to(page, story)
    if moved_to is not None:
        preludes.append(Moved(moved_to))
    if _same_bytes(story, page):
        return (*preludes, Unchanged())
    if extracted is None:
        raise ValueError(f"deciding on {story.url} needs its extracted content")
    return (*preludes, _decide_content(story, page, extracted, site))


def _decide_content(story: TrackedArticle, page: FetchedPage, extracted: Extracted, site: Site) -> Decision:
    version, current = extracted.version, extracted.current
    if version.article.problem in UNUSABLE_PAGES:  # not the story's new text: the page gave none
        return Failed(version.article.problem or "")
    validators = Validators(page.etag, page.last_modified, page.body_sha256)
    if current is None or current.content_hash == version.content_hash:
        return Unchanged(validators)
    old_snapshot = compare.snapshot(current.article)
    new_snapshot = compare.snapshot(version.article)
    # Suspicious content (paywall, consent wall, truncation) waits for a second fetch to confirm it.
    reason = compare.suspicion(old_snapshot, new_snapshot)
    if reason is not None and story.pending_hash != version.content_hash:
        return Quarantined(reason, version.content_hash)
    if extracted.earlier_version is not None:
        return Reverted(
            extracted.earlier_version, version.article.title, not extracted.earlier_reported, validators
        )
    comparison = compare.compare(old_snapshot, new_snapshot)
    if not comparison.changed:  # only the headline's echo in the body came or went: not an edit
        return Unchanged(validators)
    if extracted.unsure_story and not comparison.minor and compare.wordless(old_snapshot, new_snapshot):
        comparison = _unsure_figures(comparison)
    if comparison.minor and not site.alert_minor:
        return Minor(version, comparison, validators)
    return Changed(version, comparison, validators)


def _unsure_figures(comparison: Comparison) -> Comparison:
    """A change that wrote no word on a page the gate barely took for a story: a shop's prices, a service
    page's counters, a docs page's version numbers. Stored as a minor version (the history stays exact), not
    alerted: a real story's figures-only edit alerts wherever the page's evidence is clear."""
    return dataclasses.replace(comparison, minor=True, summary=comparison.summary + UNSURE_NOTE)


def _gone(page: FetchedPage, site: Site) -> bool:
    return page.error in GONE_ERRORS or (page.ok and _redirected_home(page, site))


def _gone_stage(story: TrackedArticle) -> GoneStage:
    if story.status is StoryStatus.REMOVED:
        return GoneStage.STILL_REMOVED
    if story.pending_reason != GONE_PENDING_REASON:
        return GoneStage.SUSPECTED
    return GoneStage.CONFIRMED


def _same_bytes(story: TrackedArticle, page: FetchedPage) -> bool:
    """A 304, or the very same bytes as last time: unchanged without parsing."""
    return page.not_modified or page.body_sha256 == story.body_sha256


def _moved_to(page: FetchedPage, story: TrackedArticle) -> str | None:
    """The story's new URL when it now redirects elsewhere (not yet recorded), else None."""
    if page.not_modified or page.final_url == page.url:
        return None
    target = canonicalize_url(page.final_url)
    if target in (story.url, story.canonical_url):
        return None
    return target


def _redirected_home(page: FetchedPage, site: Site) -> bool:
    if page.final_url == page.url:
        return False
    path = urlsplit(page.final_url).path
    return path in ("", "/") or canonicalize_url(page.final_url) in {
        canonicalize_url(u) for u in site.start_urls
    }


# -- first-sight decisions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class New:
    """A story not seen before: its first version to store and report."""

    kind: ClassVar[DecisionKind] = DecisionKind.NEW
    version: NewVersion
    validators: Validators


@dataclass(frozen=True, slots=True)
class Known:
    """The same story is already tracked under another URL (redirect target or rel=canonical)."""

    kind: ClassVar[DecisionKind] = DecisionKind.KNOWN


@dataclass(frozen=True, slots=True)
class Rejected:
    """The article gate says the page is no story (a listing, a shop, a forum, docs): not tracked."""

    kind: ClassVar[DecisionKind] = DecisionKind.REJECTED
    verdict: Verdict


FirstSight = New | Known | Failed | Rejected


def first_sight_usable(page: FetchedPage) -> bool:
    """Whether a first fetch gave a page to extract."""
    return page.ok and not page.not_modified


def decide_first_sight(
    link_url: str,
    page: FetchedPage,
    version: NewVersion | None,
    canonical_tracked: bool,
    verdict: Verdict | None = None,
) -> FirstSight:
    """What the first fetch of a link found: New, Known, Rejected or Failed. version is None when the page
    was not usable; canonical_tracked says whether the story's canonical URL is already tracked; verdict is
    the article gate's (monitor/gate.py), None when the gate was not asked."""
    if version is None or not first_sight_usable(page):
        return Failed(page.error or f"http_{page.status}")
    if not version.article.text.strip() and not version.article.title:
        return Failed(NO_STORY)
    if verdict is not None and not verdict.is_story:
        return Rejected(verdict)
    if version.article.canonical_url != link_url and canonical_tracked:
        return Known()
    return New(version, Validators(page.etag, page.last_modified, page.body_sha256))


# -- versions --------------------------------------------------------------------------------------------


def canonical_of(article: Article, page: FetchedPage, site: Site) -> str:
    """The URL a story is known by: its rel=canonical when on the site, else where the page ended up."""
    return story_url(page.final_url, article.canonical_url, site.allowed_domains)


def new_version(url: str, article: Article, canonical: str) -> NewVersion:
    """The version to store for an extracted article, with its fingerprints."""
    snapshot = compare.snapshot(article)
    stored = dataclasses.replace(article, canonical_url=canonical)
    return NewVersion(
        url=url,
        article=stored,
        content_hash=compare.content_hash(snapshot),
        text_hash=compare.text_hash(snapshot),
    )
