"""Word-level diffs of two texts for people: escaped HTML with <ins>/<del>, and counts of words changed."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import escape
from typing import Literal

# Words, runs of whitespace, and single other characters: punctuation changes show, spacing stays intact.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w", re.UNICODE)
# Token pairs compared in one word diff; above it the two texts are shown as removed and added whole, so a
# rewrite of a very long paragraph cannot make a page slow (SequenceMatcher is quadratic at worst).
MAX_DIFF_CELLS = 1_000_000
# Unchanged paragraphs kept around each edit when a body diff is shortened (feeds, webhooks).
CONTEXT_PARAGRAPHS = 1

Piece = tuple[Literal["equal", "insert", "delete"], str]


@dataclass(frozen=True, slots=True)
class WordCounts:
    """Words inserted and deleted between two texts."""

    inserted: int
    deleted: int

    @property
    def total(self) -> int:
        return self.inserted + self.deleted


def word_pieces(old: str, new: str) -> list[Piece]:
    """The new text as runs of unchanged, inserted and deleted text, in reading order."""
    old_tokens = _TOKENS.findall(old)
    new_tokens = _TOKENS.findall(new)
    if len(old_tokens) * len(new_tokens) > MAX_DIFF_CELLS:
        return [piece for piece in (("delete", old), ("insert", new)) if piece[1]]
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    pieces: list[Piece] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(("equal", "".join(new_tokens[new_start:new_end])))
            continue
        if old_end > old_start:
            pieces.append(("delete", "".join(old_tokens[old_start:old_end])))
        if new_end > new_start:
            pieces.append(("insert", "".join(new_tokens[new_start:new_end])))
    return pieces


def count_words(old: str, new: str) -> WordCounts:
    """How many words the edit from `old` to `new` inserted and deleted (paragraph by paragraph)."""
    inserted = deleted = 0
    for block in body_blocks(old, new):
        for kind, text in block:
            if kind == "insert":
                inserted += len(words_of(text))
            elif kind == "delete":
                deleted += len(words_of(text))
    return WordCounts(inserted, deleted)


def changed_words(old: str, new: str) -> set[str]:
    """The lower-cased words that were inserted or deleted."""
    found: set[str] = set()
    for block in body_blocks(old, new):
        for kind, text in block:
            if kind != "equal":
                found.update(word.lower() for word in words_of(text))
    return found


def pieces_html(pieces: Sequence[Piece]) -> str:
    """Escaped HTML of one diff: deletions in <del>, insertions in <ins>."""
    parts = []
    for kind, text in pieces:
        escaped = escape(text)
        if kind == "insert":
            parts.append(f"<ins>{escaped}</ins>")
        elif kind == "delete":
            parts.append(f"<del>{escaped}</del>")
        else:
            parts.append(escaped)
    return "".join(parts)


def inline_html(old: str | None, new: str | None) -> str:
    """A one-line field (headline, byline) as escaped HTML with its changed words marked."""
    return pieces_html(word_pieces(old or "", new or ""))


def body_blocks(old_body: str, new_body: str) -> Iterator[list[Piece]]:
    """One list of pieces per paragraph of the merged body (paragraphs are separated by blank lines)."""
    old_paragraphs = _paragraphs(old_body)
    new_paragraphs = _paragraphs(new_body)
    matcher = SequenceMatcher(None, old_paragraphs, new_paragraphs, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            for paragraph in new_paragraphs[new_start:new_end]:
                yield [("equal", paragraph)]
            continue
        old_block = old_paragraphs[old_start:old_end]
        new_block = new_paragraphs[new_start:new_end]
        # A replaced block pairs its paragraphs in order: an edited paragraph diffs word by word.
        for index in range(max(len(old_block), len(new_block))):
            old_text = old_block[index] if index < len(old_block) else ""
            new_text = new_block[index] if index < len(new_block) else ""
            yield word_pieces(old_text, new_text)


def body_html(old_body: str | None, new_body: str, *, context: int | None = None) -> str:
    """The body as escaped HTML paragraphs with changed words marked; with `context`, only the changed
    paragraphs and that many unchanged ones around each (a gap shows as an ellipsis paragraph)."""
    blocks: list[list[Piece]]
    if old_body is None:  # a first version: nothing to compare with
        blocks = [[("equal", paragraph)] for paragraph in _paragraphs(new_body)]
    else:
        blocks = list(body_blocks(old_body, new_body))
    changed = [any(kind != "equal" for kind, _ in block) for block in blocks]
    keep = [True] * len(blocks)
    if context is not None:
        keep = [any(changed[max(0, index - context) : index + context + 1]) for index in range(len(blocks))]
    parts: list[str] = []
    skipped = False
    for block, kept, is_changed in zip(blocks, keep, changed, strict=True):
        if not kept:
            skipped = True
            continue
        if skipped and parts:
            parts.append('<p class="gap">…</p>')
        skipped = False
        css = ' class="edited"' if is_changed else ""
        parts.append(f"<p{css}>{pieces_html(block)}</p>")
    return "\n".join(parts)


def words_of(text: str) -> list[str]:
    """The words of a text (no spaces or punctuation), as written."""
    return [token for token in _TOKENS.findall(text) if _WORD.match(token)]


def _paragraphs(body: str) -> list[str]:
    return [paragraph.strip() for paragraph in re.split(r"\n\s*\n", body) if paragraph.strip()]
