"""Tell a suspicious fetch (paywall, consent wall, bot challenge, cut-off transfer) from a new version."""

from __future__ import annotations

from typing import Literal

from monitor.compare.snapshot import Snapshot

Suspicion = Literal["empty", "shrunk"]

# A body keeping less than this share of the stored body's words is suspect until the next fetch confirms it:
# a paywall teaser, a consent or bot-challenge page and a cut-off transfer all look like this; a real edit
# rarely deletes half a story.
DEFAULT_SHRINK_RATIO = 0.5


def suspicion(
    old: Snapshot, new: Snapshot, *, shrink_ratio: float = DEFAULT_SHRINK_RATIO
) -> Suspicion | None:
    """Return why `new` should be quarantined rather than stored as a version, or None when it looks normal.

    "empty": the stored version had a body and the new one has none.
    "shrunk": the new body has fewer than `shrink_ratio` times the stored body's words.
    """
    old_words, new_words = old.body_words, new.body_words
    if old_words == 0:
        return None
    if new_words == 0:
        return "empty"
    if new_words < shrink_ratio * old_words:
        return "shrunk"
    return None
