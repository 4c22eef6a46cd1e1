"""Site furniture as pure functions: paragraph fingerprints, block events between two fetches of a story,
the template events of a pass, and which paragraphs each side of a comparison leaves out."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from monitor.models import Article

FINGERPRINT_CHARS = 16  # 64 bits of SHA-256: no collision in a site's few thousand blocks
# Text kept per block in the site_furniture table: enough to show it, and to put a block left out of a stored
# body back when it leaves one story alone (an edit of that story, shown as such).
SAMPLE_CHARS = 2000
# A template change shows on every page of a site at once: an event is one when at least this share of the
# site's stories fetched in the pass shows it. Below it, the same text added to many stories (a standard
# "Update:" line on the few stories that were updated) is an edit of each.
TEMPLATE_SHARE = 0.5
REMOVED = "-"  # block event prefixes: "-<fingerprint>" left the story, "+<fingerprint>" came into it
ADDED = "+"


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of an extracted story: its fingerprint and its text."""

    fingerprint: str
    text: str


def fingerprint(paragraph: str) -> str:
    """The identity of a paragraph across the pages of a site: its words, case-folded, hashed.

    Whitespace and letter case only: a site's template prints a block the same way on all its pages, and
    normalise_text() costs four times as much, which every paragraph of every first sight would pay.
    """
    key = " ".join(paragraph.casefold().split())
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:FINGERPRINT_CHARS]


def story_blocks(paragraphs: Iterable[str]) -> list[Block]:
    """The blocks of a story body, in order (blank paragraphs are left out)."""
    return [Block(fingerprint(text), text) for text in paragraphs if text and not text.isspace()]


def block_events(old_fingerprints: Collection[str], new_fingerprints: Collection[str]) -> frozenset[str]:
    """The paragraph-level change between two fetches: every block that left ("-fp") or came ("+fp")."""
    old_set, new_set = set(old_fingerprints), set(new_fingerprints)
    return frozenset([REMOVED + fp for fp in old_set - new_set] + [ADDED + fp for fp in new_set - old_set])


def event_fingerprint(event: str) -> str:
    return event[1:]


def template_events(
    events_by_story: Mapping[int, frozenset[str]],
    *,
    min_stories: int,
    stories_fetched: int,
    known: Collection[str] = (),
) -> frozenset[str]:
    """The block events of a pass that are the site's template changing: the same event in `min_stories`
    or more stories of the site and in TEMPLATE_SHARE of the `stories_fetched` (its stories fetched in the
    pass), or an event already recorded as a template change (a story rechecked later, or the same pass
    again after a crash)."""
    counts = Counter(event for events in events_by_story.values() for event in events)
    needed = max(min_stories, TEMPLATE_SHARE * stories_fetched)
    known_events = set(known)
    return frozenset(event for event, stories in counts.items() if stories >= needed or event in known_events)


def comparison_drops(
    *,
    old_raw: Collection[str],
    old_stored: Collection[str],
    new_raw: Collection[str],
    furniture: Collection[str],
    template: Collection[str],
) -> frozenset[str]:
    """The blocks both sides of a recheck's comparison leave out, so learning never alerts.

    old_raw: the blocks of the story's previous fetch; old_stored: those of its stored current body;
    new_raw: those of this fetch; template: the fingerprints of this pass's template events in this story.
    Left out: template blocks, furniture present on both sides, and blocks left out of the stored body that
    are still there. Furniture that comes into or leaves one story alone (a standard correction notice
    added) is kept: that is an edit of the story.
    """
    old_set, new_set = set(old_raw), set(new_raw)
    both = old_set & new_set
    return frozenset(set(template) | (both & set(furniture)) | (both - set(old_stored)))


def previous_fetch(stored: Sequence[Block], old_raw: Sequence[str], samples: Mapping[str, str]) -> list[str]:
    """The paragraphs of a story's previous fetch, in its order: the stored body's text, and the blocks left
    out of it (site furniture) put back from the site memory's samples where it still has them. A stored
    block the previous fetch no longer had left with a template change, not with an edit."""
    stored_text = {block.fingerprint: block.text for block in stored}
    texts = (stored_text.get(fp) or samples.get(fp) for fp in old_raw)
    return [text for text in texts if text]


def assumed_previous(stored: Sequence[str], new_raw: Iterable[str], furniture: Collection[str]) -> list[str]:
    """The blocks of a previous fetch nobody recorded (a story older than the site memory, or a row lost):
    its stored body plus the furniture this fetch shows, which was left out of the body when it was stored."""
    present = set(stored)
    return list(stored) + [fp for fp in new_raw if fp in furniture and fp not in present]


def without(article: Article, dropped: Collection[str], paragraphs: Sequence[str] | None = None) -> Article:
    """The article with the paragraphs of these fingerprints left out of its body (of `paragraphs` instead
    of its own when given)."""
    if paragraphs is None:
        if not dropped:
            return article
        paragraphs = article.paragraphs
    kept = [paragraph for paragraph in paragraphs if fingerprint(paragraph) not in dropped]
    return dataclasses.replace(article, text="\n\n".join(kept))


def without_blocks(article: Article, blocks: Sequence[Block], dropped: Collection[str]) -> Article | None:
    """The article without the blocks of these fingerprints; None when none of its blocks is dropped."""
    if not any(block.fingerprint in dropped for block in blocks):
        return None
    kept = [block.text for block in blocks if block.fingerprint not in dropped]
    return dataclasses.replace(article, text="\n\n".join(kept))


def texts_of(blocks: Sequence[Block], fingerprints: Collection[str]) -> list[str]:
    """The texts of these fingerprints, in story order, each once."""
    wanted = set(fingerprints)
    seen: set[str] = set()
    texts = []
    for block in blocks:
        if block.fingerprint in wanted and block.fingerprint not in seen:
            seen.add(block.fingerprint)
            texts.append(block.text)
    return texts
