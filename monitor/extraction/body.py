"""Main-content detection (readability-like paragraph scoring) and assembly of the story text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extraction import rules
from monitor.extraction.clean import drop_junk
from monitor.extraction.furniture import is_furniture_line
from monitor.extraction.hidden import remove_hidden
from monitor.extraction.parts import ParagraphParent, leading_parts

_LINK_RUN = re.compile(f"{rules.LINK_START}[^{rules.LINK_END}]*{rules.LINK_END}?")
_LINK_MARKS = re.compile(f"[{rules.LINK_START}{rules.LINK_END}]")
_WORD = re.compile(r"\w")
_WORDS = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


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
    containers = find_main(body)
    return text_of(containers, title, authors)


def text_of(containers: list[LexborNode], title: str | None = None, authors: tuple[str, ...] = ()) -> str:
    """Clean the given containers and assemble their text."""
    flat_parts = []
    for container in containers:
        drop_junk(container)
        remove_link_cards(container)
        remove_tables_of_contents(container)
        remove_boilerplate(container)
        flat_parts.append(flatten(container))
    return assemble(rules.PARA_MARK.join(flat_parts), title, authors)


def remove_nodes(
    root: LexborNode, selector: str, protect: str | None = None, max_chars: int | None = None
) -> None:
    """Drop every node matching `selector`, except those holding a `protect` match or over `max_chars`."""
    for node in _unique(root.css(selector)):
        if protect is not None and node.css_first(protect) is not None:
            continue
        if max_chars is not None and len(node.text()) > max_chars:
            continue
        node.decompose()


def _unique(nodes: list[LexborNode]) -> list[LexborNode]:
    # lexbor returns a node once per matching member of a selector list
    seen: set[int] = set()
    unique = []
    for node in nodes:
        key = node.mem_id
        if key not in seen:
            seen.add(key)
            unique.append(node)
    return unique


def find_main(body: LexborNode) -> list[LexborNode]:
    """The story container(s): the best-scoring paragraph parent, with siblings that score alike."""
    parents: dict[int, ParagraphParent] = {}
    candidates = _score_paragraph_parents(body, parents)
    if not candidates:
        return [body]
    ranked = sorted(candidates.values(), key=lambda candidate: candidate.score, reverse=True)
    top = ranked[: rules.TOP_CANDIDATES]
    for candidate in top:
        candidate.score *= 1.0 - _link_density(candidate.node)
    best = max(top, key=lambda candidate: candidate.score)
    best = _climb(best, candidates)
    chosen = _with_siblings(best, candidates)
    parts = leading_parts(best.node, chosen, parents)
    return parts + chosen if parts else chosen


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
    body: LexborNode, parents: dict[int, ParagraphParent] | None = None
) -> dict[int, _Candidate]:
    """Score the ancestors of every paragraph; `parents` collects the elements holding paragraphs directly."""
    parents = {} if parents is None else parents
    candidates: dict[int, _Candidate] = {}
    chains: dict[int, list[_Candidate]] = {}  # paragraphs of one parent share its chain of ancestors
    weights = rules.ANCESTOR_WEIGHTS
    text_holders: set[int] = set()
    wrappers: dict[int, bool] = {}
    for paragraph in body.css(rules.PARAGRAPH_SELECTOR + ", br"):
        if paragraph.tag == "br":
            # text written straight into a <div> between <br>s counts as that div's paragraph
            holder = paragraph.parent
            if holder is None or holder.tag in rules.TEXT_BLOCK_TAGS or holder.mem_id in text_holders:
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
    if rules.NEGATIVE_CLASS.search(label):
        weight -= rules.CLASS_WEIGHT
    if rules.POSITIVE_CLASS.search(label):
        weight += rules.CLASS_WEIGHT
    return weight


def _link_density(node: LexborNode) -> float:
    total = len(node.text())
    if not total:
        return 1.0
    linked = sum(len(link.text()) for link in node.css("a"))
    return min(linked / total, 1.0)


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
        if candidate is not None and candidate.score >= threshold and _link_density(sibling) < 0.25:
            chosen.append(sibling)
    return chosen


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
        if len(links) >= rules.MIN_TOC_LINKS and _link_density(node) >= rules.TOC_MIN_LINK_SHARE:
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
    for node in _unique(matches):
        if node.parent is None:
            continue
        link_density = _link_density(node)
        if len(node.text()) > limit and link_density < rules.MAX_LINK_DENSITY:
            continue
        if link_density < rules.MAX_LINK_DENSITY and (
            _labelled_by_heading_slug(node) or _accordion_panel(node)
        ):
            continue
        node.decompose()


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


def flatten(container: LexborNode) -> str:
    """The container's text with private-use marks at block, line, heading and link boundaries."""
    for node in container.css(rules.HEADING_BLOCKS):
        node.insert_before(rules.HEADING_MARK)
        node.insert_after(rules.PARA_MARK)
    for node in container.css(rules.PARA_BLOCKS):
        node.insert_before(rules.PARA_MARK)
        node.insert_after(rules.PARA_MARK)
    for node in container.css(rules.LINE_BLOCKS):
        node.insert_before(rules.LINE_MARK)
    for node in container.css("a"):
        node.insert_before(rules.LINK_START)
        node.insert_after(rules.LINK_END)
    return container.text()


