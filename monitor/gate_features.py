"""The article gate's evidence as numbers: one named feature per class of evidence, from an Article, its
PageSignals and its URL (pure Python, no dependency). The weights are learned offline from labelled pages by
benchmarks/train_gate.py and shipped in monitor/gate_weights.json; monitor/gate.py weighs them.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple
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
PLAIN_PAGE_TYPES = frozenset({"WebPage", "AboutPage", "FAQPage", "ContactPage"})
PROSE_MIN_WORDS = 20
_DATE_IN_URL = re.compile(
    r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-](0?[1-9]|[12]\d|3[01]))?(/|$|-)|/(19|20)\d{6}/|"
    r"(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
)
_SLUG_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of a slug or title: letters only, two or more
_NUMBER_ID = re.compile(r"\d{5,}")
# currency signs stand for prices: counted with str.count in the first PRICE_SAMPLE characters of the text
# (a regex for "a sign by a figure" costs ~0.15 ms a page, a third of the gate; five counts over a long
# story's whole text ~0.05 ms)
CURRENCY_SIGNS = ("$", "€", "£", "¥", "₹")
PRICE_SAMPLE = 4000
# The voice of the text: a service page speaks as "we" to "you", a guide to "you", a report quotes people.
# Counted as whole words with str.count on the lowered start of the text (VOICE_SAMPLE characters: the voice
# shows early): a regex with word boundaries over the whole text costs ~1 ms a page.
VOICE_SAMPLE = 1500
_VOICE = {
    "we_words": (" we ", " our ", " us "),
    "you_words": (" you ", " your "),
    "reported_speech": (" said ", " says ", " told "),
    "thread_words": (" reply ", " replies ", " quote ", " posted ", " joined ", " posts ", " thread "),
    "call_to_action": (
        " contact us", " get started", " sign up", " free trial", " request a ", " book a ", " call us",
        " learn more", " get a quote", " add to cart", " buy now", " shop now",
    ),
}  # fmt: skip

# feature name -> the reason `monitor check` prints when it weighed in
REASONS = {
    "structured_article": "structured data of the Article family",
    "structured_listing": "structured data of a listing",
    "structured_product": "structured data of a product",
    "structured_forum": "structured data of a forum thread",
    "structured_service": "structured data of a service, course, business or event",
    "structured_plain_page": "structured data of a plain WebPage",
    "structured_breadcrumb": "a breadcrumb trail in structured data",
    "structured_video": "a VideoObject",
    "og_article": "og:type article",
    "og_website": "og:type website",
    "og_other": "og:type of another kind",
    "article_meta": "article:published_time/author meta",
    "published": "a publication date",
    "modified": "a modification date",
    "byline": "a byline",
    "section": "a section",
    "tags": "tags",
    "description": "a description",
    "image": "a lead image",
    "headline": "an <h1> headline",
    "title_words": "words in the title",
    "url_date": "a date in the URL",
    "slug_words": "words in the URL slug",
    "slug_matches_title": "the URL slug spells the title",
    "url_depth": "URL depth",
    "url_number_id": "a long number in the URL",
    "url_root": "a site's root URL",
    "url_query": "a query string",
    "story_path": "a news or blog section in the URL",
    "docs_path": "a documentation or help section in the URL",
    "shop_path": "a shop or product section in the URL",
    "service_path": "a services or programs section in the URL",
    "forum_path": "a forum or discussion section in the URL",
    "prose_paragraphs": "paragraphs of prose",
    "words": "words of text",
    "prose_share": "the share of paragraphs that are prose",
    "paragraph_words": "words per paragraph",
    "we_words": "a page speaking as we/our",
    "you_words": "a page speaking to you",
    "reported_speech": "reported speech (said, says, told)",
    "thread_words": "the words of a thread (reply, quote, posted, joined)",
    "call_to_action": "calls to action (contact us, get started, sign up, add to cart)",
    "title_listing": "a title naming a list (best, top, list of, category, archive)",
    "title_service": "a title naming a service or offer (services, solutions, pricing, agency)",
    "title_docs": "a title naming documentation (docs, guide, tutorial, reference, overview)",
    "title_forum": "a title naming a discussion (forum, thread, question, community)",
    "text_share": "the share of the page the story holds",
    "linked_headings": "teaser headlines",
    "pagination": "pagination",
    "commerce_marks": "prices or offers",
    "forum_posts": "posts or replies",
    "code_blocks": "code blocks",
    "forms": "forms",
    "form_fields": "form fields (inputs, selects, text areas)",
    "buttons": "buttons",
    "time_elements": "<time> elements",
    "tables": "tables",
    "article_elements": "<article> elements",
    "subheadings": "subheadings (h2, h3)",
    "subheadings_per_words": "subheadings per hundred words of the story",
    "prices_in_text": "prices (currency signs) in the text",
}

# Title words that name a class of page across sites (whole words of the lowered title)
TITLE_CLASSES = {
    "title_listing": frozenset({
        "best", "top", "list", "category", "categories", "archive", "archives", "collection", "collections",
        "directory", "rankings", "page", "latest", "all", "browse",
    }),
    "title_service": frozenset({
        "services", "service", "solutions", "solution", "pricing", "plans", "agency", "company", "consulting",
        "hire", "near", "quote", "free", "software", "platform", "tools", "experts", "professional", "shop",
        "buy", "sale",
    }),
    "title_docs": frozenset({
        "docs", "documentation", "guide", "tutorial", "reference", "manual", "overview", "introduction",
        "api", "getting", "install", "installation", "configuration", "syntax", "function", "chapter",
    }),
    "title_forum": frozenset({
        "forum", "forums", "thread", "discussion", "question", "questions", "community", "help", "anyone",
        "reply", "replies", "solved",
    }),
}  # fmt: skip

# Path words that name a class of page across sites (a segment of its own: `/docs/`, `/products/`).
PATH_CLASSES = {
    "story_path": frozenset({
        "news", "article", "articles", "story", "stories", "blog", "blogs", "post", "posts", "opinion",
        "features", "feature", "politics", "world", "sport", "sports", "business", "entertainment", "local",
        "press", "magazine",
    }),
    "docs_path": frozenset({
        "docs", "doc", "documentation", "guide", "guides", "learn", "help", "support", "manual", "reference",
        "tutorial", "tutorials", "kb", "wiki", "api", "faq",
    }),
    "shop_path": frozenset({
        "product", "products", "shop", "store", "p", "dp", "item", "items", "buy", "pricing", "plans",
        "collections", "collection", "catalog", "category", "categories",
    }),
    "service_path": frozenset({
        "services", "service", "solutions", "solution", "what-we-do", "industries", "capabilities",
        "programs", "program", "courses", "course", "about", "contact",
    }),
    "forum_path": frozenset({
        "forum", "forums", "threads", "thread", "topic", "topics", "t", "d", "discussion", "discussions",
        "community", "comments", "questions", "r", "viewtopic.php",
    }),
}  # fmt: skip


def features(article: Article, url: str, counts: TextCounts | None = None) -> dict[str, float]:
    """Every feature of REASONS for one page; 0.0 is "no such evidence". `counts`: text_counts(article.text),
    when the caller has them already (they are most of the cost)."""
    signals = article.signals or PageSignals()
    types = set(signals.structured_types)
    path = urlsplit(url).path
    words_of_path = {segment.lower() for segment in path.split("/")[:-1] if segment}  # sections, not the slug
    prose, paragraphs, words = text_counts(article.text) if counts is None else counts
    og_type = signals.og_type
    found: dict[str, float] = {
        "structured_article": _flag(types & ARTICLE_TYPES),
        **{f"structured_{kind}": _flag(types & kind_types) for kind, kind_types in NON_STORY_TYPES.items()},
        "structured_plain_page": _flag(types & PLAIN_PAGE_TYPES),
        "structured_breadcrumb": _flag("BreadcrumbList" in types),
        "structured_video": _flag("VideoObject" in types),
        "og_article": _flag(og_type == "article"),
        "og_website": _flag(og_type == "website"),
        "og_other": _flag(og_type not in (None, "article", "website")),
        "article_meta": _flag(signals.article_meta),
        "published": _flag(article.published),
        "modified": _flag(article.modified),
        "byline": _flag(article.byline),
        "section": _flag(article.section),
        "tags": _flag(article.tags),
        "description": _flag(article.description),
        "image": _flag(article.image),
        "headline": _flag(signals.headline),
        "title_words": min(len((article.title or "").split()), 20) / 20,
        "url_date": _flag(_DATE_IN_URL.search(path + "/")),
        "slug_words": min(slug_words(path), 12) / 12,
        "slug_matches_title": _slug_matches_title(article.title, path),
        "url_depth": min(len([segment for segment in path.split("/") if segment]), 6) / 6,
        "url_number_id": _flag(_NUMBER_ID.search(path)),
        "url_root": _flag(not path.strip("/")),
        "url_query": _flag(urlsplit(url).query),
        **{name: _flag(words_of_path & path_words) for name, path_words in PATH_CLASSES.items()},
        "prose_paragraphs": math.log1p(prose),
        "words": math.log1p(words),
        "prose_share": prose / paragraphs if paragraphs else 0.0,
        "paragraph_words": math.log1p(words / paragraphs) if paragraphs else 0.0,
        **_voice(article.text),
        **_title_classes(article.title),
        "text_share": min(len(article.text) / signals.page_chars, 1.0) if signals.page_chars else 0.0,
        "linked_headings": math.log1p(signals.linked_headings),
        "pagination": _flag(signals.pagination),
        "commerce_marks": math.log1p(signals.commerce_marks),
        "forum_posts": math.log1p(signals.forum_posts),
        "code_blocks": math.log1p(signals.code_blocks),
        "forms": math.log1p(signals.forms),
        "form_fields": math.log1p(signals.form_fields),
        "buttons": math.log1p(signals.buttons),
        "time_elements": math.log1p(signals.time_elements),
        "tables": math.log1p(signals.tables),
        "article_elements": math.log1p(signals.article_elements),
        "subheadings": math.log1p(signals.subheadings),
        "subheadings_per_words": min(signals.subheadings * 100 / words, 10.0) / 10 if words else 0.0,
        "prices_in_text": math.log1p(_currency_signs(article.text[:PRICE_SAMPLE])),
    }
    return found


def prose_paragraphs(article: Article) -> int:
    """Paragraphs of running text in the extracted story (enough words to be prose, not a caption)."""
    return text_counts(article.text).prose


class TextCounts(NamedTuple):
    prose: int  # paragraphs of prose (PROSE_MIN_WORDS or more)
    paragraphs: int
    words: int  # spaces + 1: a space count is a word count within one


def text_counts(text: str) -> TextCounts:
    """Prose paragraphs, paragraphs and words of the story's text, in one pass over it."""
    if not text:
        return TextCounts(0, 0, 0)
    prose = spaces = paragraphs = 0
    for paragraph in text.split("\n\n"):
        count = paragraph.count(" ")
        spaces += count
        prose += count >= PROSE_MIN_WORDS - 1
        paragraphs += 1
    return TextCounts(prose, paragraphs, spaces + 1)


