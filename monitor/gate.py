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
PROSE_MIN_WORDS = 20
PROSE_PARAGRAPHS = 3
LONG_PROSE_PARAGRAPHS = 8
TEASER_CARDS = 10
MIN_WORDS_WITHOUT_PROSE = 150
DESCRIPTIVE_SLUG_WORDS = 4
_DATE_IN_URL = re.compile(
    r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-](0?[1-9]|[12]\d|3[01]))?(/|$|-)|/(19|20)\d{6}/|"
    r"(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
)
_SLUG_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of a slug: letters only, two or more


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
    prose = prose_paragraphs(article)
    points: list[tuple[int, str]] = [
        *_story_evidence(article, signals, url, prose),
        *_listing_evidence(article, signals, prose),
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


def prose_paragraphs(article: Article) -> int:
    """Paragraphs of running text in the extracted story (enough words to be prose, not a caption)."""
    # a space count is a word count to within one, at a fraction of split()'s cost
    return sum(1 for paragraph in article.text.split("\n\n") if paragraph.count(" ") >= PROSE_MIN_WORDS - 1)


def _story_evidence(article: Article, signals: PageSignals, url: str, prose: int) -> list[tuple[int, str]]:
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
    if prose >= PROSE_PARAGRAPHS:
        found.append((1, f"{prose} paragraphs of prose"))
    if prose >= LONG_PROSE_PARAGRAPHS:
        found.append((1, "long prose"))
    return found


def _listing_evidence(article: Article, signals: PageSignals, prose: int) -> list[tuple[int, str]]:
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
    if signals.linked_headings >= TEASER_CARDS and signals.linked_headings > prose:
        found.append((-2, f"{signals.linked_headings} teaser headlines"))
    if signals.pagination:
        found.append((-1, "pagination"))
    if prose < 2 and article.text.count(" ") + 1 < MIN_WORDS_WITHOUT_PROSE:
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
    """Words of the wordiest path segment (`/news/senate-passes-the-budget/123` -> 4)."""
    return max((len(_SLUG_WORD.findall(segment)) for segment in path.split("/")), default=0)