def assemble(flat: str, title: str | None, authors: tuple[str, ...] = ()) -> str:
    """Turn marked text into paragraphs, dropping link lists, furniture and byline lines and the title."""
    title_key = _key(title) if title else None
    author_keys = [key for key in map(_key, authors) if key]
    paragraphs: list[tuple[str, bool]] = []
    for raw_chunk in flat.split(rules.PARA_MARK):
        words = raw_chunk.split()
        if not words:
            continue
        chunk = " ".join(words)
        is_heading = rules.HEADING_MARK in chunk
        if is_heading:
            chunk = chunk.replace(rules.HEADING_MARK, "")
        raw_lines = [line for line in chunk.split(rules.LINE_MARK) if line.strip()]
        if _is_more_stories_list(raw_lines, paragraphs):
            paragraphs.pop()
            continue
        lines = [line for line in map(_clean_line, raw_lines) if line]
        if author_keys:
            lines = [line for line in lines if not _is_byline_line(line, author_keys)]
        if not lines:
            continue
        paragraph = "\n".join(lines)
        if title_key and _may_repeat_title(paragraph, title_key, first=not paragraphs):
            if _repeats_title(_key(paragraph), title_key, first=not paragraphs):
                continue
        paragraphs.append((paragraph, is_heading))
    while paragraphs and paragraphs[-1][1]:
        paragraphs.pop()
    return "\n\n".join(paragraph for paragraph, _ in paragraphs)


def _is_more_stories_list(raw_lines: list[str], paragraphs: list[tuple[str, bool]]) -> bool:
    """A list whose every item holds a link, under a "More Great WIRED Stories" or "More on X" heading."""
    if len(raw_lines) < 2 or not paragraphs:
        return False
    heading = paragraphs[-1][0]
    if len(heading) > rules.MAX_FURNITURE_CHARS or not rules.MORE_STORIES_HEADING.match(heading):
        return False
    return all(rules.LINK_START in line for line in raw_lines)


def _may_repeat_title(paragraph: str, title_key: str, *, first: bool) -> bool:
    """A cheap test before building the paragraph's key: a paragraph many times longer than the headline
    (prose; its words alone would outgrow the headline's) is not the headline repeated."""
    if first:
        return True
    return (
        len(paragraph)
        <= len(title_key) * rules.TITLE_REPEAT_MAX_LENGTH_RATIO + rules.TITLE_REPEAT_SLACK_CHARS
    )


def _repeats_title(key: str, title_key: str, *, first: bool) -> bool:
    """The headline repeated in the body: equal to the title anywhere; and, as the first paragraph, also
    a headline that the title contains or that contains the title ("Headline | Site", "Site: Headline")."""
    if key == title_key:
        return True
    if not first or len(key) < rules.MIN_HEADLINE_KEY_CHARS:
        return False
    shorter, longer = sorted((key, title_key), key=len)
    return f" {shorter} " in f" {longer} " and len(shorter) >= len(longer) * rules.HEADLINE_CONTAINED_SHARE


def _is_byline_line(line: str, author_keys: list[str]) -> bool:
    """A short line of the author names with "by" or a date ("Written by Ann Lee", "2019-11-20 Ann Lee")."""
    if len(line) > rules.MAX_BYLINE_LINE_CHARS or not rules.BYLINE_LINE_ANCHOR.search(line.lower()):
        return False
    key = f" {_key(line)} "
    rest = key
    for author_key in author_keys:
        rest = rest.replace(f" {author_key} ", " ")
    if rest == key or not rules.BYLINE_LINE_ANCHOR.search(rest):
        return False  # no author named, or a bare name: a sign-off ("-Kalyn Keen") is the story's
    return not rules.BYLINE_LINE_FILLER.sub("", rest).strip()


def _is_call_to_action(unlinked: str) -> bool:
    """The text around a line's links is a call to action and little more ("Related post: <a>X</a>")."""
    action = rules.CTA_LINE.match(unlinked.strip())
    return action is not None and len(unlinked[action.end() :].split()) <= rules.MAX_CTA_EXTRA_WORDS


def _clean_line(line: str) -> str:
    line = line.strip()
    if not line:
        return ""
    if rules.LINK_START in line:
        linked = sum(len(run) - 2 for run in _LINK_RUN.findall(line))
        unlinked = _LINK_RUN.sub(" ", line)
        line = _LINK_MARKS.sub("", line).strip()
        if linked > len(line) * rules.MAX_LINK_DENSITY or _is_call_to_action(unlinked):
            return ""
        line = _SPACES.sub(" ", line)
    elif rules.LINK_END in line:
        line = _SPACES.sub(" ", line.replace(rules.LINK_END, "")).strip()
    if len(line) < rules.MAX_FURNITURE_CHARS and (
        not _WORD.search(line) or rules.BOILERPLATE_LINE.match(line)
    ):
        return ""
    if len(line) < rules.MAX_DISCLOSURE_CHARS and _is_disclosure(line):
        return ""
    return "" if is_furniture_line(line) else line


def _is_disclosure(line: str) -> bool:
    lowered = line.lower()  # substring tests first: the pattern is slow to search every line with
    return (
        any(map(lowered.__contains__, rules.DISCLOSURE_HINTS))
        and rules.DISCLOSURE.search(lowered) is not None
    )


def _key(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))
