"""Story bodies a page carries only in its app state: JSON-LD `articleBody` and Next.js `__NEXT_DATA__`."""

from __future__ import annotations

import json
import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser

NEXT_DATA_ID = "__NEXT_DATA__"
NEXT_DATA_SELECTOR = f"script#{NEXT_DATA_ID}"
BODY_KEYS = frozenset(
    {"body", "articlebody", "bodyhtml", "body_html", "content", "contenthtml", "html", "text"}
)
MIN_APP_STATE_CHARS = 200  # shorter strings are teasers and labels, not a story
MIN_MARKUP_PARAGRAPH_CHARS = 100  # markup text with a paragraph this long holds a story of its own
MAX_JSON_VALUES = 50_000  # values walked in one app state: bounded work on huge or hostile pages
_HAS_TAG = re.compile(r"<(?:p|div|br|h[1-6]|li|span)\b", re.IGNORECASE)
_BREAKS = re.compile(r"\s*\n\s*")


def next_data_body(raw_json: str) -> str | None:
    """The longest body-like string in a Next.js page's `__NEXT_DATA__` script, as text."""
    try:
        state = json.loads(raw_json)
    except ValueError:
        return None
    best = _longest_body_string(state)
    return as_text(best) if best else None


def _longest_body_string(state: Any) -> str | None:
    best: str | None = None
    stack: list[tuple[str, Any]] = [("", state)]
    walked = 0
    while stack and walked < MAX_JSON_VALUES:
        key, value = stack.pop()
        walked += 1
        if isinstance(value, dict):
            stack.extend((str(name).lower(), item) for name, item in value.items())
        elif isinstance(value, list):
            stack.extend((key, item) for item in value)
        elif isinstance(value, str) and key in BODY_KEYS and len(value) >= MIN_APP_STATE_CHARS:
            if best is None or len(value) > len(best):
                best = value
    return best


def as_text(body: str) -> str:
    """A body string as paragraphs: HTML parsed for its text, plain text split at its line breaks."""
    if _HAS_TAG.search(body):
        from monitor.extraction.body import text_of  # body imports this module's callers, not this module

        root = LexborHTMLParser(f"<body>{body}</body>").body
        return text_of([root]) if root is not None else ""
    return "\n\n".join(line for line in _BREAKS.split(body.strip()) if line)


def markup_holds_story(markup_text: str) -> bool:
    """The markup's text has a paragraph of prose: the app state is then never used (nor parsed)."""
    longest = max((len(paragraph) for paragraph in markup_text.split("\n")), default=0)
    return longest >= MIN_MARKUP_PARAGRAPH_CHARS


def prefer_app_state(markup_text: str, app_state_text: str | None) -> str:
    """The markup's text unless the markup holds no story at all (not one paragraph of prose) and the app
    state does: a paywall teaser or a truncated response keeps its markup text, so that the history never
    flips between the two sources and such pages still look suspicious."""
    if not app_state_text or len(app_state_text) < MIN_APP_STATE_CHARS:
        return markup_text
    return markup_text if markup_holds_story(markup_text) else app_state_text
