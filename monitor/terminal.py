"""Safe output of user-controlled text (URLs, titles, errors, summaries): control characters escaped for the
terminal and long fields capped, in text and JSON logs and in CLI output (issue 16, item 6)."""

from __future__ import annotations

import re

MAX_FIELD_CHARS = 2_000  # per log field: an event line stays far below journald's 48 KB line limit
MAX_EXCEPTION_CHARS = 16_000

# C0 but tab and newline, DEL, C1 (U+009B is a one-byte CSI), the line and paragraph separators, and the
# bidirectional controls that reorder what a terminal shows (the "Trojan Source" characters).
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE_IN_TEXT = re.compile(f"[{_CONTROLS}]")
_UNSAFE_IN_LINE = re.compile(f"[\t\n{_CONTROLS}]")
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe_line(text: str, limit: int = MAX_FIELD_CHARS) -> str:
    """One field of a one-line record: every control character escaped (newlines too), capped at limit."""
    return capped(_UNSAFE_IN_LINE.sub(_escape, text), limit)


def safe_text(text: str) -> str:
    """Multi-line output (a story body, a diff, a traceback): control characters escaped but tab and
    newline."""
    return _UNSAFE_IN_TEXT.sub(_escape, text)


def safe_json(line: str) -> str:
    """A serialised JSON line with the characters json.dumps leaves raw (DEL, C1, bidi) escaped as \\uXXXX."""
    return _UNSAFE_IN_JSON.sub(_escape, line)


def capped(text: str, limit: int = MAX_FIELD_CHARS) -> str:
    """The text, or its first limit characters and a marker saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…[{len(text) - limit} more characters]"


def _escape(match: re.Match[str]) -> str:
    # \uXXXX reads the same in a text line and is a valid escape inside a JSON string
    return f"\\u{ord(match.group()):04x}"
