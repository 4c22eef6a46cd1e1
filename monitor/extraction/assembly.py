"""Assembly of the story text: marked blocks flattened, then paragraphs kept or dropped line by line."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from selectolax.lexbor import LexborNode

from monitor.extraction import rules
from monitor.extraction.furniture import is_furniture_line, without_reading_time

_LINK_RUN = re.compile(f"{rules.LINK_START}[^{rules.LINK_END}]*{rules.LINK_END}?")
_LINK_MARKS = re.compile(f"[{rules.LINK_START}{rules.LINK_END}]")
_WORD = re.compile(r"\w")
# a link whose text is a web or mail address: the writer citing a source, a petition or where to write, not a
# menu or a teaser
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_WORDS = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


# the marks before and after each kind of element; one query finds them all (one walk of the container, not
# four). The order of the insertions does not matter: a mark goes right before or right after its element, so
# between two siblings the one after the first always precedes the one before the second
_MARKS_AROUND: dict[str, tuple[str, str | None]] = {
    **dict.fromkeys(rules.HEADING_BLOCKS.split(", "), (rules.HEADING_MARK, rules.PARA_MARK)),
    **dict.fromkeys(rules.PARA_BLOCKS.split(", "), (rules.PARA_MARK, rules.PARA_MARK)),
    **dict.fromkeys(rules.LINE_BLOCKS.split(", "), (rules.LINE_MARK, None)),
    "a": (rules.LINK_START, rules.LINK_END),
}
_MARKED = ", ".join(_MARKS_AROUND)


def flatten(container: LexborNode) -> str:
    """The container's text with private-use marks at block, line, heading and link boundaries."""
    nodes = container.css(_MARKED)
    if not all(node.tag in _MARKS_AROUND for node in nodes):
        return _flatten_by_kind(container)  # an element lexbor matched under another spelling of its name
    _insert_marks((node, _MARKS_AROUND[node.tag or ""]) for node in nodes)
    return container.text()


def _flatten_by_kind(container: LexborNode) -> str:
    for selector in (rules.HEADING_BLOCKS, rules.PARA_BLOCKS, rules.LINE_BLOCKS, "a"):
        marks = _MARKS_AROUND[selector.split(", ")[0]]
        _insert_marks((node, marks) for node in container.css(selector))
    return container.text()


def _insert_marks(marked: Iterable[tuple[LexborNode, tuple[str, str | None]]]) -> None:
    for node, (before, after) in marked:
        node.insert_before(before)
        if after is not None:
            node.insert_after(after)


def assemble(flat: str, title: str | None, authors: tuple[str, ...] = ()) -> str:
    """Turn marked text into paragraphs, dropping link lists, furniture and byline lines and the title."""
    title_key = _key(title) if title else None
    author_keys = [key for key in map(_key, authors) if key]
    paragraphs: list[tuple[str, bool]] = []
    cleaned: dict[str, str] = {}  # each distinct line cleaned once: a table's cells repeat ("X", "221")
    for raw_chunk in _without_invisible_marks(flat).split(rules.PARA_MARK):
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
        lines = [line for line in (_cleaned(line, cleaned) for line in raw_lines) if line]
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
    text = "\n\n".join(paragraph for paragraph, _ in paragraphs)
    # composed (NFC), as readers' tools and the gold texts write it: a page typed with combining accents
    # ("e" + U+0301) would otherwise split its words at every accent; ASCII is NFC already
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _without_invisible_marks(flat: str) -> str:
    """The text without soft hyphens and zero-width breaks: "réac\u00adtion" is the word a reader sees and
    searches for (str.replace per mark: translate() with a table is ten times slower on long texts)."""
    if flat.isascii():
        return flat
    for mark in rules.INVISIBLE_MARKS:
        if mark in flat:
            flat = flat.replace(mark, "")
    return flat


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


def _cleaned(line: str, cleaned: dict[str, str]) -> str:
    found = cleaned.get(line)
    if found is None:
        found = cleaned[line] = _clean_line(line)
    return found


def _clean_line(line: str) -> str:
    line = line.strip()
    if not line:
        return ""
    if rules.LINK_START in line:
        runs = _LINK_RUN.findall(line)
        linked = sum(len(run) - 2 for run in runs)
        unlinked = _LINK_RUN.sub(" ", line)
        line = _LINK_MARKS.sub("", line).strip()
        if _is_call_to_action(unlinked):
            return ""
        if linked > len(line) * rules.MAX_LINK_DENSITY and not all(map(_is_address, runs)):
            return ""
        line = _SPACES.sub(" ", line)
    elif rules.LINK_END in line:
        line = _SPACES.sub(" ", line.replace(rules.LINK_END, "")).strip()
    if len(line) < rules.MAX_FURNITURE_CHARS and (
        not _WORD.search(line) or rules.BOILERPLATE_LINE.match(without_reading_time(line))
    ):
        return ""
    if len(line) < rules.MAX_DISCLOSURE_CHARS and _is_disclosure(line):
        return ""
    return "" if is_furniture_line(line) else line


def _is_address(link_run: str) -> bool:
    return _ADDRESS.fullmatch(_LINK_MARKS.sub("", link_run).strip()) is not None


def _is_disclosure(line: str) -> bool:
    lowered = line.lower()  # substring tests first: the pattern is slow to search every line with
    return (
        any(map(lowered.__contains__, rules.DISCLOSURE_HINTS))
        and rules.DISCLOSURE.search(lowered) is not None
    )


def _key(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))
