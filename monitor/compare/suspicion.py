"""Tell a suspicious fetch (paywall, consent wall, bot challenge, cut-off transfer) from a new version."""

from __future__ import annotations

from typing import Literal

from monitor.compare.snapshot import Snapshot, body_key

Suspicion = Literal["empty", "shrunk", "truncated", "wall"]

# A body keeping less than this share of the stored body's words is suspect until the next fetch confirms it:
# a paywall teaser, a consent or bot-challenge page and a cut-off transfer all look like this; a real edit
# rarely deletes half a story.
DEFAULT_SHRINK_RATIO = 0.5
# A body that is the stored body cut short (a transfer that ended early) is suspect once it lost this share,
# even when the extractor's boilerplate keeps the word ratio above DEFAULT_SHRINK_RATIO.
TRUNCATION_MIN_LOSS = 0.2
# Text that walls put where the story was. Only counted when new in this version and the body got shorter or
# lost most of its paragraphs, so a story quoting the phrase, or a site that always prints it, is not suspect.
WALL_PHRASES = (
    "subscribe to continue",
    "subscribe to read",
    "to continue reading",
    "already a subscriber",
    "subscribers only",
    "sign in to continue",
    "log in to continue",
    "create a free account to continue",
    "verify you are human",
    "checking your browser",
    "are you a robot",
    "enable javascript and cookies to continue",
    "access denied",
)
# A wall that hides the story may leave other text the extractor then takes instead (a page's testimonials, a
# second column), so the body need not get shorter: losing paragraphs that held more than this share of the
# stored body's words (the story, not just its subheadings) along with a new wall phrase is a wall too.
WALL_MIN_PARAGRAPH_LOSS = 0.5


def suspicion(
    old: Snapshot, new: Snapshot, *, shrink_ratio: float = DEFAULT_SHRINK_RATIO
) -> Suspicion | None:
    """Return why `new` should be quarantined rather than stored as a version, or None when it looks normal.

    "empty": the stored version had a body and the new one has none.
    "shrunk": the new body has fewer than `shrink_ratio` times the stored body's words.
    "truncated": the new body is the stored body cut short, missing at least TRUNCATION_MIN_LOSS of it.
    "wall": the body now says one of WALL_PHRASES (paywall, login, bot challenge) and got shorter or lost
    paragraphs holding more than WALL_MIN_PARAGRAPH_LOSS of the stored body's words.
    """
    old_words, new_words = old.body_words, new.body_words
    if old_words == 0:
        return None
    if new_words == 0:
        return "empty"
    if new_words < shrink_ratio * old_words:
        return "shrunk"
    old_body, new_body = body_key(old), body_key(new)
    if new_words <= (1 - TRUNCATION_MIN_LOSS) * old_words and old_body.startswith(new_body):
        return "truncated"
    if _new_wall_phrase(old_body.casefold(), new_body.casefold()) and (
        new_words < old_words or _paragraphs_lost(old, new) > WALL_MIN_PARAGRAPH_LOSS
    ):
        return "wall"
    return None


def _paragraphs_lost(old: Snapshot, new: Snapshot) -> float:
    """The share of the stored body's words in paragraphs the new body no longer has, word for word."""
    kept = set(new.paragraphs)
    lost = sum(len(paragraph.split()) for paragraph in old.paragraphs if paragraph not in kept)
    return lost / old.body_words


def _new_wall_phrase(old_body: str, new_body: str) -> bool:
    return any(phrase in new_body and phrase not in old_body for phrase in WALL_PHRASES)