def slug_words(path: str) -> int:
    """Words of the wordiest path segment (`/news/senate-passes-the-budget/123` -> 4)."""
    return max((len(_SLUG_WORD.findall(segment)) for segment in path.split("/")), default=0)


def _slug_matches_title(title: str | None, path: str) -> float:
    """The share of the title's words the wordiest URL segment spells: a story's slug is its headline."""
    segment = max(path.split("/"), key=lambda part: len(_SLUG_WORD.findall(part)), default="")
    slug = {word.lower() for word in _SLUG_WORD.findall(segment)}
    title_words = [word.lower() for word in _SLUG_WORD.findall(title or "")]
    if not slug or not title_words:
        return 0.0
    return sum(word in slug for word in title_words) / len(title_words)


def _flag(value: object) -> float:
    return 1.0 if value else 0.0


def _currency_signs(text: str) -> int:
    return sum(text.count(sign) for sign in CURRENCY_SIGNS) if text else 0


def _title_classes(title: str | None) -> dict[str, float]:
    """Whether the title names each class of page (TITLE_CLASSES)."""
    words = {word.lower() for word in _SLUG_WORD.findall(title or "")}
    return {name: _flag(words & class_words) for name, class_words in TITLE_CLASSES.items()}


def _voice(text: str) -> dict[str, float]:
    """Each voice's words per hundred words of the story's start (capped at 10, scaled to 0-1)."""
    lowered = text[:VOICE_SAMPLE].replace("\n", " ").lower()
    words = lowered.count(" ") + 1
    if not text:
        return dict.fromkeys(_VOICE, 0.0)
    found = {}
    for name, voice_words in _VOICE.items():
        count = sum(lowered.count(word) for word in voice_words)
        found[name] = min(count * 100 / words, 10.0) / 10
    return found
