"""Bounded HTML parsing: markup is capped (nesting depth, attributes per tag, inline data) before lexbor sees
it, so parsing and every walk over the tree stay linear in the page's size (issue 16, item 3).

lexbor itself is quadratic on two shapes: each start tag scans the stack of open elements (100,000 nested
<div>s took minutes) and each attribute is checked against the tag's earlier ones (one tag with 100,000
attributes likewise). Browsers cap the first the same way (Blink stops nesting at 512 levels).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import accumulate
from operator import sub
from typing import AnyStr, Generic

from selectolax.lexbor import LexborHTMLParser

MAX_DEPTH = 512  # open elements; start tags deeper are dropped (their text is kept)
MAX_ATTRIBUTES = 256  # per tag; the rest of the tag's attributes are dropped
MIN_DATA_URI_CHARS = 256  # inline data: URIs this long are emptied (images, fonts: never story text)

# A start or end tag. Quoted values stop at < and > too, so an unclosed quote never scans past the next tag
# (linear); a tag the pattern misses is only not counted.
_TAG = r"""<(/?)([A-Za-z][^\s/>]*+)((?:[^<>"']++|"[^"<>]*+"|'[^'<>]*+')*+)>"""
# For the quick scan: tags as "<" or "</" (a pessimistic depth: void elements count as nesting), then the
# tags of elements that nest, then a tag with over MAX_ATTRIBUTES attributes (only a tag 512 characters
# long is matched further). Each scan from a "<" stops at the next < or >: linear.
_ANY_TAG = r"""<(/?)[A-Za-z]"""
_NESTING_TAG = r"""<(/?)(?!(?:NAMES)[\s/>])[A-Za-z]"""
_LONG_TAG_CHARS = 512
_CHUNK_CHARS = 1024
_MANY_ATTRIBUTES = (
    r"""<[A-Za-z][^\s/>]*+(?=[^<>]{512})"""
    r"""(?:\s++[^\s"'=<>/]++(?:\s*+=\s*+(?:"[^"<>]*+"|'[^'<>]*+'|[^\s"'=<>]++))?+)"""
    rf"""{{{MAX_ATTRIBUTES + 1}}}"""
)
_ATTRIBUTE = r"""[^\s"'=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=>]+))?"""
_DATA_URI = rf"""data:[^"'\s<>)]{{{MIN_DATA_URI_CHARS},}}"""
# Elements that never hold others open: void elements, and those the parser closes by itself when a sibling
# starts (an old page's thousand unclosed <p>s is not a deep page).
_NOT_NESTING = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen "
    "p li dt dd option optgroup tr td th thead tbody tfoot rb rt rp colgroup caption "
    "path use circle rect line polyline polygon ellipse stop".split()  # SVG leaves, written self-closed
)
_NESTING_TAG = _NESTING_TAG.replace("NAMES", "|".join(sorted(_NOT_NESTING, key=len, reverse=True)))
# scripts and styles are raw text: the tags inside their strings ("<div class=ad>" in an ad loader, "<\\/a>"
# closing what it opened) nest nothing, yet the counts above count them
_RAW_TEXT_OPEN = r"<(script|style)\b[^>]*+>"
_RAW_TEXT_CLOSE = r"</(?:script|style)\s*>"
_DEPTH_STEPS: dict[str | bytes, int] = {"": 1, "/": -1, b"": 1, b"/": -1}


@dataclass(frozen=True, slots=True)
class _Syntax(Generic[AnyStr]):
    any_tag: re.Pattern[AnyStr]
    nesting_tag: re.Pattern[AnyStr]
    many_attributes: re.Pattern[AnyStr]
    tag: re.Pattern[AnyStr]
    attribute: re.Pattern[AnyStr]
    data_uri: re.Pattern[AnyStr]
    empty: AnyStr
    space: AnyStr
    slash: AnyStr
    data_stub: AnyStr
    not_nesting: frozenset[AnyStr]
    tag_open: AnyStr
    end_tag_open: AnyStr
    tag_close: AnyStr
    raw_text_open: re.Pattern[AnyStr]
    raw_text_close: re.Pattern[AnyStr]


_TEXT = _Syntax(
    re.compile(_ANY_TAG),
    re.compile(_NESTING_TAG, re.IGNORECASE),
    re.compile(_MANY_ATTRIBUTES),
    re.compile(_TAG),
    re.compile(_ATTRIBUTE),
    re.compile(_DATA_URI),
    "",
    " ",
    "/",
    "data:",
    _NOT_NESTING,
    "<",
    "</",
    ">",
    re.compile(_RAW_TEXT_OPEN, re.IGNORECASE),
    re.compile(_RAW_TEXT_CLOSE, re.IGNORECASE),
)
_BYTES = _Syntax(
    re.compile(_ANY_TAG.encode()),
    re.compile(_NESTING_TAG.encode(), re.IGNORECASE),
    re.compile(_MANY_ATTRIBUTES.encode()),
    re.compile(_TAG.encode()),
    re.compile(_ATTRIBUTE.encode()),
    re.compile(_DATA_URI.encode()),
    b"",
    b" ",
    b"/",
    b"data:",
    frozenset(name.encode() for name in _NOT_NESTING),
    b"<",
    b"</",
    b">",
    re.compile(_RAW_TEXT_OPEN.encode(), re.IGNORECASE),
    re.compile(_RAW_TEXT_CLOSE.encode(), re.IGNORECASE),
)


def parse_html(page: str | bytes) -> LexborHTMLParser:
    """lexbor's tree of a page, its markup bounded first."""
    bounded: str | bytes = bound_markup(page) if isinstance(page, str) else bound_markup(page)
    return LexborHTMLParser(bounded)


def bound_markup(page: AnyStr) -> AnyStr:
    """The page with start tags past MAX_DEPTH (and their end tags) and attributes past MAX_ATTRIBUTES
    dropped; a page within the bounds (every real page) comes back unchanged."""
    syntax: _Syntax[AnyStr] = _BYTES if isinstance(page, bytes) else _TEXT
    return _rewrite(page, syntax) if _out_of_bounds(page, syntax) else page


def without_inline_data(page: AnyStr) -> AnyStr:
    """The page with every long data: URI emptied (inline images and fonts are never story text)."""
    syntax: _Syntax[AnyStr] = _BYTES if isinstance(page, bytes) else _TEXT
    return syntax.data_uri.sub(syntax.data_stub, page)


def _out_of_bounds(page: AnyStr, syntax: _Syntax[AnyStr]) -> bool:
    """Scans in C (counts, regexes and iterators, no Python step per tag) for a tag nested past MAX_DEPTH or
    one with over MAX_ATTRIBUTES attributes: about a millisecond on a large page."""
    too_deep = (
        # the bound over chunks four times as large is never below the one over chunks (each coarse chunk is
        # four fine ones), and far cheaper in Python steps: most pages stop there
        _depth_bound(page, syntax, 4 * _CHUNK_CHARS) > MAX_DEPTH
        and _depth_bound(page, syntax) > MAX_DEPTH
        and _depth(page, syntax.any_tag) > MAX_DEPTH
        and _depth(page, syntax.nesting_tag) > MAX_DEPTH
        and _depth(_without_raw_text(page, syntax), syntax.nesting_tag) > MAX_DEPTH
    )
    if too_deep:
        return True
    # only a tag at least 512 characters long can hold that many attributes: count them there alone. A tag
    # is the text after the last "<" of a piece between two ">"s; splitting at ">" is one C pass, cheaper
    # than a regex trying every "<"
    for piece in page.split(syntax.tag_close):
        if len(piece) <= _LONG_TAG_CHARS:
            continue
        start = piece.rfind(syntax.tag_open)
        if start >= 0 and len(piece) - start > _LONG_TAG_CHARS and syntax.many_attributes.match(piece, start):
            return True
    return False


def _depth_bound(page: AnyStr, syntax: _Syntax[AnyStr], chunk_chars: int = _CHUNK_CHARS) -> int:
    """An upper bound of the nesting depth from "<" and "</" counts per chunk: a rise from chunk i to chunk j
    is at most the start tags in both plus the net of the chunks between (every "<" counted as opening)."""
    deepest = 0
    carried = -1  # the largest rise that can reach the end of the previous chunk; -1 before the first
    for start in range(0, len(page), chunk_chars):
        end = start + chunk_chars
        closes = page.count(syntax.end_tag_open, start, end)
        opens = page.count(syntax.tag_open, start, end) - closes
        deepest = max(deepest, opens, carried + opens)
        carried = max(opens, carried + opens - closes)
    return deepest


def is_json_document(page: str | bytes) -> bool:
    """The page is one JSON value (an API answer served as text/html), not markup."""
    text = page.lstrip("\ufeff \t\r\n") if isinstance(page, str) else page.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] not in ("{", "[", b"{", b"[") or text.rstrip()[-1:] not in ("}", "]", b"}", b"]"):
        return False
    try:
        json.loads(text)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        return False
    return True


def _without_raw_text(page: AnyStr, syntax: _Syntax[AnyStr]) -> AnyStr:
    """The page without the contents of its scripts and styles; each character is scanned once (an unclosed
    <script> runs to the end of the page, as in a browser)."""
    kept = []
    position = 0
    while True:
        opening = syntax.raw_text_open.search(page, position)
        if opening is None:
            kept.append(page[position:])
            break
        kept.append(page[position : opening.end()])
        closing = syntax.raw_text_close.search(page, opening.end())
        if closing is None:
            break
        position = closing.start()
    return syntax.empty.join(kept)


def _depth(page: AnyStr, tag_pattern: re.Pattern[AnyStr]) -> int:
    steps = list(accumulate(map(_DEPTH_STEPS.__getitem__, tag_pattern.findall(page)), initial=0))
    # The deepest nesting is the largest rise of the running count: stray end tags before it open nothing.
    deepest: int = max(map(sub, steps, accumulate(steps, min)))
    return deepest


def _attribute_count(attributes: AnyStr, syntax: _Syntax[AnyStr]) -> int:
    return sum(1 for _ in zip(syntax.attribute.finditer(attributes), range(MAX_ATTRIBUTES + 1), strict=False))


def _rewrite(page: AnyStr, syntax: _Syntax[AnyStr]) -> AnyStr:
    depth = 0
    dropped = 0  # start tags dropped and not yet closed

    def bound(tag: re.Match[AnyStr]) -> AnyStr:
        nonlocal depth, dropped
        closing, name, attributes = tag.group(1), tag.group(2), tag.group(3)
        if name.lower() in syntax.not_nesting or attributes.rstrip().endswith(syntax.slash):
            return _bounded_attributes(tag, syntax)
        if closing:
            if dropped:
                dropped -= 1
                return syntax.empty
            depth = max(depth - 1, 0)
            return tag.group(0)
        if depth >= MAX_DEPTH:
            dropped += 1
            return syntax.empty
        depth += 1
        return _bounded_attributes(tag, syntax)

    return syntax.tag.sub(bound, page)


def _bounded_attributes(tag: re.Match[AnyStr], syntax: _Syntax[AnyStr]) -> AnyStr:
    attributes = tag.group(3)
    if len(attributes) < MAX_ATTRIBUTES * 2:  # too short to hold that many: the common case, no scan
        return tag.group(0)
    found = syntax.attribute.finditer(attributes)
    kept = [attribute.group(0) for attribute, _ in zip(found, range(MAX_ATTRIBUTES), strict=False)]
    whole = tag.group(0)
    return whole[: tag.start(3) - tag.start(0)] + syntax.space + syntax.space.join(kept) + whole[-1:]
