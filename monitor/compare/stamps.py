"""Date stamps in the body: lines that only say when ("Updated March 19, 2025", "Stand: 05.10.2023 14:32",
"Šodien, 17:40"). A site that prints its update stamp inside the story container rewrites that line on every
re-save; a change of such lines alone is a date change (stored as a minor version), not an edit.

A stamp line is short, carries a date or a time of day, and holds besides its dates, times, month and
weekday names at most MAX_LABEL_WORDS words of label ("Last updated", "Mis à jour le": words of two letters
or fewer not counted) and no sentence end. A
list of dates (a timeline, a table of months) changes by its dates as a story's facts do: the change counts
as stamps only while at most MAX_STAMP_LINES lines change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from monitor.extraction.locale_dates import day_names, find_printed_date, month_numbers

MAX_STAMP_CHARS = 100
MAX_LABEL_WORDS = 2
MAX_STAMP_LINES = 2  # per side of the change: a stamp or two replaced, never a column of dates
# the words of a time of day and its zone ("11:11 PM EST", "14:32 Uhr", "10 h 30", "GMT+0400")
TIME_WORDS = frozenset(
    {
        "am", "pm", "a", "p", "m", "h", "hrs", "uhr", "gmt", "utc", "cet", "cest", "eet", "eest", "est",
        "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "bst", "ist", "aest", "aedt", "jst", "kst", "et",
        "pt", "ct",
    }
)  # fmt: skip
_NUMERIC_DATE = re.compile(
    r"(?<![\d.])\d{1,2}([./-])\d{1,2}\1(?:(?:19|20)\d{2}|\d{2})(?![\d./-])|(?<!\d)(?:19|20)\d{2}-\d{2}-\d{2}"
)
_TIME = re.compile(r"(?<!\d)(?:[01]?\d|2[0-3])[:.h][0-5]\d(?!\d)")
_ENGLISH_DATE = re.compile(
    r"(?<![^\W\d_])(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?!\d)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]{3,}")  # "on", "am", "le", "à" label no less than they date
_SENTENCE_END = re.compile(r"(?:[^\W_]{2,}|\d)[.!?][\"')\]\u201d\u2019]*$")  # not "p.m."


def is_stamp(line: str) -> bool:
    """A line that only says when: a date or time with at most a short label around it."""
    if len(line) > MAX_STAMP_CHARS or _SENTENCE_END.search(line.rstrip()):
        return False
    if not (_NUMERIC_DATE.search(line) or _TIME.search(line) or _ENGLISH_DATE.search(line)):
        if find_printed_date(line) is None:
            return False
    calendar = _calendar_words()
    label = [word for word in _WORD.findall(line.casefold()) if word.rstrip(".") not in calendar]
    return len(label) <= MAX_LABEL_WORDS


def stamps_only(gone: Sequence[str], came: Sequence[str]) -> bool:
    """The lines that left and entered a body are all date stamps, and few: a re-saved update stamp."""
    if not (gone or came) or len(gone) > MAX_STAMP_LINES or len(came) > MAX_STAMP_LINES:
        return False
    return all(map(is_stamp, (*gone, *came)))


@cache
def _calendar_words() -> frozenset[str]:
    """Month and weekday names of every CLDR language (abbreviated too), and the words of a time."""
    return frozenset(month_numbers()) | day_names() | TIME_WORDS
