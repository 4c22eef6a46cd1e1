"""Parts of one story split across wrappers that are not siblings (a lede above an ad break)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from monitor.extraction import rules

SPLIT_LEVELS = 6  # how far above the chosen container the wrapper shared with a lost part may sit
PART_LEVELS = 7  # how deep below that shared wrapper the part's paragraphs may sit
MAX_PART_LINK_DENSITY = 0.25
PARAGRAPH_TAGS = frozenset({"p", "pre", "blockquote"})
_HEADER_WORD = re.compile(r"header|encabezado|kopf", re.IGNORECASE)
# a block whose class or id names it the story's standfirst: "article-intro", "subheadline", "chapo" (French),
# "epigraph", "lead", "dek"; a whole word of the label, so "leaderboard", "introduction-video" stay out
STANDFIRST_LABEL = re.compile(
    r"(?<![a-z0-9])(?:lead|lede|standfirst|sub-?headline|sub-?head|intro|chapo|chapeau|epigraph|dek|"
    r"summary|synopsis)(?![a-z0-9])|(?<![a-z0-9])(?:article|story|post|entry)[-_]?(?:lead|intro|summary)"
)
_STANDFIRST_WORDS = (
    "lead",
    "lede",
    "standfirst",
    "subhead",
    "sub-head",
    "intro",
    "chapo",
    "chapeau",
    "epigraph",
    "dek",
)
# each member of a selector list is tested on every node (lexbor): ids are searched for the two words seen
# there alone ("gazeta_article_lead", "art-lead-inner")
# Above this many subtrees before the story's start, one query of the whole wrapper costs less than one each.
MAX_QUERIED_SUBTREES = 64
STANDFIRST_SELECTOR = ", ".join(
    [f"[class*={word} i]" for word in (*_STANDFIRST_WORDS, "summary", "synopsis")]
    + [f"[id*={word} i]" for word in ("lead", "intro")]
)
# a lead image or video, an author's intro box, Drupal's body field ("text-with-summary"): no standfirst
NOT_STANDFIRST_LABEL = re.compile(
    r"image|img|photo|picture|media|video|background|with-summary|author|by-?line"
)
# a dek written as a heading goes with the headline, which is the title's; a lead image's caption is no lead
NOT_STANDFIRST_TAGS = frozenset({"figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6"})
STANDFIRST_MIN_CHARS = 40
STANDFIRST_MAX_CHARS = 1_000
MAX_STANDFIRST_LINK_DENSITY = 0.3


@dataclass(slots=True)
class ParagraphParent:
    """An element holding story-length paragraphs itself, and where the first of them comes on the page."""

    node: LexborNode
    order: int
    chars: int = 0


def leading_parts(
    best: LexborNode, chosen: list[LexborNode], parents: dict[int, ParagraphParent]
) -> list[LexborNode]:
    """Paragraph parents before the chosen containers, under a wrapper they share, with no boilerplate label
    between: the lede or first section that a split layout put in a wrapper of its own."""
    best_parent = parents.get(best.mem_id)
    first_order = min(
        (parent.order for parent in parents.values() if _inside_any(parent.node, {best.mem_id})),
        default=best_parent.order if best_parent is not None else None,
    )
    if first_order is None:
        return []
    shared = _ancestors(best, SPLIT_LEVELS)
    chosen_ids = {node.mem_id for node in chosen}
    parts = []
    for parent in parents.values():
        if parent.order >= first_order or parent.chars < rules.MIN_CLIMB_PARAGRAPH_CHARS:
            continue
        node = parent.node
        if _inside_any(node, chosen_ids) or not _reaches_without_labels(node, shared):
            continue
        if any(_inside_any(container, {node.mem_id}) for container in chosen):
            # the wrapper around the chosen story holds the lede itself: its own paragraphs before the story
            parts.extend(_own_paragraphs_before(node, chosen_ids))
            continue
        if _link_share(node) < MAX_PART_LINK_DENSITY:
            parts.append(node)
    return parts


def _own_paragraphs_before(wrapper: LexborNode, chosen_ids: set[int]) -> list[LexborNode]:
    paragraphs = []
    for child in wrapper.iter():
        if _inside_any_below(child, chosen_ids):
            break
        if child.tag in PARAGRAPH_TAGS and len(child.text().strip()) >= rules.MIN_PARAGRAPH_CHARS:
            paragraphs.append(child)
    return paragraphs


def _inside_any_below(node: LexborNode, ids: set[int]) -> bool:
    """The node is one of `ids` or holds one of them."""
    return node.mem_id in ids or any(descendant.mem_id in ids for descendant in node.traverse())


def _ancestors(node: LexborNode, levels: int) -> set[int]:
    found = set()
    current = node.parent
    for _ in range(levels):
        if current is None or current.tag in ("body", "html"):
            break
        found.add(current.mem_id)
        current = current.parent
    return found


def _inside_any(node: LexborNode, ids: set[int]) -> bool:
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id in ids:
            return True
        current = current.parent
    return False


def _reaches_without_labels(node: LexborNode, shared: set[int]) -> bool:
    """The node sits a few levels under one of the shared wrappers, and nothing between says boilerplate."""
    current: LexborNode | None = node
    for _ in range(PART_LEVELS + 1):
        if current is None:
            return False
        if current.mem_id in shared:
            return True
        attributes = current.attributes
        label = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
        if current.tag in rules.BOILERPLATE_TAGS:
            return False
        if current.tag == "header" or rules.NEGATIVE_CLASS.search(label):
            # the story's own header ("o-article-header", "article__header") is no boilerplate label
            only_header = rules.NEGATIVE_CLASS.search(_HEADER_WORD.sub(" ", label)) is None
            if not (only_header and _story_header(current)):
                return False
        current = current.parent
    return False


def _story_header(node: LexborNode) -> bool:
    """A header inside the page's <main>, <article> or <section> holding the headline (an <h1>, or an <h2> on
    pages that spend their <h1> on the logo or the breadcrumb): the story's own header, whose standfirst is
    the lede, unlike the site's header with its menus."""
    if node.css_first("h1, h2") is None:
        return False
    current = node.parent
    while current is not None:
        if current.tag in ("main", "article", "section"):
            return True
        current = current.parent
    return False


