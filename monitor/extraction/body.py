"""Main-content detection (readability-like paragraph scoring): the story container(s) of a page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extraction import rules
from monitor.extraction.assembly import assemble, flatten
from monitor.extraction.clean import drop_junk
from monitor.extraction.container import (
    link_density,
    remove_boilerplate,
    remove_link_cards,
    remove_tables_of_contents,
    unique,
)
from monitor.extraction.hidden import remove_hidden
from monitor.extraction.parts import ParagraphParent, leading_parts, standfirsts


@dataclass(slots=True)
class _Candidate:
    node: LexborNode
    score: float
    chars: int = 0  # text of the good paragraphs anywhere below


def extract_text(tree: LexborHTMLParser, title: str | None = None, authors: tuple[str, ...] = ()) -> str:
    """Find the story container of a parsed page and return its text (paragraphs split by a blank line)."""
    body = tree.body
    if body is None:
        return ""
    remove_hidden(body)
    if rules.GLOBAL_CHROME_REMOVAL:
        remove_nodes(
            body, rules.CHROME_SELECTOR, protect=rules.PROTECTED_SELECTOR, max_chars=rules.CHROME_MAX_CHARS
        )
    text, lead_chars = _story_text(body, rules.STORY_SELECTOR, title, authors)
    if len(text) - lead_chars < rules.MIN_STORY_CHARS:
        # next to nothing in paragraphs: a story told in list items, scored with them
        in_items, in_items_lead = _story_text(body, rules.PARAGRAPH_SELECTOR + ", br, li", title, authors)
        if len(in_items) > len(text):
            text, lead_chars = in_items, in_items_lead
    if len(text) - lead_chars < rules.DIV_STORY_MAX_CHARS:
        # little story text in paragraphs: a story written straight into <div>s (text lines, or one run of
        # text between inline elements) loses to an author box or a footer; scored with the divs' own text
        in_divs, _ = _story_text(body, rules.PARAGRAPH_SELECTOR + ", br, div", title, authors)
        text = in_divs if len(in_divs) >= (len(text) - lead_chars) * rules.DIV_STORY_GAIN else text
    return text


def _story_text(
    body: LexborNode, selector: str, title: str | None, authors: tuple[str, ...]
) -> tuple[str, int]:
    """The story's text found by scoring `selector`, and how much of it its standfirsts hold (the fallbacks
    weigh the story without them: a standfirst beside an author box is no story)."""
    leads, containers = find_story(body, selector)
    lead_chars = sum(len(lead.text()) for lead in leads)
    return text_of(leads + containers, title, authors), lead_chars


def text_of(containers: list[LexborNode], title: str | None = None, authors: tuple[str, ...] = ()) -> str:
    """Clean the given containers and assemble their text."""
    for container in containers:
        drop_junk(container)
        remove_link_cards(container)
        remove_tables_of_contents(container)
    remove_boilerplate(containers)
    flat_parts = [flatten(container) for container in containers]
    return assemble(rules.PARA_MARK.join(flat_parts), title, authors)


def remove_nodes(
    root: LexborNode, selector: str, protect: str | None = None, max_chars: int | None = None
) -> None:
    """Drop every node matching `selector`, except those holding a `protect` match or over `max_chars`."""
    for node in unique(root.css(selector)):
        if protect is not None and node.css_first(protect) is not None:
            continue
        if max_chars is not None and len(node.text()) > max_chars:
            continue
        node.decompose()


def find_main(body: LexborNode, selector: str = rules.PARAGRAPH_SELECTOR + ", br") -> list[LexborNode]:
    """The story container(s): the best-scoring paragraph parent, with siblings that score alike, and the
    standfirsts above them."""
    leads, containers = find_story(body, selector)
    return leads + containers


def find_story(
    body: LexborNode, selector: str = rules.PARAGRAPH_SELECTOR + ", br"
) -> tuple[list[LexborNode], list[LexborNode]]:
    """The story's standfirst blocks, and its container(s): the best-scoring paragraph parent, with siblings
    that score alike and the parts of the story split from it."""
    parents: dict[int, ParagraphParent] = {}
    candidates = _score_paragraph_parents(body, parents, selector)
    if not candidates:
        return [], [body]
    ranked = sorted(candidates.values(), key=lambda candidate: candidate.score, reverse=True)
    top = ranked[: rules.TOP_CANDIDATES]
    for candidate in top:
        candidate.score *= 1.0 - link_density(candidate.node)
    best = max(top, key=lambda candidate: candidate.score)
    best = _climb(best, candidates)
    chosen = _with_siblings(best, candidates)
    parts = leading_parts(best.node, chosen, parents)
    containers = parts + chosen if parts else chosen
    return standfirsts(best.node, containers), containers


def _climb(best: _Candidate, candidates: dict[int, _Candidate]) -> _Candidate:
    """Widen to an ancestor when it holds much more paragraph text (a story split into sections)."""
    current = best
    while True:
        node = current.node.parent
        wider = None
        for _ in range(rules.CLIMB_LOOKAHEAD):
            if node is None or node.tag in ("body", "html"):
                break
            candidate = candidates.get(node.mem_id)
            if candidate is not None and candidate.chars >= current.chars * rules.CLIMB_RATIO:
                wider = candidate
                break
            node = node.parent
        if wider is None:
            return current
        current = wider


def _score_paragraph_parents(
    body: LexborNode,
    parents: dict[int, ParagraphParent] | None = None,
    selector: str = rules.PARAGRAPH_SELECTOR + ", br",
) -> dict[int, _Candidate]:
    """Score the ancestors of every paragraph; `parents` collects the elements holding paragraphs directly."""
    parents = {} if parents is None else parents
    candidates: dict[int, _Candidate] = {}
    chains: dict[int, list[_Candidate]] = {}  # paragraphs of one parent share its chain of ancestors
    weights = rules.ANCESTOR_WEIGHTS
    text_holders: set[int] = set()
    wrappers: dict[int, bool] = {}
    for paragraph in body.css(selector):
        if paragraph.tag == "li":
            if not _prose_item(paragraph):
                continue
            text = paragraph.text()
        elif paragraph.tag == "div":
            # a div's own text (outside its child elements) this long is a paragraph of it
            text = paragraph.text(deep=False)
            if len(text) < rules.MIN_DIV_TEXT_CHARS or len(text.strip()) < rules.MIN_DIV_TEXT_CHARS:
                continue
            text_holders.add(paragraph.mem_id)
        elif paragraph.tag in rules.LEDE_HEADING_TAGS:
            # a heading as long as a paragraph is a lede set in large type, not a section title
            text = paragraph.text()
            if len(text) < rules.MIN_LEDE_HEADING_CHARS:
                continue
        elif paragraph.tag == "br":
            # text written straight into a <div> between <br>s counts as that div's paragraph
            holder = _text_holder(paragraph)
            if holder is None or holder.mem_id in text_holders:
                continue
            text_holders.add(holder.mem_id)
            paragraph, text = holder, holder.text(deep=False)
        else:
            text = paragraph.text()
        length = len(text.strip())
        if length < rules.MIN_PARAGRAPH_CHARS:
            continue
        parent = paragraph.parent
        if parent is None:
            continue
        chain = chains.get(parent.mem_id)
        if chain is None:
            chain = chains[parent.mem_id] = _ancestor_chain(parent, candidates, wrappers)
        if not chain:
            continue
        score = 1.0 + text.count(",") + min(length // 100, 3)
        counted = length if length >= rules.MIN_CLIMB_PARAGRAPH_CHARS else 0
        for level, candidate in enumerate(chain):
            if level < len(weights):
                candidate.score += score * weights[level]
            candidate.chars += counted
        direct = parents.get(chain[0].node.mem_id)
        if direct is None:
            direct = parents[chain[0].node.mem_id] = ParagraphParent(chain[0].node, len(parents))
        direct.chars += counted
    return candidates


def _text_holder(line_break: LexborNode) -> LexborNode | None:
    """The element whose own text a <br> splits into lines: its parent, when that is no text block; or a
    <span> parent standing in no paragraph, list item, cell, heading or link (`div > span > span` text with
    <br>s, as site builders write it). None otherwise."""
    holder = line_break.parent
    if holder is None or holder.tag not in rules.TEXT_BLOCK_TAGS:
        return holder
    if holder.tag != "span":
        return None
    node = holder.parent
    for _ in range(rules.INLINE_HOLDER_CLIMB):
        if node is None or node.tag not in rules.INLINE_TAGS:
            break
        node = node.parent
    if node is None or node.tag in rules.TEXT_BLOCK_TAGS:
        return None
    return holder


def _prose_item(item: LexborNode) -> bool:
    """A list item written as a paragraph: long, no blocks inside, few links."""
    if len(item.text()) < rules.MIN_PROSE_ITEM_CHARS or item.css_first(rules.PROSE_ITEM_BLOCKS) is not None:
        return False
    return link_density(item) < rules.MAX_PROSE_ITEM_LINK_DENSITY


def _ancestor_chain(
    parent: LexborNode, candidates: dict[int, _Candidate], wrappers: dict[int, bool]
) -> list[_Candidate]:
    nodes = []
    node: LexborNode | None = parent
    for level in range(rules.MAX_CLIMB):
        if node is None or node.tag in ("html", "#document"):
            break
        if level < rules.LINK_ANCESTOR_LEVELS and node.tag == "a":
            return []  # text inside a link is a teaser card, not story text
        # a wrapper around one block alone is skipped: the scores stay on the same containers when a site
        # wraps each paragraph in its own <div> (a markup change, not a story change)
        is_wrapper = wrappers.get(node.mem_id)
        if is_wrapper is None:
            is_wrapper = wrappers[node.mem_id] = _wraps_one_block(node)
        if not is_wrapper:
            nodes.append(node)
        node = node.parent
    chain = []
    for level, ancestor in enumerate(nodes):
        candidate = candidates.get(ancestor.mem_id)
        if candidate is None:
            weight = _class_weight(ancestor) if level < len(rules.ANCESTOR_WEIGHTS) else 0.0
            candidate = candidates[ancestor.mem_id] = _Candidate(ancestor, weight)
        chain.append(candidate)
    return chain


def _wraps_one_block(node: LexborNode) -> bool:
    """A neutral element around a single block and no text of its own; one whose class says "body" or
    "sidebar" still counts, as a container."""
    children = node.iter()
    if next(children, None) is None or next(children, None) is not None:
        return False
    return not node.text(deep=False).strip() and not _class_weight(node)


def _class_weight(node: LexborNode) -> float:
    attributes = node.attributes
    weight = _label_weight(attributes.get("class") or "", attributes.get("id") or "")
    if node.tag in ("article", "main"):
        weight += rules.CLASS_WEIGHT
    return weight


@lru_cache(maxsize=rules.LABEL_CACHE_SIZE)
def _label_weight(class_name: str, element_id: str) -> float:
    # pages repeat the same class names on many nodes: the regexes run once per distinct label
    label = f"{class_name} {element_id}"
    weight = 0.0
    if rules.NEGATIVE_LABEL.search(label):
        weight -= rules.CLASS_WEIGHT
    if rules.POSITIVE_LABEL.search(label):
        weight += rules.CLASS_WEIGHT
    return weight


def _with_siblings(best: _Candidate, candidates: dict[int, _Candidate]) -> list[LexborNode]:
    parent = best.node.parent
    if parent is None or best.node.tag == "body":
        return [best.node]
    threshold = max(rules.MIN_SIBLING_SCORE, best.score * rules.SIBLING_SCORE_SHARE)
    chosen = []
    for sibling in parent.iter():
        if sibling.mem_id == best.node.mem_id:
            chosen.append(sibling)
            continue
        candidate = candidates.get(sibling.mem_id)
        if candidate is None or candidate.score < threshold or _boilerplate_labelled(sibling):
            continue
        if link_density(sibling) < 0.25:
            chosen.append(sibling)
    return chosen


def _boilerplate_labelled(node: LexborNode) -> bool:
    """An author box, a byline block, a share bar... by its tag or label: beside the story, never a part of
    it, whatever prose it holds ("Über Kathrin: Hallo, ich bin Foodbloggerin...")."""
    if node.tag in rules.BOILERPLATE_TAGS:
        return True
    attributes = node.attributes
    label = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    return rules.BOILERPLATE_LABEL.search(label) is not None
