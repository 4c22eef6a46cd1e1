"""Article extraction: one page of HTML in, the story (metadata and clean body text) out."""

from __future__ import annotations

import logging

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extraction import body, clean
from monitor.extraction.metadata import Metadata, extract_metadata
from monitor.extraction.signals import page_signals
from monitor.models import Article, PageSignals, Selectors

__all__ = ["extract"]

logger = logging.getLogger(__name__)


def extract(html: str | bytes, url: str | None = None, selectors: Selectors | None = None) -> Article:
    """Extract the story of one page; never raises (a broken page gives an empty or partial Article)."""
    try:
        return _extract(html, url, selectors)
    except Exception:  # a page must never stop the daemon; the failure is logged with its URL
        logger.exception("extraction failed for %s", url or "<page>")
        return Article(canonical_url=url)


def _extract(html: str | bytes, url: str | None, selectors: Selectors | None) -> Article:
    # 1. decode and parse; metadata first, while JSON-LD scripts are still in the tree
    tree = clean.parse(html)
    found = extract_metadata(tree, url)
    signals = page_signals(tree, found)  # the article gate's evidence, before the body search strips the tree
    # 2. the body: the site's own selectors when configured, else the generic heuristics
    if selectors is not None and (selectors.body or selectors.title or selectors.remove):
        text = _with_selectors(tree, selectors, found)
    else:
        text = body.extract_text(tree, found.title, found.authors)
    return _article(found, text, signals)


def _with_selectors(tree: LexborHTMLParser, selectors: Selectors, found: Metadata) -> str:
    root = tree.body
    if root is None:
        return ""
    for selector in selectors.remove:
        body.remove_nodes(root, selector)
    if selectors.title:
        title_node = tree.css_first(selectors.title)
        if title_node is not None:
            found.title = clean.normalize_space(title_node.text()) or found.title
    if not selectors.body:
        return body.extract_text(tree, found.title, found.authors)
    containers: list[LexborNode] = tree.css(selectors.body)
    return body.text_of(containers, found.title, found.authors) if containers else ""


def _article(found: Metadata, text: str, signals: PageSignals) -> Article:
    return Article(
        title=found.title,
        byline=", ".join(found.authors) or None,
        authors=found.authors,
        published=found.published,
        modified=found.modified,
        canonical_url=found.canonical_url,
        language=found.language,
        description=found.description,
        image=found.image,
        section=found.section,
        tags=found.tags,
        text=text,
        signals=signals,
    )
