"""Listing churn: tell a page's items reshuffling and its counters moving from an edit of a story (issue 12).

A page the gate took for a story but that lists things (a section front, a shop, a forum, docs) changes on
every fetch without anyone editing it: its items come in another order, its counters move ("76 Replies" ->
"77 Replies"), teaser lines enter and leave. `listing_churn` says when a change between two snapshots is only
that, with counts for a readable reason; the pipeline stores such a change as a minor version (no alert) and
marks a page that keeps churning as not a story.

A prose story's edit is never churn: a sentence written, cut or changed, a new paragraph, a headline or
byline edit, figures changing in its sentences or in a fact box. Figures other than counters count as churn
only on a page whose lines are mostly items and whose items move in the same change (an election-results
story updated by its figures is prose, and stays an edit); figures alone never make a page "not a story".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from monitor.compare.snapshot import Snapshot

# Words a counter is attached to ("12 comments", "Replies: 76", "1.2k views"): in a line that is no sentence,
# a number beside one of these counts something on the page, it is not a fact of a story. Votes, ratings and
# stars are left out on purpose: a results table's figures and a review's rating are the story's.
COUNTING_WORDS = frozenset(
    {
        "answer", "answers", "comment", "comments", "download", "downloads", "entries", "entry", "follower",
        "followers", "item", "items", "like", "likes", "member", "members", "post", "posts", "reaction",
        "reactions", "replies", "reply", "result", "results", "review", "reviews", "share", "shares",
        "subscriber", "subscribers", "topic", "topics", "view", "views", "page", "pages", "product",
        "products", "thread", "threads", "message",
        "messages", "contributor", "contributors", "commit", "commits", "release", "releases", "watcher",
        "watchers", "fork", "forks", "issue", "issues", "listing", "listings", "article", "articles",
    }
)  # fmt: skip
# A line of this many words or fewer that does not end as a sentence is an item: a teaser headline, a menu or
# list entry, a label with its figure ("Paying subscribers 16k").
ITEM_MAX_WORDS = 12
# A longer line without one sentence in it is items run together (a list the extractor joined into one line).
RUN_TOGETHER_MAX_WORDS = 80
# A page is listing-shaped when at least this many of its lines, and this share of them, are items.
LISTING_MIN_ITEMS = 5
LISTING_MIN_SHARE = 0.5
# An entering line keeping this share of a leaving line's words is that line edited (diff.EDIT_SIMILARITY);
# above MAX_EDIT_PAIRS line pairs (a listing whose whole river changed) no line is taken for an edit.
EDIT_SIMILARITY = 0.5
MAX_EDIT_PAIRS = 2_500
# Items may leave a list that reshuffles, up to this share of the page's words.
LOST_MAX_SHARE = 0.25
# Items that keep their text but move count as listing structure from this many up (one paragraph moved is
# an editor's doing as often as a list's).
MOVED_MIN = 2

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"[\w#]+")
# A sentence ends with . ! ? or : (the lead-in of a list), then maybe closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?:\u2026][\"')\]\u201d\u2019]*$")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"')\]\u201d\u2019]* +")
_SENTENCE_INSIDE = re.compile(r"\w[.!?][\"')\]\u201d\u2019]* +[A-Z\"\u201c]")


@dataclass(frozen=True, slots=True)
class Churn:
    """What a listing-churn change did: items that moved, counters and figures that changed, items in/out."""

    reordered: int  # lines (or items within a line) in another order, text unchanged
    counters: int  # item lines whose only change is a number beside a counting word ("76 Replies")
    figures: int  # lines whose only change is other figures (only while items move)
    items_in: int  # item lines that entered the page
    items_out: int  # item lines that left it

    @property
    def items_move(self) -> bool:
        """Items moved, entered or left: the page behaves as a listing (figures alone do not say so)."""
        return self.reordered >= MOVED_MIN or bool(self.items_in or self.items_out)

    @property
    def summary(self) -> str:
        """The reason stored with the minor version: "listing churn: 12 items reordered, 3 counters moved",
        or "counter churn: 3 counters moved" when only numbers changed."""
        parts = [
            f"{self.reordered} items reordered" if self.reordered else "",
            f"{self.counters} counters moved" if self.counters else "",
            f"{self.figures} figures changed" if self.figures else "",
            f"{self.items_in} items in" if self.items_in else "",
            f"{self.items_out} items out" if self.items_out else "",
        ]
        prefix = LISTING_CHURN if self.items_move else COUNTER_CHURN
        return prefix + ", ".join(part for part in parts if part)


# How the summary (changes.summary) of a churn change starts: a page whose items move is a listing, and the
# pipeline marks one that keeps churning so as not a story; counters alone make a minor version, nothing more.
LISTING_CHURN = "listing churn: "
COUNTER_CHURN = "counter churn: "


def is_listing_churn(summary: str | None) -> bool:
    """Whether a stored change summary says listing churn (items moved, entered or left)."""
    return summary is not None and summary.startswith(LISTING_CHURN)


def listing_churn(old: Snapshot, new: Snapshot) -> Churn | None:
    """The churn between two snapshots whose body differs, or None when the change is (also) an edit.

    Title and byline must be unchanged (a headline or byline edit is an edit); the dates may move with the
    items (a listing's date is often its first item's). Every changed body line must be accounted for: moved,
    a counter, items reordered within a line, an item line entering or leaving, or a line whose only change is
    its figures; what each needs besides is in `churn_or_why`.
    """
    found = churn_or_why(old, new)
    return found if isinstance(found, Churn) else None


def churn_or_why(old: Snapshot, new: Snapshot) -> Churn | str:
    """The churn, or why the change is not churn (for `bench_gate.py --show-changes` and the tests)."""
    if old.title != new.title or old.byline != new.byline:
        return "headline or byline edited"
    if old.paragraphs == new.paragraphs:
        return "body unchanged"
    gone = list((Counter(old.paragraphs) - Counter(new.paragraphs)).elements())
    came = list((Counter(new.paragraphs) - Counter(old.paragraphs)).elements())
    moved = _moved([masked(line) for line in old.paragraphs], [masked(line) for line in new.paragraphs])
    counters = short_figures = item_figures = figures = 0
    for before, after in _pairs(gone, came, masked):  # lines that changed only in their numbers
        if not (_is_item(before) and _is_item(after)):
            figures += 1  # "The bill got 45 votes." is the story's fact, whatever its words
        elif _is_counter(before, after):
            counters += 1
        elif len(after.split()) <= ITEM_MAX_WORDS:
            short_figures += 1  # "Asia 187", "4.7 / 5": a listing's short items carry figures
        else:
            item_figures += 1  # "Capacity: 27 ounces | Dimensions: 11.8 x 6.3 inches": a spec line
    regrouped = len(_pairs(gone, came, _word_bag))  # a joined list whose items came in another order
    if gone and came and _words(gone) == _words(came):
        # Not one word written or deleted, only regrouped: a list's items joined into other lines.
        regrouped += max(len(gone), len(came))
        gone, came = [], []
    traced, entered, left = _regroup(gone, came)
    regrouped += traced
    moved += regrouped
    new_words = bool(_words(came) - _words(gone))
    # A line with words changed or cut is an edit, unless nothing was written and lists regrouped: then it
    # is old items joined differently.
    edited = _edited_item(entered, left) if new_words or regrouped < MOVED_MIN else None
    if edited is not None:
        return f"a line edited in place: {edited[:80]!r}"
    if not new_words:
        entered = []  # what looks like a new sentence is old words joined differently
    if any(not _is_item(segment) for segment in entered):
        return f"a sentence entered: {next(s for s in entered if not _is_item(s))[:80]!r}"
    listing = _listing_shaped(old.paragraphs) and _listing_shaped(new.paragraphs)
    sentences_left = [segment for segment in left if not _is_item(segment)]
    if sentences_left:
        # A list reshuffled may carry sentences out; a story (a listicle too) that loses one was edited.
        if not (regrouped >= MOVED_MIN or (listing and moved >= MOVED_MIN)):
            return f"a sentence left, no list regrouped: {sentences_left[0][:80]!r}"
        if sum(len(segment.split()) for segment in left) > LOST_MAX_SHARE * old.body_words:
            return f"{len(left)} sentences or items left, too much of the page to be a list's churn"
    items_move = moved >= MOVED_MIN or bool(entered or left)
    if figures and not (listing and items_move):
        return f"{figures} sentences changed their figures on a page whose items do not move"
    if item_figures and not (listing and items_move):
        return f"{item_figures} long item lines changed their figures while no item moved"
    if short_figures and not (listing or items_move):  # a fact box in prose: the story's figures
        return f"{short_figures} short item lines changed their figures on a page that lists nothing"
    if (entered or left) and not (listing or moved >= MOVED_MIN):
        return "item lines entered or left prose"  # a subhead or a short line added to a story
    return Churn(moved, counters, figures + item_figures + short_figures, len(entered), len(left))


def _regroup(gone: Sequence[str], came: Sequence[str]) -> tuple[int, list[str], list[str]]:
    """Trace the sentences (or item runs) of the new lines back to the old lines: how many new lines are
    regroupings (sentences from several old lines, or in another order), the sentences that entered the page
    and those that left it. A sentence cut from a paragraph leaves; one written into it enters."""
    sources: dict[str, list[tuple[int, int]]] = {}
    for line_index, line in enumerate(gone):
        for position, segment in enumerate(_segments(line)):
            sources.setdefault(segment, []).append((line_index, position))
    regrouped = 0
    entered: list[str] = []
    for line in came:
        origins: list[tuple[int, int]] = []
        for segment in _segments(line):
            if sources.get(segment):
                origins.append(sources[segment].pop(0))
            else:
                entered.append(segment)
        if len({line_index for line_index, _ in origins}) > 1 or origins != sorted(origins):
            regrouped += 1
    left = [segment for segment, places in sources.items() for _ in places]
    return regrouped, entered, left


def _edited_item(entered: Sequence[str], left: Sequence[str]) -> str | None:
    """An entering line that is a leaving one with a few words changed (EDIT_SIMILARITY of its words kept):
    an item edited where it stands, not one list item giving way to another."""
    if len(entered) * len(left) > MAX_EDIT_PAIRS:
        return None
    for line in entered:
        words = line.split()
        for before in left:
            matcher = SequenceMatcher(None, before.split(), words, autojunk=False)
            if (
                matcher.real_quick_ratio() >= EDIT_SIMILARITY
                and matcher.quick_ratio() >= EDIT_SIMILARITY
                and matcher.ratio() >= EDIT_SIMILARITY
            ):
                return line
    return None


def _segments(line: str) -> list[str]:
    """A line's sentences, numbers masked; a run of items with no sentence in it is one segment."""
    return [segment for segment in _SENTENCE_BREAK.split(masked(line)) if segment]


