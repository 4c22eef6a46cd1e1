"""The article gate: is an extracted page a story (and of which kind), from the evidence it carries.

Pure functions over an Article and its PageSignals; the pipeline records the verdict (store/links.py). No
single rule decides: story evidence (structured data, og:type, dates, byline, dated or descriptive URL, prose)
is weighed against listing evidence (non-story structured types, prices and carts, posts and replies, teaser
cards, pagination, too little prose). The weights are class-level judgements measured by
benchmarks/bench_gate.py, never tuned to one page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.models import Article, PageSignals

# schema.org's Article family (https://schema.org/Article, "More specific Types"), plus the story kinds.
ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "AnalysisNewsArticle", "AskPublicNewsArticle", "BackgroundNewsArticle",
        "OpinionNewsArticle", "ReportageNewsArticle", "ReviewNewsArticle", "BlogPosting", "LiveBlogPosting",
        "SatiricalArticle", "ScholarlyArticle", "Report", "AdvertiserContentArticle", "PodcastEpisode",
        "ImageGallery",
    }
)  # fmt: skip
NON_STORY_TYPES = {
    "listing": frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"}),
    "product": frozenset({"Product", "ProductGroup", "Offer", "AggregateOffer", "IndividualProduct"}),
    "forum": frozenset({"DiscussionForumPosting", "QAPage"}),
    "service": frozenset(
        {"Service", "Course", "LocalBusiness", "JobPosting", "Event", "SoftwareApplication"}
    ),
}
KIND_TYPES = (  # first match wins: a live blog is also an Article
    ("liveblog", frozenset({"LiveBlogPosting"})),
    ("podcast", frozenset({"PodcastEpisode"})),
    ("gallery", frozenset({"ImageGallery"})),
)
STORY_KINDS = ("article", "liveblog", "video", "gallery", "podcast")
STORY_THRESHOLD = 3  # evidence points a page needs to be a story
PROSE_PARAGRAPHS = 3
LONG_PROSE_PARAGRAPHS = 8
TEASER_CARDS = 10
MIN_WORDS_WITHOUT_PROSE = 150
DESCRIPTIVE_SLUG_WORDS = 4
_DATE_IN_URL = re.compile(
    r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-](0?[1-9]|[12]\d|3[01]))?(/|$|-)|/(19|20)\d{6}/|"
    r"(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
)
_SLUG_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gate's decision on one page: story or not, its kind, and every reason that weighed in."""

    is_story: bool
    kind: str  # a story kind (STORY_KINDS), or what the page is: listing, product, forum, service, page
    score: int
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return "story" if self.is_story else "not_story"


def judge(
    article: Article,
    url: str,
    *,
    forced_story: bool = False,
    forced_not_story: bool = False,
    kinds: Sequence[str] = STORY_KINDS,
) -> Verdict:
    """Weigh the page's evidence; a site's own patterns (include / not_stories) decide first."""
    signals = article.signals or PageSignals()
    kind = story_kind(signals)
    if forced_not_story:
        return Verdict(False, "page", 0, ("config: not_stories pattern",))
    if forced_story:
        return Verdict(True, kind, 0, ("config: include pattern",))
    points: list[tuple[int, str]] = [
        *_story_evidence(article, signals, url),
        *_listing_evidence(article, signals),
    ]
    score = sum(weight for weight, _ in points)
    reasons = tuple(f"{weight:+d} {reason}" for weight, reason in points)
    if score < STORY_THRESHOLD:
        return Verdict(False, _non_story_kind(signals), score, reasons)
    if kind not in kinds:
        return Verdict(False, kind, score, (*reasons, f"kind {kind} is not in the site's kinds"))
    return Verdict(True, kind, score, reasons)


def story_kind(signals: PageSignals) -> str:
    """article, liveblog, video, gallery or podcast, from structured data and og:type."""
    types = set(signals.structured_types)
    for kind, kind_types in KIND_TYPES:
        if types & kind_types:
            return kind
    og_type = signals.og_type or ""
    if og_type.startswith("video") or ("VideoObject" in types and not types & ARTICLE_TYPES):
        return "video"
    return "article"


def _story_evidence(article: Article, signals: PageSignals, url: str) -> list[tuple[int, str]]:
    types = set(signals.structured_types)
    found: list[tuple[int, str]] = []
    article_types = sorted(types & ARTICLE_TYPES)
    if article_types:
        found.append((3, f"structured data: {', '.join(article_types)}"))
    if signals.og_type == "article":
        found.append((2, "og:type article"))
    if signals.article_meta:
        found.append((1, "article:published_time/author meta"))
    if article.published:
        found.append((2, "a publication date"))
    if article.byline:
        found.append((1, "a byline"))
    path = urlsplit(url).path
    if _DATE_IN_URL.search(path + "/"):
        found.append((2, "a date in the URL"))
    if _slug_words(path) >= DESCRIPTIVE_SLUG_WORDS:
        found.append((1, "a descriptive slug"))
    if signals.prose_paragraphs >= PROSE_PARAGRAPHS:
        found.append((1, f"{signals.prose_paragraphs} paragraphs of prose"))
    if signals.prose_paragraphs >= LONG_PROSE_PARAGRAPHS:
        found.append((1, "long prose"))
    return found


def _listing_evidence(article: Article, signals: PageSignals) -> list[tuple[int, str]]:
    types = set(signals.structured_types)
    found: list[tuple[int, str]] = []
    if not types & ARTICLE_TYPES:
        for kind, kind_types in NON_STORY_TYPES.items():
            matched = sorted(types & kind_types)
            if matched:
                found.append((-4, f"structured data of a {kind}: {', '.join(matched)}"))
                break
    if signals.commerce_marks >= 2:
        found.append((-2, f"{signals.commerce_marks} prices or cart controls"))
    if signals.forum_posts >= 3:
        found.append((-3, f"{signals.forum_posts} posts or replies"))
    if signals.linked_headings >= TEASER_CARDS and signals.linked_headings > signals.prose_paragraphs:
        found.append((-2, f"{signals.linked_headings} teaser headlines"))
    if signals.pagination:
        found.append((-1, "pagination"))
    if signals.prose_paragraphs < 2 and len(article.text.split()) < MIN_WORDS_WITHOUT_PROSE:
        found.append((-2, "almost no prose"))
    if signals.og_type in ("product", "profile", "book", "music.song", "music.album"):
        found.append((-2, f"og:type {signals.og_type}"))
    return found


def _non_story_kind(signals: PageSignals) -> str:
    types = set(signals.structured_types)
    for kind, kind_types in NON_STORY_TYPES.items():
        if types & kind_types:
            return kind
    if signals.commerce_marks >= 2:
        return "product"
    if signals.forum_posts >= 3:
        return "forum"
    if signals.linked_headings >= TEASER_CARDS or signals.pagination:
        return "listing"
    return "page"


def _slug_words(path: str) -> int:
    segments = [segment for segment in path.split("/") if segment]
    if not segments:
        return 0
    words = (re.split(r"[-_+]", re.sub(r"\.(html?|php|aspx?)$", "", segment)) for segment in segments)
    return max(len([word for word in parts if _SLUG_WORD.search(word)]) for parts in words)
