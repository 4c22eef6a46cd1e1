"""Clean-up inside the chosen story container: link cards, tables of contents, labelled boilerplate blocks."""

from __future__ import annotations

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


def link_density(node: LexborNode) -> float:
    """The share of the node's text inside links (1.0 for an empty node)."""
    total = len(node.text())
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
        if len(link.text()) <= rules.LINK_CARD_MAX_CHARS and not _has_ancestor_in(link, cards):
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
        if not _has_ancestor_in(table, tables):
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


def _has_ancestor_in(node: LexborNode, nodes: dict[int, LexborNode]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in nodes:
            return True
        parent = parent.parent
    return False


def remove_boilerplate(container: LexborNode) -> None:
    """Drop share bars, related links, bylines, ads... inside the container unless they hold the story."""
    matches = container.css(rules.BOILERPLATE_SELECTOR)
    if not matches:
        return
    total = len(container.text())
    limit = total * rules.BOILERPLATE_MAX_SHARE
    for node in unique(matches):
        if node.parent is None:
            continue
        density = link_density(node)
        if len(node.text()) > limit and density < rules.MAX_LINK_DENSITY:
            continue
        if density < rules.MAX_LINK_DENSITY and (_labelled_by_heading_slug(node) or _accordion_panel(node)):
            continue
        if _inside_a_sentence(node) or _commentary(node):
            continue
        node.decompose()


def _commentary(node: LexborNode) -> bool:
    """A block labelled only as commentary (an opinion piece, a match's live commentary), not as reader
    comments: "comment" is the one boilerplate word in its label, and only inside those words."""
    attributes = node.attributes
    label = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    if node.tag in rules.BOILERPLATE_TAGS or not rules.COMMENTARY_LABEL.search(label):
        return False
    return rules.BOILERPLATE_LABEL.search(rules.COMMENTARY_LABEL.sub(" ", label)) is None


def _inside_a_sentence(node: LexborNode) -> bool:
    """An inline element of a prose paragraph ("<p><span class=dateline>KOBE –</span> A total of..."): its
    label names a part of the sentence, not a block of furniture."""
    parent = node.parent
    if node.tag not in rules.INLINE_TAGS or parent is None or parent.tag != "p":
        return False
    own = len(node.text())
    rest = len(parent.text()) - own
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
