"""Input hygiene: decode bytes, bound the input, parse, and drop the tags that never hold story text."""

from __future__ import annotations

import codecs
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.charset import decode_html
from monitor.extraction import rules
from monitor.markup import parse_html, without_inline_data

_SPACES = re.compile(r"\s+")


def _lexbor_input(html: bytes) -> bytes | str:
    """Page bytes as lexbor should read them, decoded by monitor.charset (the fetcher's decoder too): UTF-8
    (a UTF-8 BOM dropped) as the bytes themselves, since lexbor reads UTF-8 and a str would only be encoded
    back to it; anything else decoded to text."""
    # valid UTF-8 is what monitor.charset.encoding_of answers first for such bytes (no other BOM it knows is
    # valid UTF-8): tested here once, not again inside it (a decode of the whole page, ~3% of extraction)
    body = html.removeprefix(codecs.BOM_UTF8)
    if _is_utf8(body):
        return body
    return decode_html(html)


def _is_utf8(html: bytes) -> bool:
    if html.isascii():
        return True  # ASCII is UTF-8: a check far cheaper than decoding
    try:
        html.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse(html: str | bytes) -> LexborHTMLParser:
    """Parse a page after decoding it and bounding its size (in characters)."""
    return parse_bounded(html)[0]


def parse_bounded(html: str | bytes) -> tuple[LexborHTMLParser, bool]:
    """The parsed page, and whether it was cut at MAX_HTML_CHARS: a page over it loses its inline data:
    URIs first (an 8M-character image before the story left nothing of it; issue 16)."""
    page = _lexbor_input(html) if isinstance(html, bytes) else html
    if len(page) > rules.MAX_HTML_CHARS:
        page = without_inline_data(page) if isinstance(page, str) else without_inline_data(page)
    cut = len(page) > rules.MAX_HTML_CHARS
    if cut:
        text = page.decode("utf-8") if isinstance(page, bytes) else page
        page = text[: rules.MAX_HTML_CHARS]
    return parse_html(page), cut


_CODE_TAGS = frozenset({"script", "style"})  # the tags of rules.CODE_SELECTOR


def code_nodes(tree: LexborHTMLParser) -> list[LexborNode]:
    """Every script and style of the page: one walk of the tree serves the JSON-LD, the app state and
    drop_code (each walk of a whole page by a selector costs about as much as any other)."""
    return tree.css(rules.CODE_SELECTOR)


def code_nodes_and(tree: LexborHTMLParser, selector: str) -> tuple[list[LexborNode], list[LexborNode]]:
    """code_nodes(tree), and what `selector` matches besides, from ONE walk of the tree (a walk costs about
    as much whatever the selector list; `selector` must match no script or style)."""
    code: list[LexborNode] = []
    other: list[LexborNode] = []
    for node in tree.css(f"{rules.CODE_SELECTOR}, {selector}"):
        (code if node.tag in _CODE_TAGS else other).append(node)
    return code, other


def scripts_where(
    tree: LexborHTMLParser, code: list[LexborNode], selector: str, attribute: str, value: str
) -> list[LexborNode]:
    """What `selector` (script[attribute=value] or script#value) matches, taken from `code` without walking
    the tree again. A script whose attribute is `value` exactly matches; lexbor also matches some values
    equal to it only when case-folded (type always, id in quirks mode): with one of those, lexbor decides."""
    folded = value.lower()
    found = [
        node
        for node in code
        if node.tag == "script" and (node.attributes.get(attribute) or "").lower() == folded
    ]
    if all(node.attributes.get(attribute) == value for node in found):
        return found
    return tree.css(selector)


def drop_code(tree: LexborHTMLParser, code: list[LexborNode] | None = None) -> None:
    """Remove every script and style: their text is code, and it changes with every deploy. `code`: the
    page's code_nodes, when read before and the tree unchanged since."""
    for node in code_nodes(tree) if code is None else code:
        node.decompose()


def drop_junk(node: LexborNode) -> None:
    """Remove scripts, styles, media and form controls (with everything inside them) under a node."""
    for junk in node.css(rules.JUNK_SELECTOR):
        if junk.mem_id == node.mem_id:
            continue  # lexbor's css() matches the node itself: a <noscript> chosen as the story container
        if junk.tag == "noscript" and _holds_story(junk):
            junk.unwrap()  # Blogger and others print the story itself in <noscript>
        else:
            junk.decompose()


def _holds_story(noscript: LexborNode) -> bool:
    # paragraphs, or text broken by <br>s (Blogger prints its posts so)
    return noscript.css_first("p, br") is not None and len(noscript.text()) >= rules.NOSCRIPT_STORY_CHARS


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace to one space and trim the ends."""
    return _SPACES.sub(" ", text).strip()


def squeeze(text: str) -> str:
    """Letters and digits only, lower-cased: two spellings of one name or title compare equal."""
    return "".join(character for character in text.lower() if character.isalnum())
