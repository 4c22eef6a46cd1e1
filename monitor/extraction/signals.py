"""Page signals for the article gate: structured data types, prose and listing evidence, read from the
parsed tree once, before extraction strips it (the verdict itself is monitor/gate.py)."""

from __future__ import annotations

import json
import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from monitor.models import PageSignals

MAX_JSON_LD_OBJECTS = 200
MAX_PARAGRAPHS_READ = 400  # a page with more <p> blocks than this has told us enough
PROSE_MIN_WORDS = 20
PROSE_MAX_LINKED_SHARE = 0.3
ARTICLE_META = 'meta[property="article:published_time"], meta[property="article:author"]'
LINKED_HEADINGS = "h1 a[href], h2 a[href], h3 a[href], h4 a[href]"
PAGINATION = (
    'link[rel="next"], a[rel="next"], .pagination, .pager, .page-numbers, nav[aria-label*="agination"], '
    '[class*="pagination"]'
)
COMMERCE = (
    '[itemprop="price"], [data-price], .price, .product-price, [class*="add-to-cart"], [name="add-to-cart"], '
    'form[action*="cart"], [class*="add_to_cart"], [class*="buy-now"]'
)
FORUM_POSTS = (
    '[itemtype*="DiscussionForumPosting"], [itemtype*="Comment"], [itemprop="comment"], .postbody, '
    ".post-body, .topic-post, .message-body, .messageContent, .bbWrapper, .reply, .answer, .answercell, "
    '[class*="forum-post"], [id^="post-"][class*="post"], [id^="post_"]'
)
NAV_LINKS = "nav a[href], aside a[href], [role=navigation] a[href], [class*=sidebar] a[href]"
_WORDS = re.compile(r"\w+")


def page_signals(tree: LexborHTMLParser) -> PageSignals:
    """Read the gate's evidence from a freshly parsed page (scripts and navigation still in place)."""
    prose_paragraphs, prose_words = _prose(tree)
    og_type = tree.css_first('meta[property="og:type"]')
    return PageSignals(
        structured_types=_structured_types(tree),
        og_type=((og_type.attributes.get("content") or "").strip().lower() or None) if og_type else None,
        article_meta=tree.css_first(ARTICLE_META) is not None,
        prose_paragraphs=prose_paragraphs,
        prose_words=prose_words,
        linked_headings=len(tree.css(LINKED_HEADINGS)),
        time_elements=len(tree.css("time")),
        pagination=tree.css_first(PAGINATION) is not None,
        commerce_marks=len(tree.css(COMMERCE)),
        forum_posts=len(tree.css(FORUM_POSTS)),
        nav_links=len(tree.css(NAV_LINKS)),
    )


def _prose(tree: LexborHTMLParser) -> tuple[int, int]:
    """Paragraphs of running text: enough words and most of them not link text."""
    paragraphs = words = 0
    for node in tree.css("p")[:MAX_PARAGRAPHS_READ]:
        text = node.text(deep=True)
        count = len(_WORDS.findall(text))
        if count < PROSE_MIN_WORDS:
            continue
        linked = sum(len(anchor.text(deep=True)) for anchor in node.css("a"))
        if linked > PROSE_MAX_LINKED_SHARE * max(len(text), 1):
            continue
        paragraphs += 1
        words += count
    return paragraphs, words


def _structured_types(tree: LexborHTMLParser) -> tuple[str, ...]:
    found: set[str] = set()
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text().strip().rstrip(";"), strict=False)
        except ValueError:
            continue
        found.update(_types_in(data))
    for node in tree.css("[itemscope][itemtype]"):
        itemtype = node.attributes.get("itemtype") or ""
        found.update(part.rstrip("/").rsplit("/", 1)[-1] for part in itemtype.split() if part)
    return tuple(sorted(found))


def _types_in(data: Any) -> set[str]:
    """@type values of every object in a JSON-LD document, nested ones included (bounded)."""
    found: set[str] = set()
    stack: list[Any] = [data]
    seen = 0
    while stack and seen < MAX_JSON_LD_OBJECTS:
        item = stack.pop()
        seen += 1
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            kind = item.get("@type")
            if isinstance(kind, str):
                found.add(kind)
            elif isinstance(kind, list):
                found.update(str(part) for part in kind)
            stack.extend(value for value in item.values() if isinstance(value, list | dict))
    return found
