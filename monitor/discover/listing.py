"""Story links on listing pages: same-site links whose URL and anchor text look like articles."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from monitor.discover import patterns
from monitor.discover.shapes import url_shape
from monitor.discover.urls import canonicalize_url, host_in_domains, is_safe_link
from monitor.markup import parse_html
from monitor.models import ArticleLink

MIN_SCORE = 2
MIN_SLUG_WORDS = 4  # three-word slugs are as often category pages (`/ai-and-ml/`) as stories
MIN_ANCHOR_WORDS = 5
MAX_LABEL_WORDS = 2  # an anchor this short that the slug does not spell is a category label
MIN_ID_DIGITS = 5
# Links read on one listing page: a real front page has a few hundred; 200,000 took 31 s and 280 MB.
MAX_LISTING_LINKS = 10_000

_LONG_ID = re.compile(rf"(^|[^0-9])\d{{{MIN_ID_DIGITS},}}([^0-9]|$)")
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_SPACE = re.compile(r"\s+")


def links_from_listing(
    html: str,
    base_url: str,
    *,
    site_domains: frozenset[str],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    problems: list[str] | None = None,
    learned_shapes: Mapping[str, bool] | None = None,
) -> list[ArticleLink]:
    """Story links of a listing page, in page order, deduplicated by canonical URL.

    exclude patterns drop a link whatever else; include patterns keep a link the heuristics would reject;
    learned_shapes (URL template -> is a story, from the article gate's verdicts) overrule the heuristics.
    Only the first MAX_LISTING_LINKS links are read ("listing_cut" goes to problems).
    """
    learned = learned_shapes or {}
    tree = parse_html(html)
    base = _document_base(tree, base_url)
    include_patterns = [re.compile(pattern) for pattern in include]
    exclude_patterns = [re.compile(pattern) for pattern in exclude]
    page_url = canonicalize_url(base_url)
    titles: dict[str, str | None] = {}
    forced: set[str] = set()  # taken by the site's include patterns or a learned story shape
    anchors = tree.css("a[href]")
    if len(anchors) > MAX_LISTING_LINKS and problems is not None:
        problems.append("listing_cut")
    for anchor in anchors[:MAX_LISTING_LINKS]:
        url = _resolve(base, anchor.attributes.get("href") or "")
        if url is None or url == page_url or not _on_site(url, site_domains):
            continue
        if any(pattern.search(url) for pattern in exclude_patterns):
            continue
        title = _anchor_text(anchor.text(separator=" "))
        if any(pattern.search(url) for pattern in include_patterns) or learned.get(url_shape(url)):
            forced.add(url)
        wanted = url in forced or learned.get(url_shape(url), _looks_like_story(url, title))
        if wanted and (url not in titles or len(title or "") > len(titles[url] or "")):
            titles[url] = title
    return [
        ArticleLink(url=url, source="listing", title=title)
        for url, title in titles.items()
        if url in forced or not _category_label(url, title)
    ]


def _category_label(url: str, title: str | None) -> bool:
    """A link whose every anchor on the page is a label of one or two words the slug does not spell
    ("Recycling" -> `/how-to-recycle-the-right-way/`): a category's landing page, not a story; a dated or
    numbered URL stays a story whatever its anchor."""
    words = _WORD.findall(title or "")
    if not words or len(words) > MAX_LABEL_WORDS:
        return False
    path = urlsplit(url).path.lower()
    if patterns.DATE_IN_PATH.search(path + "/") or _LONG_ID.search(path):
        return False
    slug = set(re.split(r"[^\w]+", path))
    return not any(word.lower() in slug for word in words)


def _document_base(tree: LexborHTMLParser, base_url: str) -> str:
    base_node = tree.css_first("base[href]")
    href = base_node.attributes.get("href") if base_node is not None else None
    return urljoin(base_url, href.strip()) if href else base_url


def _resolve(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        return canonicalize_url(urljoin(base, href))
    except ValueError:
        return None


def _on_site(url: str, site_domains: frozenset[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host_in_domains(host, site_domains) and is_safe_link(url, site_domains | {host})


def _anchor_text(text: str | None) -> str | None:
    collapsed = _SPACE.sub(" ", text or "").strip()
    return collapsed or None


def _looks_like_story(url: str, title: str | None) -> bool:
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.lower().split("/") if segment]
    if not segments or _is_navigation(segments, parts.query, title):
        return False
    return _story_score(parts.path, segments, title) >= MIN_SCORE


def _is_navigation(segments: list[str], query: str, title: str | None) -> bool:
    """Site furniture, hubs, comment counters and filtered listings (monitor/discover/patterns.py)."""
    if segments[-1].endswith(patterns.STATIC_EXTENSIONS) or patterns.is_count_anchor(title):
        return True
    query_names = {pair.partition("=")[0].lower() for pair in query.split("&") if pair}
    if query_names & patterns.LISTING_PARAMS or any(patterns.LISTING_SEGMENT.match(s) for s in segments):
        return True
    if segments[-1] in patterns.LAST_SEGMENT_ONLY:
        return True
    if patterns.DATE_ARCHIVE.search("/" + "/".join(segments)) or patterns.EMAIL_IN_PATH.search(
        "/".join(segments)
    ):
        return True
    dated = patterns.DATE_IN_PATH.search("/" + "/".join(segments) + "/") is not None
    # A one-word section named like furniture (`/policy/890904/<slug>`) is a section when a story id follows;
    # a slug (`/about-npr/178660742/...`) or an id-less path (`/store/product/subscriptions/`) is furniture.
    section_with_id = "-" not in segments[0] and _LONG_ID.search("/".join(segments[1:])) is not None
    if not dated and not section_with_id and patterns.is_furniture_slug(segments[0]):
        return True
    hub_at = [index for index, segment in enumerate(segments) if segment in patterns.HUB_SEGMENTS]
    if hub_at and (hub_at[0] == 0 or len(segments) - hub_at[0] <= 2) and not dated:
        return True
    return not dated and patterns.is_furniture_slug(segments[-1])


def _story_score(path: str, segments: list[str], title: str | None) -> int:
    score = 0
    last = (
        segments[-1].rsplit(".", 1)[0] if segments[-1].endswith((".html", ".htm", ".php")) else segments[-1]
    )
    slug_words = [word for word in re.split(r"[-_+]", last) if _WORD.search(word)]
    if len(slug_words) >= MIN_SLUG_WORDS:
        score += 2
    if patterns.DATE_IN_PATH.search(path + "/"):
        score += 2
    if _LONG_ID.search(path):
        score += 2
    if len(segments) >= 2:
        score += 1
    if title and len(title.split()) >= MIN_ANCHOR_WORDS:
        score += 1
    return score