def _moved(old: Sequence[str], new: Sequence[str]) -> int:
    """Lines in both versions that are out of their old order: the common lines outside the longest run kept
    in order (compared with their numbers masked, since an item moves with its counter)."""
    places: dict[str, list[int]] = {}
    for index, line in enumerate(old):
        places.setdefault(line, []).append(index)
    taken: Counter[str] = Counter()
    positions: list[int] = []
    for line in new:
        spots = places.get(line)
        if spots and taken[line] < len(spots):
            positions.append(spots[taken[line]])
            taken[line] += 1
    # The longest increasing subsequence of the old positions (patience sorting): the lines that kept order.
    tails: list[int] = []
    for position in positions:
        at = bisect_left(tails, position)
        tails[at : at + 1] = [position]
    return len(positions) - len(tails)


def _pairs(gone: list[str], came: list[str], key: Callable[[str], str]) -> list[tuple[str, str]]:
    """Pair (and take out of both lists) removed and added lines with the same key, in order."""
    waiting: dict[str, list[int]] = {}
    for index, line in enumerate(came):
        waiting.setdefault(key(line), []).append(index)
    pairs: list[tuple[str, str]] = []
    taken_gone: set[int] = set()
    taken_came: set[int] = set()
    for index, line in enumerate(gone):
        slots = waiting.get(key(line))
        if slots:
            match = slots.pop(0)
            pairs.append((line, came[match]))
            taken_gone.add(index)
            taken_came.add(match)
    gone[:] = [line for index, line in enumerate(gone) if index not in taken_gone]
    came[:] = [line for index, line in enumerate(came) if index not in taken_came]
    return pairs


