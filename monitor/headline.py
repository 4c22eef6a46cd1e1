"""The headline-echo rule shared by extraction and change detection: when a paragraph restates a title."""

from __future__ import annotations

# A first body paragraph that a title contains, or that contains the title, at this share of the longer one's
# length is the headline repeated ("Headline | Site", "Site: Headline", "CIS Best Practices" / "Best
# Practices"): extraction drops it, and change detection treats its coming and going as a title edit.
HEADLINE_CONTAINED_SHARE = 0.5


def holds_headline(key: str, title_key: str) -> bool:
    """Whether one of two word keys (lower-case words joined by single spaces) holds the other as whole
    words at HEADLINE_CONTAINED_SHARE of its length."""
    shorter, longer = sorted((key, title_key), key=len)
    return f" {shorter} " in f" {longer} " and len(shorter) >= len(longer) * HEADLINE_CONTAINED_SHARE
