"""Field-aware comparison of two snapshots: which fields changed, paragraph alignment, readable diffs."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from monitor.compare.churn import listing_churn, masked
from monitor.compare.snapshot import Snapshot, body_key
from monitor.compare.stamps import stamps_only
from monitor.headline import holds_headline

FIELD_ORDER = ("title", "byline", "published", "modified", "body")
DATE_FIELDS = frozenset({"published", "modified"})
# Listing churn (churn.py) changes the body, and may move the dates with it (a listing's date is often its
# first item's); a headline or byline edit is never churn.
CHURN_FIELDS = DATE_FIELDS | {"body"}
# Two paragraphs in a replaced block are "the same paragraph, edited" when this share of their words survives
# (difflib ratio over word lists); below it the old one counts as removed and the new one as added.
EDIT_SIMILARITY = 0.5
# Paragraph pairs compared when pairing one replaced block; above it (a rewrite of hundreds of paragraphs),
# pairing is by position so a comparison stays well under a second.
MAX_PAIRING_CELLS = 10_000
# Unchanged paragraphs shown around each change in the body diff, like `diff -U1`.
CONTEXT_PARAGRAPHS = 1
NO_CHANGE_SUMMARY = "no change"
REORDERED_SUMMARY = "body reordered (no words changed)"

# Line prefixes of the stored diff; `render_diff` keys its colours on them.
SECTION_PREFIX = "== "
HUNK_PREFIX = "@@ "
REMOVED_PREFIX = "- "
ADDED_PREFIX = "+ "
EDITED_PREFIX = "~ "
CONTEXT_PREFIX = "  "

_ANSI_RESET = "\x1b[0m"
_ANSI_BOLD = "\x1b[1m"
_ANSI_RED = "\x1b[31m"
_ANSI_GREEN = "\x1b[32m"
_ANSI_CYAN = "\x1b[36m"
_WORDS = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_LETTERS = re.compile(r"[^\W\d_]+")
_WORD_REMOVED = re.compile(r"\[-(.*?)-\]")
_WORD_ADDED = re.compile(r"\{\+(.*?)\+\}")

OpKind = Literal["equal", "added", "removed", "edited"]


@dataclass(frozen=True, slots=True)
class Comparison:
    """What changed between two versions of a story."""

    changed: bool  # any field differs after normalisation
    # only dates differ (date stamps in the body too), only the order of the paragraphs, or listing churn:
    # stored, not alerted (decide() also makes an unsure story's wordless change minor)
    minor: bool
    fields: tuple[str, ...]  # changed fields, in FIELD_ORDER
    added: int  # body paragraphs
    removed: int
    edited: int
    summary: str  # one line: "title, body +1 -0 ~2 paragraphs", "modified (date only)"
    diff: str  # per-field sections; the body as a paragraph-level diff with word-level markup
    churn: bool = False  # listing churn (monitor/compare/churn.py): items moved, entered or left; no edit


@dataclass(frozen=True, slots=True)
class _BodyOp:
    kind: OpKind
    old_index: int  # -1 for an added paragraph
    new_index: int  # -1 for a removed paragraph


def compare(old: Snapshot, new: Snapshot) -> Comparison:
    """Compare two snapshots field by field; the body paragraph by paragraph."""
    fields = tuple(name for name in FIELD_ORDER if _field_changed(old, new, name))
    body_ops = _align_paragraphs(old.paragraphs, new.paragraphs) if "body" in fields else []
    added = sum(op.kind == "added" for op in body_ops)
    removed = sum(op.kind == "removed" for op in body_ops)
    edited = sum(op.kind == "edited" for op in body_ops)
    reordered = _only_reordered(old, new, fields)
    minor = bool(fields) and (DATE_FIELDS.issuperset(fields) or reordered or _only_stamps(old, new, fields))
    summary = REORDERED_SUMMARY if reordered else _summary(fields, minor, added, removed, edited)
    found = listing_churn(old, new) if "body" in fields and CHURN_FIELDS.issuperset(fields) else None
    if found is not None and not reordered:
        summary = found.summary
    return Comparison(
        changed=bool(fields),
        minor=minor or found is not None,
        fields=fields,
        added=added,
        removed=removed,
        edited=edited,
        summary=summary,
        diff=_diff(old, new, fields, body_ops),
        churn=found is not None and found.items_move,
    )


def wordless(old: Snapshot, new: Snapshot) -> bool:
    """No word written or deleted: headline and body hold the same words (a token with a letter), with
    figures masked, letter case folded and the order of lines and of words ignored ("16k subscribers" ->
    "17k", a list's items reversed inside one line, a rotating quote swapped with the headline); tokens
    without a letter ("$5", "100%") are figures. The byline is the same, or another name both versions
    print (a thread whose first post moved); a byline that came or went is a change."""
    old_words, new_words = _word_counts(old), _word_counts(new)
    if old_words != new_words:
        return False
    if old.byline == new.byline:
        return True
    if not (old.byline and new.byline):
        return False
    listed = set(_LETTERS.findall(" ".join((old.title, *old.paragraphs)).casefold()))
    return all(set(_LETTERS.findall(byline.casefold())) <= listed for byline in (old.byline, new.byline))


def _word_counts(snap: Snapshot) -> Counter[str]:
    """The words of the headline and body: tokens with a letter, figures masked ("Backlog#"), casefolded."""
    words: Counter[str] = Counter()
    for text in (snap.title, *snap.paragraphs):
        words.update(_words_of(text))
    return words


def _words_of(text: str) -> list[str]:
    return [token for token in masked(text).casefold().split() if _LETTER.search(token)]


def _only_reordered(old: Snapshot, new: Snapshot, fields: Sequence[str]) -> bool:
    """Only the body changed, and in it only the order of the paragraphs: not one word was written or deleted.

    A story's edit changes words; the same paragraphs in another order is a list or a teaser river reshuffled
    (a page that lists things, or a "most read" block the extractor kept), stored but not alerted."""
    return tuple(fields) == ("body",) and sorted(old.paragraphs) == sorted(new.paragraphs)


def _only_stamps(old: Snapshot, new: Snapshot, fields: Sequence[str]) -> bool:
    """Only dates changed, and in the body only a date stamp line or two ("Updated March 19, 2025" ->
    "Updated March 20, 2025"): a re-save, not an edit (stamps.py)."""
    if "body" not in fields or not CHURN_FIELDS.issuperset(fields):
        return False
    old_lines, new_lines = _lines(old), _lines(new)
    return stamps_only(list((old_lines - new_lines).elements()), list((new_lines - old_lines).elements()))


def _lines(snap: Snapshot) -> Counter[str]:
    return Counter(line for paragraph in snap.paragraphs for line in paragraph.split("\n"))


def _field_changed(old: Snapshot, new: Snapshot, name: str) -> bool:
    if name != "body":
        return bool(getattr(old, name) != getattr(new, name))
    if body_key(old) == body_key(new):
        return False
    titles = [title for title in {old.title, new.title} if title]
    return _body_without_headline(old, titles) != _body_without_headline(new, titles)


def _body_without_headline(snap: Snapshot, titles: Sequence[str]) -> str:
    """The body key, without a first paragraph that restates one of these titles."""
    if snap.paragraphs and any(_restates(snap.paragraphs[0], title) for title in titles):
        return " ".join(snap.paragraphs[1:])
    return body_key(snap)


def _restates(paragraph: str, title: str) -> bool:
    paragraph_key = " ".join(_WORDS.findall(paragraph.lower()))
    title_key = " ".join(_WORDS.findall(title.lower()))
    if not paragraph_key or not title_key:
        return False
    # A first paragraph restating the headline (monitor/headline.py) shows up or goes away when the chosen
    # title changes, which is a title edit, not a body edit.
    return holds_headline(paragraph_key, title_key)


def _summary(fields: Sequence[str], minor: bool, added: int, removed: int, edited: int) -> str:
    if not fields:
        return NO_CHANGE_SUMMARY
    if minor:
        return ", ".join(fields) + " (date only)"
    parts = [name for name in fields if name != "body"]
    if "body" in fields:
        parts.append(f"body +{added} -{removed} ~{edited} paragraphs")
    return ", ".join(parts)


# --- paragraph alignment ---------------------------------------------------------------------------------


def _align_paragraphs(old: Sequence[str], new: Sequence[str]) -> list[_BodyOp]:
    """Align two paragraph lists: equal runs by difflib, replaced blocks paired up by word similarity.

    A paragraph inserted at the top is one "added", not every paragraph "edited", because difflib matches
    the unchanged ones first; only inside a replaced block do similar paragraphs pair up as "edited".
    """
    matcher = SequenceMatcher(None, list(old), list(new), autojunk=False)
    ops: list[_BodyOp] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            ops.extend(_BodyOp("equal", i, new_start + i - old_start) for i in range(old_start, old_end))
        elif tag == "delete":
            ops.extend(_BodyOp("removed", i, -1) for i in range(old_start, old_end))
        elif tag == "insert":
            ops.extend(_BodyOp("added", -1, j) for j in range(new_start, new_end))
        else:
            ops.extend(_pair_block(old, new, range(old_start, old_end), range(new_start, new_end)))
    return ops


def _pair_block(old: Sequence[str], new: Sequence[str], old_range: range, new_range: range) -> list[_BodyOp]:
    """Pair old and new paragraphs of a replaced block, in order, maximising total similarity."""
    old_words = [old[i].split() for i in old_range]
    new_words = [new[j].split() for j in new_range]
    rows, cols = len(old_words), len(new_words)
    if rows * cols > MAX_PAIRING_CELLS:
        # A rewrite this large is not read paragraph by paragraph; pair by position, not all against all.
        similarity = [
            [_similarity(old_words[i], new_words[j]) if i == j else 0.0 for j in range(cols)]
            for i in range(rows)
        ]
    else:
        similarity = [[_similarity(old_words[i], new_words[j]) for j in range(cols)] for i in range(rows)]
    # best[i][j]: highest total similarity pairing old_words[i:] with new_words[j:] in order.
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            paired = similarity[i][j] + best[i + 1][j + 1] if similarity[i][j] >= EDIT_SIMILARITY else -1.0
            best[i][j] = max(paired, best[i + 1][j], best[i][j + 1])
    ops: list[_BodyOp] = []
    i = j = 0
    while i < rows and j < cols:
        if similarity[i][j] >= EDIT_SIMILARITY and best[i][j] == similarity[i][j] + best[i + 1][j + 1]:
            ops.append(_BodyOp("edited", old_range[i], new_range[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            ops.append(_BodyOp("removed", old_range[i], -1))
            i += 1
        else:
            ops.append(_BodyOp("added", -1, new_range[j]))
            j += 1
    ops.extend(_BodyOp("removed", old_range[k], -1) for k in range(i, rows))
    ops.extend(_BodyOp("added", -1, new_range[k]) for k in range(j, cols))
    return ops


def _similarity(old_words: list[str], new_words: list[str]) -> float:
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    if matcher.real_quick_ratio() < EDIT_SIMILARITY or matcher.quick_ratio() < EDIT_SIMILARITY:
        return 0.0
    return matcher.ratio()


def word_diff(old: str, new: str) -> str:
    """Word-level diff in git's `--word-diff=plain` markup: `[-removed words-]{+added words+}`."""
    old_words, new_words = old.split(), new.split()
    pieces: list[str] = []
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(" ".join(old_words[old_start:old_end]))
            continue
        markup = ""
        if old_end > old_start:
            markup += "[-" + " ".join(old_words[old_start:old_end]) + "-]"
        if new_end > new_start:
            markup += "{+" + " ".join(new_words[new_start:new_end]) + "+}"
        pieces.append(markup)
    return " ".join(pieces)


# --- the stored diff -------------------------------------------------------------------------------------


def _diff(old: Snapshot, new: Snapshot, fields: Sequence[str], body_ops: Sequence[_BodyOp]) -> str:
    lines: list[str] = []
    for name in fields:
        if name == "body":
            lines.extend(_body_section(old.paragraphs, new.paragraphs, body_ops))
        else:
            lines.extend(_field_section(name, str(getattr(old, name)), str(getattr(new, name))))
    return "\n".join(lines)


def _field_section(name: str, old_value: str, new_value: str) -> list[str]:
    lines = [f"{SECTION_PREFIX}{name} =="]
    if old_value:
        lines.append(REMOVED_PREFIX + old_value)
    if new_value:
        lines.append(ADDED_PREFIX + new_value)
    return lines


def _body_section(old: Sequence[str], new: Sequence[str], ops: Sequence[_BodyOp]) -> list[str]:
    counts = {kind: sum(op.kind == kind for op in ops) for kind in ("added", "removed", "edited")}
    header = f"{SECTION_PREFIX}body +{counts['added']} -{counts['removed']} ~{counts['edited']} paragraphs =="
    lines = [header]
    for hunk in _hunks(ops):
        lines.append(_hunk_header(hunk))
        lines.extend(_op_line(old, new, op) for op in hunk)
    return lines


def _hunks(ops: Sequence[_BodyOp]) -> Iterator[list[_BodyOp]]:
    """Group changed ops with CONTEXT_PARAGRAPHS unchanged paragraphs around them; merge touching groups."""
    changed = [index for index, op in enumerate(ops) if op.kind != "equal"]
    if not changed:
        return
    start, end = _context_window(changed[0], len(ops))
    for index in changed[1:]:
        next_start, next_end = _context_window(index, len(ops))
        if next_start > end:
            yield list(ops[start:end])
            start = next_start
        end = next_end
    yield list(ops[start:end])


def _context_window(index: int, length: int) -> tuple[int, int]:
    return max(0, index - CONTEXT_PARAGRAPHS), min(length, index + CONTEXT_PARAGRAPHS + 1)


def _hunk_header(hunk: Sequence[_BodyOp]) -> str:
    """`@@ -start,count +start,count @@` over paragraph numbers (1-based), as in a unified diff."""
    old_indexes = [op.old_index for op in hunk if op.old_index >= 0]
    new_indexes = [op.new_index for op in hunk if op.new_index >= 0]
    # A side with no paragraph in the hunk (a body that was empty) starts at 0, as in a unified diff.
    old_start = old_indexes[0] + 1 if old_indexes else 0
    new_start = new_indexes[0] + 1 if new_indexes else 0
    return f"{HUNK_PREFIX}-{old_start},{len(old_indexes)} +{new_start},{len(new_indexes)} @@"


def _op_line(old: Sequence[str], new: Sequence[str], op: _BodyOp) -> str:
    if op.kind == "equal":
        return CONTEXT_PREFIX + old[op.old_index]
    if op.kind == "removed":
        return REMOVED_PREFIX + old[op.old_index]
    if op.kind == "added":
        return ADDED_PREFIX + new[op.new_index]
    return EDITED_PREFIX + word_diff(old[op.old_index], new[op.new_index])


# --- rendering for `monitor diff` ------------------------------------------------------------------------


def render_diff(diff: str, *, color: bool) -> str:
    """Render a stored diff for a reader: ANSI colours for a terminal, the stored text when piped."""
    if not color:
        return diff
    return "\n".join(_colour_line(line) for line in diff.split("\n"))


def _colour_line(line: str) -> str:
    if line.startswith(SECTION_PREFIX):
        return _ANSI_BOLD + line + _ANSI_RESET
    if line.startswith(HUNK_PREFIX):
        return _ANSI_CYAN + line + _ANSI_RESET
    if line.startswith(REMOVED_PREFIX):
        return _ANSI_RED + line + _ANSI_RESET
    if line.startswith(ADDED_PREFIX):
        return _ANSI_GREEN + line + _ANSI_RESET
    if line.startswith(EDITED_PREFIX):
        # In colour the markup brackets are redundant: removed words red, added words green.
        line = _WORD_REMOVED.sub(lambda match: _ANSI_RED + match.group(1) + _ANSI_RESET, line)
        return _WORD_ADDED.sub(lambda match: _ANSI_GREEN + match.group(1) + _ANSI_RESET, line)
    return line