def masked(line: str) -> str:
    """The line with every figure replaced by "#": what is left are its words."""
    return _NUMBER.sub("#", line)


def _word_bag(line: str) -> str:
    return " ".join(sorted(line.split()))


def _words(lines: Sequence[str]) -> Counter[str]:
    """The words of these lines, numbers masked, as a multiset."""
    return Counter(word for line in lines for word in _TOKEN.findall(masked(line)))


def _is_counter(before: str, after: str) -> bool:
    """Every number that changed sits beside a counting word ("76 Replies", "Comments (12)")."""
    old_numbers, new_numbers = _NUMBER.findall(before), _NUMBER.findall(after)
    if len(old_numbers) != len(new_numbers):
        return False
    spans = [match.span() for match in _NUMBER.finditer(after)]
    for (start, end), old_number, new_number in zip(spans, old_numbers, new_numbers, strict=True):
        if old_number != new_number and not _beside_counting_word(after, start, end):
            return False
    return True


def _beside_counting_word(line: str, start: int, end: int) -> bool:
    before = _WORD.findall(line[:start])[-1:]
    after = _WORD.findall(line[end:])[:1]
    return any(word.lower() in COUNTING_WORDS for word in before + after)


def _is_item(line: str) -> bool:
    """A teaser, a menu or list entry, a label with its figure: short and not a sentence; or a list's items
    run together into one line with no sentence in it."""
    words = len(line.split())
    if _SENTENCE_END.search(line):
        return False
    if words <= ITEM_MAX_WORDS:
        return True
    return words <= RUN_TOGETHER_MAX_WORDS and not _SENTENCE_INSIDE.search(line)


def _listing_shaped(paragraphs: Sequence[str]) -> bool:
    """Most of the page's lines are items, and there are several of them: a list, not prose."""
    items = sum(map(_is_item, paragraphs))
    return items >= LISTING_MIN_ITEMS and items >= LISTING_MIN_SHARE * len(paragraphs)
