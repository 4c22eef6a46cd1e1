"""Page signals for the article gate, read once during extraction (the verdict itself is monitor/gate.py).

Structured data types, og:type and article meta come from what metadata.py parsed anyway; everything else
from ONE selector query over the tree before the body search strips it, classified here: each further query
walks the whole tree again (~0.4 ms a page), and the gate must cost under 5% of extraction.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from monitor.extraction.metadata import Metadata
from monitor.models import PageSignals

ARTICLE_META = frozenset({"article:published_time", "article:author", "article:modified_time"})
FORUM_TYPES = ("DiscussionForumPosting", "Comment", "Answer")
# One query of four selectors, every node any signal needs: a lexbor query walks the whole tree, and each
# selector of the list costs about 0.06 ms more a page (issue 12: the gate must cost < 5% of extraction).
# Class-name markers (".post-body", ".add-to-cart", ".pagination") would cost that much each; structured
# data, microdata (itemtype Offer, Comment) and rel=next carry that evidence on most pages.
_SIGNAL_NODES = "h2 a[href], h3 a[href], [itemtype], [rel=next]"
COMMERCE_TYPES = ("Offer", "Product")


def page_signals(tree: LexborHTMLParser, found: Metadata) -> PageSignals:
    """The gate's evidence from a freshly parsed page (scripts and navigation still in place)."""
    structured = set(found.structured_types)
    linked_headings = commerce = forum = 0
    pagination = False
    for node in tree.css(_SIGNAL_NODES):
        attributes = node.attributes
        itemtype = attributes.get("itemtype")
        if itemtype:
            structured.update(part.rstrip("/").rsplit("/", 1)[-1] for part in itemtype.split())
            forum += any(kind in itemtype for kind in FORUM_TYPES)
            commerce += any(kind in itemtype for kind in COMMERCE_TYPES)
        elif node.tag == "a" and (attributes.get("rel") or "").lower() != "next":
            linked_headings += 1  # "h2 a[href]", "h3 a[href]"
        else:
            pagination = True  # rel=next
    return PageSignals(
        structured_types=tuple(sorted(structured)),
        og_type=(found.og_type or "").strip().lower() or None,
        article_meta=bool(found.meta_names & ARTICLE_META),
        linked_headings=linked_headings,
        pagination=pagination,
        commerce_marks=commerce,
        forum_posts=forum,
    )