def _link_share(node: LexborNode) -> float:
    total = len(node.text())
    if not total:
        return 1.0
    return min(sum(len(link.text()) for link in node.css("a")) / total, 1.0)


def standfirsts(best: LexborNode, chosen: list[LexborNode]) -> list[LexborNode]:
    """Standfirst blocks above the story: labelled as the lead ("article-intro", "subheadline", "chapo"),
    under a wrapper they share with the chosen container, before it on the page, with no boilerplate label
    between: the summary that opens the story, which the paragraph vote leaves out (it is a heading, a
    one-paragraph block of its own, or text straight in a div)."""
    wrapper = best
    for _ in range(SPLIT_LEVELS):
        parent = wrapper.parent
        if parent is None or parent.tag in ("body", "html"):
            break
        wrapper = parent
    if wrapper.mem_id == best.mem_id:
        return []
    shared = _ancestors(best, SPLIT_LEVELS)
    chosen_ids = {node.mem_id for node in chosen}
    found: list[LexborNode] = []
    found_ids: set[int] = set()
    texts: set[str] = set()
    candidates = _matches_before(wrapper, chosen[0])
    for node in wrapper.css(STANDFIRST_SELECTOR) if candidates is None else candidates:
        # the cheap tests of the label first: most matches are headers, headings and lead images
        attributes = node.attributes
        label = f"{attributes.get('class') or ''} {attributes.get('id') or ''}".lower()
        if node.tag in NOT_STANDFIRST_TAGS or NOT_STANDFIRST_LABEL.search(label):
            continue
        if not STANDFIRST_LABEL.search(label) or node.mem_id in found_ids:
            continue
        text = node.text().strip()
        if not STANDFIRST_MIN_CHARS <= len(text) <= STANDFIRST_MAX_CHARS or text in texts:
            continue  # a second copy: the same standfirst printed for another screen size
        if _inside_any(node, found_ids | chosen_ids) or _inside_any_below(node, chosen_ids):
            continue
        if _link_share(node) > MAX_STANDFIRST_LINK_DENSITY or not _reaches_without_labels(node, shared):
            continue
        if not _before(node, chosen[0], wrapper):
            continue
        found.append(node)
        found_ids.add(node.mem_id)
        texts.add(text)
    return found


def _matches_before(wrapper: LexborNode, first: LexborNode) -> list[LexborNode] | None:
    """What STANDFIRST_SELECTOR matches in `wrapper` before `first` in document order, `first`'s ancestors
    left out (they hold the story: never a standfirst), from queries of the subtrees that precede `first`'s
    line of ancestors only: on a long page most of the wrapper comes after the story's start. None when
    `first` is not below `wrapper`, or when so many subtrees precede it that one query of the wrapper costs
    less."""
    line: list[LexborNode] = []
    current: LexborNode | None = first
    while current is not None and current.mem_id != wrapper.mem_id:
        line.append(current)
        current = current.parent
    if current is None or not line:
        return None
    subtrees: list[LexborNode] = []
    for node in reversed(line):  # from the wrapper's child down to `first`: document order
        preceding: list[LexborNode] = []
        sibling = node.prev
        while sibling is not None:
            if sibling.tag not in ("-text", "-comment"):
                preceding.append(sibling)
            sibling = sibling.prev
        subtrees.extend(reversed(preceding))
        if len(subtrees) > MAX_QUERIED_SUBTREES:
            return None
    return [match for subtree in subtrees for match in subtree.css(STANDFIRST_SELECTOR)]


def _before(node: LexborNode, other: LexborNode, root: LexborNode) -> bool:
    """`node` comes before `other` in the document order of `root`'s subtree."""
    for current in root.traverse():
        if current.mem_id == node.mem_id:
            return True
        if current.mem_id == other.mem_id:
            return False
    return False
