"""The story's title: the visible headline (never a logo <h1>), else the metadata title minus site name."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extraction import meta_rules
from monitor.extraction.clean import normalize_space, squeeze

_WORD = re.compile(r"\w+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?’”)\]])")
_CJK = "\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef"
# separators of a site name: spaced ASCII ones, full-width ones, and bare ASCII ones touching CJK text
SITE_SEPARATOR = re.compile(
    rf"\s+[|\-–—:·»<>]\s+|\s+::\s+|\s*[｜：丨│]\s*|(?<=[{_CJK}])\s*[:|]\s*|\s*[:|]\s*(?=[{_CJK}])"
)
MAX_HEADINGS = 3  # <h1>s looked at for the headline (logos and section names come first)
MAX_LOGO_CHARS = 40
KICKER_SEPARATORS = "—–-|:·»/ "  # left between a kicker and its headline
MAX_KICKER_PARTS = 2  # parts of an <h1> before its headline taken as a kicker
MAX_TITLE_HEADINGS = 12  # <h1>s and <h2>s searched for one that spells the metadata title


def headline(tree: LexborHTMLParser, site_name: str | None) -> LexborNode | None:
    """The first <h1> that is not the site's logo or name."""
    for count, node in enumerate(tree.css("h1")):
        if count >= MAX_HEADINGS:
            break
        if not _is_logo(node, site_name) and not _is_template(node):
            return node
    return None


def _is_template(node: LexborNode) -> bool:
    """An <h1> of an unrendered client-side template ("{{ navItem.title }} Overview")."""
    text = node.text()
    return "{{" in text and "}}" in text


def _is_logo(node: LexborNode, site_name: str | None) -> bool:
    text = normalize_space(node.text())
    if not text:
        return True
    if site_name and squeeze(text) == squeeze(site_name):
        return True
    if len(text) > MAX_LOGO_CHARS:
        return False
    if node.css_first("img, svg") is not None:
        return True
    for link in node.css("a[href]"):
        target = urlsplit(link.attributes.get("href") or "")
        if target.path in ("", "/") and not target.query:
            return True  # a link to the home page
    return False


def story_headline(
    tree: LexborHTMLParser, heading: LexborNode | None, page_title: tuple[str, str]
) -> LexborNode | None:
    """The headline of the story: `heading` (the first <h1> that is no logo), unless it tells another story
    than the page's own title (og:title, else <title>) and another <h1> or <h2> spells that title exactly (the
    first <h1> names the blog, the section or the author: "The Go Blog" above "Defer, Panic, and Recover").
    JSON-LD headlines are not asked: an embedded video's would name another story. `page_title`: as
    page_title() gives it."""
    if heading is None:
        return None
    wanted = squeeze(page_title[0])
    if len(wanted) < meta_rules.MIN_HEADLINE_CHARS or _alike(headline_text(heading), page_title[0]):
        return heading
    for count, node in enumerate(tree.css("h1, h2")):
        if count >= MAX_TITLE_HEADINGS:
            break
        if squeeze(headline_text(node)) == wanted:
            return node
    return heading


def _without_kicker(heading: LexborNode, heading_text: str, page_title: tuple[str, str]) -> str:
    """The headline without the kicker set in elements of its own before it inside the <h1> ("<small>
    Tunesien</small><br>", "<div>Local News |</div>", a hidden "Headline:" label), where the page's own title
    spells the rest exactly: without that title to confirm it, a kicker stays."""
    parts = _parts(heading)
    if len(parts) < 2:
        return heading_text
    wanted = {squeeze(title) for title in page_title} - {""}
    if squeeze(heading_text) in wanted or not any(
        len(key) >= meta_rules.MIN_HEADLINE_CHARS for key in wanted
    ):
        return heading_text
    for start in range(1, min(MAX_KICKER_PARTS, len(parts) - 1) + 1):
        rest = normalize_space(" ".join(parts[start:]))
        if squeeze(rest) in wanted:
            return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", rest.lstrip(KICKER_SEPARATORS))
    return heading_text


def _parts(heading: LexborNode) -> list[str]:
    """The texts of the headline's parts: its children, below any element that wraps all of them."""
    node = heading
    while True:
        children = [
            child
            for child in node.iter(include_text=True)
            if child.tag != "br" and (child.tag != "-text" or (child.text(deep=False) or "").strip())
        ]
        if len(children) == 1 and children[0].tag != "-text":
            node = children[0]
            continue
        return [child.text(deep=child.tag != "-text") for child in children]


