"""Clean-up inside the chosen story container: link cards, tables of contents, labelled boilerplate blocks."""

from __future__ import annotations

from collections.abc import Container

from selectolax.lexbor import LexborNode

from monitor.extraction import rules


def unique(nodes: list[LexborNode]) -> list[LexborNode]:
    """Each node once: lexbor returns a node once per matching member of a selector list."""
    seen: set[int] = set()
    found = []
    for node in nodes:
        key = node.mem_id
        if key not in seen:
            seen.add(key)
            found.append(node)
    return found


def link_density(node: LexborNode, total: int | None = None) -> float:
    """The share of the node's text inside links (1.0 for an empty node); `total`: its text length, when
    known already."""
    total = len(node.text()) if total is None else total
    if not total:
        return 1.0
    linked = sum(len(link.text()) for link in node.css("a"))
    return min(linked / total, 1.0)


def remove_link_cards(container: LexborNode) -> None:
    """Drop links that wrap blocks: teaser cards and banners, whose whole text sits inside one <a>."""
    cards: dict[int, LexborNode] = {}
    for block in container.css(rules.LINK_CARD_SELECTOR):
        link = block.parent
        while link is not None and link.tag != "a":
            link = link.parent
        if link is not None and link.mem_id not in cards:
            cards[link.mem_id] = link
    for link in cards.values():
        if len(link.text()) <= rules.LINK_CARD_MAX_CHARS and not has_ancestor_in(link, cards):
            link.decompose()


def remove_tables_of_contents(container: LexborNode) -> None:
    """Drop tables of contents: the largest block around in-page anchor links that holds no other link."""
    anchors = container.css(rules.TOC_LINK_SELECTOR)
    if len(anchors) < rules.MIN_TOC_LINKS:
        return
    tables: dict[int, LexborNode] = {}
    for anchor in anchors:
        table = _table_of_contents_around(anchor, container, tables)
        if table is not None:
            tables[table.mem_id] = table
    for table in tables.values():
        if not has_ancestor_in(table, tables):
            table.decompose()


def _table_of_contents_around(
    anchor: LexborNode, container: LexborNode, found: dict[int, LexborNode]
) -> LexborNode | None:
    widest = None
    node = anchor.parent
    for _ in range(rules.TOC_MAX_CLIMB):
        if node is None or node.mem_id == container.mem_id:
            break
        if node.mem_id in found:
            return None  # an anchor of a table already found
        links = node.css("a")
        if not all((link.attributes.get("href") or "").startswith("#") for link in links):
            break
        if len(links) >= rules.MIN_TOC_LINKS and link_density(node) >= rules.TOC_MIN_LINK_SHARE:
            widest = node
        node = node.parent
    return widest


def has_ancestor_in(node: LexborNode, ids: Container[int]) -> bool:
    """Whether one of the node's ancestors (not the node itself) has its mem_id among `ids` (a set of ids,
    or a dict keyed by them)."""
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


class _Texts:
    """Text lengths and link densities of the nodes of a tree that does not change meanwhile: each is
    computed once (a text() walks the node's whole subtree; boilerplate blocks are asked several times)."""

    __slots__ = ("densities", "lengths")

    def __init__(self) -> None:
        self.lengths: dict[int, int] = {}
        self.densities: dict[int, float] = {}

    def length(self, node: LexborNode) -> int:
        key = node.mem_id
        found = self.lengths.get(key)
        if found is None:
            found = self.lengths[key] = len(node.text())
        return found

    def link_density(self, node: LexborNode) -> float:
        key = node.mem_id
        found = self.densities.get(key)
        if found is None:
            found = self.densities[key] = link_density(node, self.length(node))
        return found


def remove_boilerplate(containers: list[LexborNode]) -> None:
    """Drop share bars, related links, bylines, ads... inside the containers unless they hold the story."""
    texts = _Texts()  # nothing is removed before the end: the lengths hold throughout
    blocks = [block for container in containers for block in boilerplate_blocks(container, texts)]
    total = sum(map(texts.length, containers))
    left = total - sum(map(texts.length, blocks))
    if left < total * rules.MIN_UNLABELLED_SHARE and all(map(_labelled_as_content, containers)):
        # a content container made of labelled blocks (a forum thread's posts, each a "comment"): they are its
        # text, only the link lists among them go
        blocks = [block for block in blocks if texts.link_density(block) >= rules.MAX_LINK_DENSITY]
    for block in blocks:
        block.decompose()


def _labelled_as_content(node: LexborNode) -> bool:
    """The page's <main> or <article>, or an element whose label says content and nothing negative."""
    if node.tag in ("main", "article"):
        return True
    attributes = node.attributes
    label = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    return rules.POSITIVE_LABEL.search(label) and not rules.NEGATIVE_LABEL.search(label)


def boilerplate_blocks(container: LexborNode, texts: _Texts) -> list[LexborNode]:
    """The outermost boilerplate-labelled blocks of one container that do not hold the story."""
    matches = container.css(rules.BOILERPLATE_SELECTOR)
    if not matches:
        return []
    limit = texts.length(container) * rules.BOILERPLATE_MAX_SHARE
    found: dict[int, LexborNode] = {}
    for node in unique(matches):
        density = texts.link_density(node)
        if texts.length(node) > limit and density < rules.MAX_LINK_DENSITY:
            continue
        if density < rules.MAX_LINK_DENSITY and (_labelled_by_heading_slug(node) or _accordion_panel(node)):
            continue
        if _inside_a_sentence(node, texts) or _commentary(node):
            continue
        found[node.mem_id] = node
    return [node for node in found.values() if not has_ancestor_in(node, found)]


def _commentary(node: LexborNode) -> bool:
    """A block labelled only as commentary (an opinion piece, a match's live commentary), not as reader
    comments: "comment" is the one boilerplate word in its label, and only inside those words."""
    attributes = node.attributes
    label = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    if node.tag in rules.BOILERPLATE_TAGS or not rules.COMMENTARY_LABEL.search(label):
        return False
    return rules.BOILERPLATE_LABEL.search(rules.COMMENTARY_LABEL.sub(" ", label)) is None


def _inside_a_sentence(node: LexborNode, texts: _Texts) -> bool:
    """An inline element of a prose paragraph ("<p><span class=dateline>KOBE –</span> A total of..."): its
    label names a part of the sentence, not a block of furniture."""
    parent = node.parent
    if node.tag not in rules.INLINE_TAGS or parent is None or parent.tag != "p":
        return False
    own = texts.length(node)
    rest = texts.length(parent) - own
    return rest >= rules.MIN_PARAGRAPH_CHARS and rest >= own * rules.SENTENCE_REST_RATIO


def _labelled_by_heading_slug(node: LexborNode) -> bool:
    """Matched only for an id that is a section heading's slug (a section "Related products and services")."""
    attributes = node.attributes
    element_id = attributes.get("id") or ""
    if node.tag in rules.BOILERPLATE_TAGS or not rules.HEADING_SLUG.match(element_id):
        return False
    return rules.BOILERPLATE_LABEL.search(attributes.get("class") or "") is None


def _accordion_panel(node: LexborNode) -> bool:
    """A collapsed accordion panel (an FAQ answer): "hidden" until a reader opens it, yet story text."""
    class_name = node.attributes.get("class") or ""
    if node.tag in rules.BOILERPLATE_TAGS or rules.ACCORDION_LABEL not in class_name.lower():
        return False
    return rules.BOILERPLATE_LABEL.search(rules.COLLAPSED_TOKENS.sub(" ", class_name)) is None
