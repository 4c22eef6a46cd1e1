"""Article extraction: one page of HTML in, the story (metadata and clean body text) out."""

from __future__ import annotations

import dataclasses
import logging

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extraction import app_state, body, clean
from monitor.extraction.metadata import Metadata, extract_metadata
from monitor.extraction.signals import SIGNAL_SELECTOR, page_signals
from monitor.markup import is_json_document
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
    if is_json_document(html):
        return Article(canonical_url=url, problem="not_html")  # its body would be the raw JSON
    # 1. decode and parse; the app state and metadata first, while the scripts are still in the tree
    tree, cut = clean.parse_bounded(html)
    code, marked = clean.code_nodes_and(tree, SIGNAL_SELECTOR)  # the gate's nodes from the same walk
    next_data = clean.scripts_where(tree, code, app_state.NEXT_DATA_SELECTOR, "id", app_state.NEXT_DATA_ID)
    next_data_text = next_data[0].text() if next_data else None  # read before metadata drops the scripts
    found = extract_metadata(tree, url, code)
    # the article gate's evidence, before the body search strips the tree
    signals = page_signals(marked, found, len(html))
    # 2. the body: the site's own selectors when configured, else the generic heuristics
    if selectors is not None and (selectors.body or selectors.title or selectors.remove):
        text = _with_selectors(tree, selectors, found)
    else:
        text = body.extract_text(tree, found.title, found.authors)
        text = _with_app_state(text, found, next_data_text)
    article = _article(found, text, signals)
    return dataclasses.replace(article, problem="page_cut") if cut else article


def _with_app_state(text: str, found: Metadata, next_data_json: str | None) -> str:
    """The markup's story, or the one in the page's app state when the markup holds too little of it."""
    if app_state.markup_holds_story(text):
        return text  # the app state would not be used: it is not parsed (a large __NEXT_DATA__ takes 15 ms)
    if found.article_body:
        text = app_state.prefer_app_state(text, app_state.as_text(found.article_body))
    if next_data_json:
        text = app_state.prefer_app_state(text, app_state.next_data_body(next_data_json))
    return text


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
