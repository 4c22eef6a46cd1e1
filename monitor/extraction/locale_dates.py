"""Dates printed in other languages ("5. Oktober 2013", "21 avril 2020", "2013年10月5日"), CLDR months."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache

# languages whose month names are read; CLDR (through babel) supplies the names, never a hand table
LOCALES = "en de fr es it pt nl sv da nb fi pl cs sk hu ro tr ru uk el id ca hr sl et lv lt".split()
MIN_YEAR, MAX_YEAR = 1990, 2100
# "2013年10月5日", "2013년 10월 5일"
CJK_DATE = re.compile(r"((?:19|20)\d{2})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
# a label in front of a date ("Datum: 26. Januar 2022", "Published on", "veröffentlicht am")
PUBLISHED_LABEL = re.compile(
    r"(?:datum|date|published(?: on)?|posted(?: on)?|veröffentlicht(?: am)?|erstellt(?: am)?|publié le|"
    r"publicado(?: el)?|pubblicato(?: il)?|gepubliceerd(?: op)?|publicerad|opublikowano|"
    r"erschienen(?: am)?|ausgabe vom|pressemitteilung vom|beitrag vom|vom|mise en ligne(?: le)?|"
    r"publié(?: le)?|en ligne depuis le|data(?: de)? publicação|publicada?(?: em)?|geplaatst(?: op)?)"
    r"\s*:?\s*$",
    re.IGNORECASE,
)
UPDATED_LABEL = re.compile(
    r"(?:stand|aktualisiert(?: am)?|zuletzt (?:aktualisiert|geändert|bearbeitet)(?: am)?|updated(?: on)?|"
    r"last (?:updated|modified|edited)(?: on)?|mis à jour le|actualizado(?: el)?|aggiornato(?: il)?)"
    r"\s*:?\s*$",
    re.IGNORECASE,
)
LABEL_WINDOW = 40  # characters before a date searched for its label


@lru_cache(maxsize=1)
def month_numbers() -> dict[str, int]:
    """Month name (wide and abbreviated, format and stand-alone, case-folded, without a dot) -> 1..12: the
    table month_names.py holds when it was made from this babel and LOCALES, else read from babel."""
    from monitor.extraction import month_names

    return month_names.month_numbers() if _shipped_table_is_current() else cldr_month_numbers()


@lru_cache(maxsize=1)
def day_names() -> frozenset[str]:
    """Weekday names (wide and abbreviated, case-folded, without a dot, two letters or more) of LOCALES: the
    table month_names.py holds when it was made from this babel and LOCALES, else read from babel."""
    from monitor.extraction import month_names

    return month_names.day_names() if _shipped_table_is_current() else cldr_day_names()


def _shipped_table_is_current() -> bool:
    """month_names.py was written from the babel installed and from LOCALES as they are."""
    import babel

    from monitor.extraction import month_names

    return month_names.BABEL_VERSION == babel.__version__ and month_names.LOCALES == " ".join(LOCALES)


def cldr_day_names() -> frozenset[str]:
    """The weekday names of LOCALES from CLDR, through babel."""
    from babel.dates import get_day_names

    names: set[str] = set()
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names.update(
                    name.casefold().rstrip(".") for name in get_day_names(width, context, locale).values()
                )
    return frozenset(name for name in names if len(name) >= 2)


def cldr_month_numbers() -> dict[str, int]:
    """The month names of LOCALES from CLDR, through babel (~0.2 s of CPU: 26 locales' data loaded)."""
    from babel.dates import get_month_names

    names: dict[str, int] = {}
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    key = name.casefold().rstrip(".")
                    if len(key) >= 3 and not key.isdigit():
                        names.setdefault(key, number)
    return names


# any word in a month's place; the word is then looked up among the CLDR names (one dictionary lookup is far
# cheaper than a pattern alternating over a thousand names)
_WORD = r"([^\W\d_]{3,}\.?)"
DAY_FIRST = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:\.|º|er|st|nd|rd|th)?\s*(?:de\s+)?{_WORD},?\s+(?:de\s+)?((?:19|20)\d{{2}})(?!\d)"
)
MONTH_FIRST = re.compile(rf"(?<![^\W\d_]){_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{{2}})(?!\d)")


def find_printed_date(text: str) -> tuple[int, int, str] | None:
    """The first date printed with a month name (any CLDR language) or in CJK form: (start, end, ISO day)."""
    found = []
    for pattern, order in ((DAY_FIRST, "dmy"), (MONTH_FIRST, "mdy"), (CJK_DATE, "ymd")):
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups(), strict=True))
            day = _iso_day(parts["y"], parts["m"], parts["d"])
            if day:
                found.append((match.start(), match.end(), day))
                break
    return min(found) if found else None


def _iso_day(year: str, month: str, day: str) -> str | None:
    number = int(month) if month.isdigit() else month_numbers().get(month.casefold().rstrip("."))
    if number is None:
        return None
    try:
        found = date(int(year), number, int(day))
    except ValueError:
        return None
    return found.isoformat() if MIN_YEAR <= found.year <= MAX_YEAR else None


# A year not preceded by a digit is checked in Python (see _years): a pattern that opens with a lookbehind
# makes the regex engine try every position of the text (9 ms on a 570,000-character page, against 1 ms).
_YEAR = re.compile(r"(?:19|20)\d{2}(?!\d)")
_NUMERIC = re.compile(
    r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d{2})(?!\d)|((?:19|20)\d{2})-(\d{2})-(\d{2})"
)
MAX_YEARS_LOOKED_AT = 300  # bounded work on pages full of numbers
_BEFORE_YEAR = 30


def labelled_dates(text: str) -> tuple[str | None, str | None]:
    """The first dates labelled as published ("Datum:", "veröffentlicht am") and as updated ("Stand:")."""
    published = updated = None
    scanned_to = 0
    for count, year in enumerate(_years(text)):
        if count >= MAX_YEARS_LOOKED_AT or (published and updated):
            break
        if year.start() < scanned_to:
            continue
        low = max(scanned_to, year.start() - _BEFORE_YEAR)
        found = _date_ending_at(text[low : year.end() + 6])
        if found is None:
            continue
        start, end, day = found
        scanned_to = low + end
        label = text[max(0, low + start - LABEL_WINDOW) : low + start]
        if published is None and PUBLISHED_LABEL.search(label):
            published = day
        elif updated is None and UPDATED_LABEL.search(label):
            updated = day
    return published, updated


def _years(text: str) -> Iterator[re.Match[str]]:
    r"""What `(?<!\d)(?:19|20)\d{2}(?!\d)` finds: the text a rejected match skips is preceded by a digit too,
    so no year is lost (\d is a decimal digit, as str.isdecimal says)."""
    for year in _YEAR.finditer(text):
        start = year.start()
        if start == 0 or not text[start - 1].isdecimal():
            yield year


def _date_ending_at(window: str) -> tuple[int, int, str] | None:
    numeric = _NUMERIC.search(window)
    if numeric is not None:
        day_first = numeric.group(1) is not None
        parts = numeric.group(3, 2, 1) if day_first else numeric.group(4, 5, 6)
        day = _iso_day(*parts)
        return (numeric.start(), numeric.end(), day) if day else None
    return find_printed_date(window)
