"""Date parsing for metadata: ISO 8601 out (with timezone when given, date-only when only a date is known)."""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime

from dateutil import parser as date_parser

from monitor.extraction import meta_rules
from monitor.extraction.locale_dates import find_printed_date

_ISO_PREFIX = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:[/+_.-]|$)")
_URL_COMPACT = re.compile(r"[/_-]((?:19|20)\d{2})(\d{2})(\d{2})(?:[/_.-]|$)")
_DOTTED = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")  # 23.07.2025 is always day first
# a day-first date with a two-digit year ("31.10.23", "Kultur, 2.11.22", "26.10.13 14:05")
_SHORT_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{2})(?![\d.])")
_DEFAULT = datetime(1, 1, 1)
_NUMERIC_DAY_MONTH = re.compile(r"\s*(\d{1,2})[-/](\d{1,2})[-/]\d{4}(?!\d)")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# the printed forms found near headlines ("Dec 4, 2025", "4th of December 2025"), parsed without dateutil
_MONTH_NAME = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH_DAY_YEAR = re.compile(rf"{_MONTH_NAME}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(
    rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_NAME},?\s+(\d{{4}})", re.IGNORECASE
)
_ENGLISH_MONTH = re.compile(rf"(?<![^\W\d_]){_MONTH_NAME}(?![^\W\d_])", re.IGNORECASE)
_URL_NAMED = re.compile(rf"/((?:19|20)\d{{2}})/{_MONTH_NAME}/(\d{{1,2}})(?:/|-|\.|$)", re.IGNORECASE)


def normalize_date(raw: str | None) -> str | None:
    """Parse a date or datetime as pages write it and return ISO 8601, or None when it is not a date."""
    if not raw:
        return None
    text = raw.strip()[: meta_rules.MAX_DATE_CHARS]
    if not text:
        return None
    match = _ISO_PREFIX.search(text)
    if match:
        return _from_iso_match(match)
    if text.isdigit() and len(text) in (4, 10, 13):
        # epoch timestamps are ambiguous about the zone of the page; a bare year ("2006", a cited work's
        # microdata) names no day: skip both
        return None
    printed = _printed_form(text)
    if printed:
        return printed
    short = _SHORT_DOTTED.search(text)
    if short:  # "2.11.22": German pages print the year in two digits
        return _valid_date(2000 + int(short.group(3)), int(short.group(2)), int(short.group(1)))
    dotted = _DOTTED.search(text)
    if dotted:
        # 23.07.2025 is day first with a time too ("10.12.2022, 07:00:03"; dateutil reads it month first)
        day = _valid_date(int(dotted.group(3)), int(dotted.group(2)), int(dotted.group(1)))
        return _with_time(text, day) if day and _HAS_TIME.search(text) else day
    return _in_another_language(text) or _from_free_text(text)


def _in_another_language(text: str) -> str | None:
    """A date with a month name in another language ("5. Oktober 2013", which dateutil reads as 2013-05-01)
    or in CJK form; English names are left to dateutil, which also reads their time and zone."""
    printed = find_printed_date(text)
    if printed is None:
        return None
    start, end, day = printed
    return None if _ENGLISH_MONTH.search(text[start:end]) else day


def _from_iso_match(match: re.Match[str]) -> str | None:
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        day_value = date(int(year), int(month), int(day))
    except ValueError:
        return None
    if not _plausible(day_value.year):
        return None
    if hour is None:
        return day_value.isoformat()
    stamp = f"{day_value.isoformat()}T{int(hour):02d}:{minute}:{second or '00'}"
    if zone:
        zone = "+00:00" if zone == "Z" else (zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
        stamp += zone
    try:
        return datetime.fromisoformat(stamp).isoformat()
    except ValueError:
        return day_value.isoformat()


def _with_time(text: str, day: str) -> str:
    """The day with the time and zone dateutil reads in the text, when it reads that same day."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed: datetime = date_parser.parse(text, default=_DEFAULT, fuzzy=True, dayfirst=True)
    except (ValueError, OverflowError, TypeError):
        return day
    if parsed.date().isoformat() != day or parsed.tzinfo is None:
        return day
    return parsed.isoformat()


def _from_free_text(text: str) -> str | None:
    if not meta_rules.DATE_WORD.search(text):
        return None
    try:
        with warnings.catch_warnings():
            # unknown zone names ("IST") only cost the zone, which we then leave out
            warnings.simplefilter("ignore")
            parsed: datetime = date_parser.parse(text, default=_DEFAULT, fuzzy=True)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.year == 1 or not _plausible(parsed.year):
        return None
    if _HAS_TIME.search(text) and parsed.tzinfo is not None:
        return parsed.isoformat()
    return parsed.date().isoformat()


def ambiguous(raw: str) -> bool:
    """A numeric date that reads as two different days month-first and day-first (02-12-2025)."""
    match = _NUMERIC_DAY_MONTH.match(raw)
    if match is None:
        return False
    first, second = int(match.group(1)), int(match.group(2))
    return first != second and max(first, second) <= 12


def day_first_date(raw: str) -> str | None:
    """An ambiguous numeric date (ambiguous() is true) read day first: 02/10/2020 as 2 October."""
    match = _NUMERIC_DAY_MONTH.match(raw)
    if match is None:
        return None
    year = int(raw[match.end() - 4 : match.end()])
    return _valid_date(year, int(match.group(2)), int(match.group(1)))


def _printed_form(text: str) -> str | None:
    """A date that is exactly "Dec 4, 2025" or "4 December 2025" (no time), parsed without dateutil."""
    match = _MONTH_DAY_YEAR.fullmatch(text)
    if match:
        month, day, year = match.groups()
    else:
        match = _DAY_MONTH_YEAR.fullmatch(text)
        if not match:
            return None
        day, month, year = match.groups()
    return _valid_date(int(year), _MONTHS.index(month[:3].lower()) + 1, int(day))


def _valid_date(year: int, month: int, day: int) -> str | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found.isoformat() if _plausible(year) else None


def _plausible(year: int) -> bool:
    return meta_rules.MIN_YEAR <= year <= meta_rules.MAX_YEAR


def date_from_url(url: str) -> str | None:
    """A publication date written in a story URL (/2025/10/15/, /2023/october/03/, -20251015-), date only."""
    for pattern in (_URL_DATE, _URL_COMPACT):
        match = pattern.search(url)
        if match:
            try:
                found = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                continue
            if _plausible(found.year):
                return found.isoformat()
    named = _URL_NAMED.search(url)
    if named:
        year, month, day = named.groups()
        return _valid_date(int(year), _MONTHS.index(month[:3].lower()) + 1, int(day))
    return None
