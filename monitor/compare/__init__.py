"""Change detection: normalise an extracted article, fingerprint it, decide "really changed", diff by field.

Pure functions only; the pipeline decides what to store and alert. `snapshot` turns an `Article` into the
comparable `Snapshot`; `content_hash` is the identity of a version; `compare` says which fields changed and
how; `suspicion` flags fetches to quarantine; `render_diff` shows a stored diff; `listing_churn` tells a
listing's items and counters moving from an edit of a story; `wordless` says a change wrote or deleted no word
(figures, order and letter case aside).
"""

from monitor.compare.churn import Churn, is_listing_churn, listing_churn
from monitor.compare.diff import (
    FIELD_ORDER,
    REORDERED_SUMMARY,
    Comparison,
    compare,
    render_diff,
    word_diff,
    wordless,
)
from monitor.compare.snapshot import (
    HASH_SCHEME,
    Snapshot,
    body_key,
    content_hash,
    normalise_date,
    normalise_text,
    snapshot,
    snapshot_from_json,
    snapshot_to_json,
    text_hash,
)
from monitor.compare.suspicion import DEFAULT_SHRINK_RATIO, WALL_PHRASES, Suspicion, suspicion

__all__ = [
    "DEFAULT_SHRINK_RATIO",
    "FIELD_ORDER",
    "HASH_SCHEME",
    "REORDERED_SUMMARY",
    "Churn",
    "Comparison",
    "WALL_PHRASES",
    "Snapshot",
    "Suspicion",
    "body_key",
    "compare",
    "content_hash",
    "is_listing_churn",
    "listing_churn",
    "normalise_date",
    "normalise_text",
    "render_diff",
    "snapshot",
    "snapshot_from_json",
    "snapshot_to_json",
    "suspicion",
    "text_hash",
    "word_diff",
    "wordless",
]
