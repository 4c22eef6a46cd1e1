"""Date stamps in the body: lines that only say when a story was published or updated ("Updated March 19,
2025", "Stand: 05.10.2023 14:32 Uhr", "Published 11:11 PM EST Nov 19, 2019"). A site that prints its stamp
inside the story container rewrites that line on every re-save; a change of such lines alone is a date
change (stored as a minor version), not an edit.

A stamp line is short and carries a date or a time of day; with its dates, times, month and weekday names
and time-zone words taken out, nothing is left but, at most, a publication or update label
(locale_dates.PUBLISHED_LABEL / UPDATED_LABEL: "Last updated on", "Mis à jour le", "Stand:"). Any other word
makes it the story's line ("Suspect released 14:32", "Final score 21:17", "Trump wins Nov 5"). A list of
dates (a timeline, a table of months) changes by its dates as a story's facts do: the change counts as
stamps only while at most MAX_STAMP_LINES lines change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from monitor.extraction.locale_dates import (
    PUBLISHED_LABEL,
    UPDATED_LABEL,
    day_names,
    find_printed_date,
    month_numbers,
)

MAX_STAMP_CHARS = 100
MAX_STAMP_LINES = 2  # per side of the change: a stamp or two replaced, never a column of dates
# the words of a time of day and its zone ("11:11 PM EST", "14:32 Uhr", "10h30", "GMT+0400")
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
_TIME = re.compile(r"(?<![\d.,])(?:[01]?\d|2[0-3])(?::|h)[0-5]\d(?![\d%])")  # 14:32, 10h30; not 4.20%
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ENGLISH_DATE = re.compile(rf"(?<![^\W\d_]){_MONTH}\.?(?![^\W\d_])\s*\d{{1,2}}(?!\d)", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]+")


def is_stamp(line: str) -> bool:
    """A line that only says when: a date or time, with nothing around it but a publication or update
    label."""
    if len(line) > MAX_STAMP_CHARS:
        return False
    if not (_NUMERIC_DATE.search(line) or _TIME.search(line) or _ENGLISH_DATE.search(line)):
        if find_printed_date(line) is None:
            return False
    calendar = _calendar_words()
    undated = _TIME.sub(" ", _NUMERIC_DATE.sub(" ", line)).casefold()
    label = " ".join(word for word in _LETTERS.findall(undated) if word not in calendar)
    return not label or bool(PUBLISHED_LABEL.fullmatch(label) or UPDATED_LABEL.fullmatch(label))


def stamps_only(gone: Sequence[str], came: Sequence[str]) -> bool:
    """The lines that left and entered a body are all date stamps, and few: a re-saved update stamp."""
    if not (gone or came) or len(gone) > MAX_STAMP_LINES or len(came) > MAX_STAMP_LINES:
        return False
    return all(map(is_stamp, (*gone, *came)))


@cache
def _calendar_words() -> frozenset[str]:
    """Month and weekday names of every CLDR language (abbreviated too), and the words of a time."""
    return frozenset(month_numbers()) | day_names() | TIME_WORDS
