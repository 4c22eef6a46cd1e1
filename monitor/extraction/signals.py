"""Page signals for the article gate, read once during extraction (the verdict itself is monitor/gate.py).

Structured data types, og:type, article meta and the headline come from what metadata.py parsed anyway;
everything else from the nodes SIGNAL_SELECTOR matches, asked for in the one walk that also collects the
scripts (clean.code_nodes_and) before the body search strips the tree, and classified here: each further
query walks the whole tree again, and the gate must cost under 5% of extraction (issue 12).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from selectolax.lexbor import LexborNode

from monitor.extraction.metadata import Metadata
from monitor.models import PageSignals

ARTICLE_META = frozenset({"article:published_time", "article:author", "article:modified_time"})
FORUM_TYPES = ("DiscussionForumPosting", "Comment", "Answer")
# One query, every node any signal needs: a lexbor query walks the whole tree once whatever the list, each
# selector of the list costs a little more a page, and each node it returns costs a Python step, so only
# rare elements are asked for (not every link or paragraph). Class-name markers (".add-to-cart",
# ".pagination") cost several times a tag name; structured data, microdata (itemtype Offer, Comment) and
# rel=next carry that evidence on most pages.
# Tag names are near free beside the tree walk itself (0.27 against 0.28 ms a page over 428 dev pages, with
# about 70 more nodes returned); a class-substring member costs ~0.08 ms each.
SIGNAL_SELECTOR = (
    "h2 a[href], h3 a[href], [itemtype], [rel=next], pre, form, input, select, textarea, button, time, "
    "table, article, h2, h3"
)
COMMERCE_TYPES = ("Offer", "Product")
# tags only counted, their attributes never read (~0.05 ms a page): a microdata type on one of them is not
# read either (on the 2,848 dev pages: InteractionCounter, SearchAction and DateTime, which nothing weighs)
COUNTED_ONLY = frozenset({"form", "input", "select", "textarea", "button", "time", "h2", "h3"})


def page_signals(nodes: Iterable[LexborNode], found: Metadata, page_chars: int = 0) -> PageSignals:
    """The gate's evidence from a freshly parsed page: `nodes`, what SIGNAL_SELECTOR matched in it (navigation
    still in place)."""
    structured = set(found.structured_types)
    linked_headings = commerce = forum = code = 0
    pagination = False
    tags: Counter[str | None] = Counter()
    for node in nodes:
        tag = node.tag
        tags[tag] += 1
        if tag in COUNTED_ONLY:
            continue
        attributes = node.attrs  # read lazily: node.attributes builds a dict of all of them (3x the cost)
        itemtype = attributes.get("itemtype")
        if itemtype:
            structured.update(part.rstrip("/").rsplit("/", 1)[-1] for part in itemtype.split())
            forum += any(kind in itemtype for kind in FORUM_TYPES)
            commerce += any(kind in itemtype for kind in COMMERCE_TYPES)
        if tag == "a":
            if (attributes.get("rel") or "").lower() == "next":
                pagination = True
            elif not itemtype:
                linked_headings += 1  # "h2 a[href]", "h3 a[href]"
        elif tag == "link":
            pagination = True  # <link rel=next>
        elif tag == "pre":
            code += 1
    return PageSignals(
        structured_types=tuple(sorted(structured)),
        og_type=(found.og_type or "").strip().lower() or None,
        article_meta=bool(found.meta_names & ARTICLE_META),
        linked_headings=linked_headings,
        pagination=pagination,
        commerce_marks=commerce,
        forum_posts=forum,
        headline=found.has_headline,
        code_blocks=code,
        page_chars=page_chars,
        forms=tags["form"],
        form_fields=tags["input"] + tags["select"] + tags["textarea"],
        buttons=tags["button"],
        time_elements=tags["time"],
        tables=tags["table"],
        article_elements=tags["article"],
        subheadings=tags["h2"] + tags["h3"],
    )