def page_title(tree: LexborHTMLParser, site_name: str | None) -> tuple[str, str]:
    """The page's own title (og:title, else <title>), read once for story_headline and best_title: without
    the site name as the site names itself, and as strip_site_name cuts it knowing no site name."""
    head = tree.head
    og_title = head.css_first('meta[property="og:title"][content]') if head is not None else None
    raw = (og_title.attributes.get("content") or "") if og_title is not None else ""
    if not raw.strip():
        title_node = tree.css_first("title")
        raw = title_node.text() if title_node is not None else ""
    title = normalize_space(html.unescape(raw))
    return strip_site_name(title, site_name), strip_site_name(title, None)


def _alike(heading: str, title: str) -> bool:
    """The visible headline and the metadata title tell the same story: one holds the other, or they share
    half the headline's words (an SEO title rewords the headline; a section name shares none)."""
    squeezed_heading, squeezed_title = squeeze(heading), squeeze(title)
    if squeezed_heading in squeezed_title or squeezed_title in squeezed_heading:
        return True
    heading_words = set(_WORD.findall(heading.lower()))
    shared = heading_words & set(_WORD.findall(title.lower()))
    return len(shared) * 2 >= len(heading_words)


def headline_text(node: LexborNode | None) -> str:
    """The headline's text: a kicker in its own element stays a separate word, a comment counter goes."""
    if node is None:
        return ""
    parts: list[str] = []
    for text_node in node.traverse(include_text=True):
        if text_node.tag != "-text":
            continue
        parent = text_node.parent
        own = text_node.text(deep=False) or ""
        if parent is not None and parent.mem_id != node.mem_id and own.strip().isdigit():
            continue  # "(latimes.com) 87": the count of comments, linked inside the headline
        if _in_a_time(text_node, node):
            continue  # "<time>Dec 18 2025</time> Preparing a transition": the date set in the headline
        if parts and _splits_a_word(parts[-1], own):
            parts[-1] += own  # "Planning C<span>ycle</span>": a styled letter, not a separate word
            continue
        parts.append(own)
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", normalize_space(" ".join(parts)))


def _in_a_time(text_node: LexborNode, heading: LexborNode) -> bool:
    parent = text_node.parent
    while parent is not None and parent.mem_id != heading.mem_id:
        if parent.tag == "time":
            return True
        parent = parent.parent
    return False


def _splits_a_word(before: str, after: str) -> bool:
    """Two text nodes that meet inside a word: a letter standing alone right before (a styled initial,
    "C<span>ycle</span>"), a lower-case letter right after. Whole words in elements of their own (an
    animated headline's "<span>product</span><span>development</span>") stay apart."""
    if not after or not after[0].islower() or not before or not before[-1].isalpha():
        return False
    return len(before) == 1 or before[-2].isspace()


def best_title(
    tree: LexborHTMLParser,
    heading: LexborNode | None,
    title: str | None,
    site_name: str | None,
    own_title: tuple[str, str],
) -> str | None:
    """The visible headline when it is one, even where the metadata title differs: users know a story by
    the headline they see (measured on the development sets: more titles right than agreement alone), less
    a kicker that `own_title` (page_title()'s) shows is none of it."""
    heading_text = headline_text(heading)
    if meta_rules.MIN_HEADLINE_CHARS <= len(heading_text) <= meta_rules.MAX_HEADLINE_CHARS:
        return _without_kicker(heading, heading_text, own_title) if heading is not None else heading_text
    if not title:
        return _markup_title(tree, heading_text, site_name)
    return strip_site_name(html.unescape(title), site_name)


def _markup_title(tree: LexborHTMLParser, heading_text: str, site_name: str | None) -> str | None:
    title_node = tree.css_first("title")
    title_text = normalize_space(title_node.text()) if title_node is not None else ""
    if title_text:
        title_text = strip_site_name(title_text, site_name)
    if heading_text and (not title_text or heading_text.lower() in title_text.lower()):
        return heading_text
    return title_text or heading_text or None


def strip_site_name(title: str, site_name: str | None) -> str:
    """A title without the site name that the <title> adds ("Headline | Site", "見出し：サイト名")."""
    parts = [part.rstrip("。") for part in SITE_SEPARATOR.split(title) if part.strip()]
    if len(parts) < 2:
        return title
    if site_name and site_name.lower() in parts[-1].lower():
        return normalize_space(" ".join(parts[:-1]))
    if site_name and site_name.lower() in parts[0].lower():
        return normalize_space(" ".join(parts[1:]))
    longest = max(parts, key=len)
    return normalize_space(longest) if len(longest) > len(title) / 2 else title
