"""Furniture lines inside the story container: labels, counters, credits and prompts, never story text."""

from __future__ import annotations

import re

FURNITURE_MAX_CHARS = 200  # longer lines are prose, whatever they start with
_READING = r"(?:read|reading|lesezeit|lesen|leestijd|de lecture|di lettura|de lectura|de leitura|läsning)"
_MINUTES = r"\d+\s*(?:-\s*\d+\s*)?(?:min|mins|minutes?|minuten|minutos|minuti|minuter|minutter|分钟?)\.?"
_DIGIT = re.compile(r"\d")
# a reading time closing a line ("weiterlesen 5 Minuten", "Read more · 3 min read")
_READING_TIME_TAIL = re.compile(
    rf"[\s·|•–-]*(?:(?<!\w){_READING}(?: time| zeit)?\s*:?\s*)?(?<!\w){_MINUTES}"
    rf"(?:\s*{_READING}(?: time)?)?\W*$",
    re.IGNORECASE,
)
FURNITURE_LINE = re.compile(
    "|".join(
        [
            # "Stand: 05.10.2023 14:32 Uhr", "Updated: 14:32 GMT"
            r"(?:stand|aktualisiert|updated|mis à jour|actualizado)(?: "
            r"am)?:?\s+.{0,40}\d{1,2}[:.]\d{2}(?:\s*uhr)?",
            # reading times: "3 Min", "5 min read", "Lesezeit: 4 Minuten"
            rf"(?:{_READING}(?: time| zeit)?\s*:?\s*)?{_MINUTES}(?:\s*{_READING}(?: time)?)?",
            # ad labels
            r"anzeige|werbung|advertisement|advertising|advertorial|publicité|publicidad|pubblicità|reklame|"
            r"annons|ads?|promoted|sponsored(?: content| post)?|paid (?:post|content)|partner content",
            # players and embeds that did not load, and their consent placeholders
            r"(?:the )?video (?:failed to load|could not be loaded|is (?:not|no longer) "
            r"available|unavailable).*",
            r"(?:your|this) browser does not support (?:the )?(?:video|audio|html5).*|"
            r"this (?:video|content) (?:can ?not|could not) be (?:played|displayed).*",
            r"(?:externer inhalt|external content|embedded content)\b.{0,120}|"
            r"(?:um|to) (?:diesen|this) (?:inhalt|content|video|tweet|post).{0,80}"
            r"(?:zustimm|einwillig|consent|cookies|akzeptier|accept).*",
            # gallery counters, with or without a caption after them: "1 of 9 | The harbour at dawn"
            r"\d{1,3}\s*(?:of|/|von|sur|de|di|van)\s*\d{1,3}(?:\s*[|:–—]\s*.*)?",
            # photo credits standing alone
            r"(?:photo|foto|bild|image|picture|credit|crédit|quelle)s?(?: credits?)?\s*:\s*.{1,80}|©.{1,80}|"
            r"\(?(?:photos?|fotos?)\s*:.{1,80}\)?",
            # member and subscriber prompts stay: compare/suspicion.py reads them as the sign of a paywall
            # screen-reader and layout labels
            r"article content|story continues below(?: advertisement)?|continue reading "
            r"(?:below|the main story)|"
            r"skip (?:to )?(?:main )?content|skip advert(?:isement)?|scroll to continue(?: with content)?",
            # headings of teaser rivers and product-roundup furniture
            r"editors'? ?(?:recommendations|picks)|people are also reading.*|you (?:may|might) "
            r"also (?:like|enjoy)|"
            r"recommended (?:for you|stories|reading|videos)|(?:what to )?read next|jump to "
            r"(?:details|review)",
        ]
    ).join(("^(?:", r")\W*$")),
    re.IGNORECASE,
)


def is_furniture_line(line: str) -> bool:
    """A line that is a label, counter, credit or prompt of the page rather than a sentence of the story."""
    return len(line) <= FURNITURE_MAX_CHARS and FURNITURE_LINE.match(line) is not None


READING_TIME_TAIL_CHARS = 40  # a reading time and its label fit in this many characters at a line's end


def without_reading_time(line: str) -> str:
    """The line without a reading time closing it: a teaser's "read more" prompt is furniture with one too."""
    start = max(0, len(line) - READING_TIME_TAIL_CHARS)
    if _DIGIT.search(line, start) is None:  # no figure, no reading time: most lines stop at this cheap test
        return line
    found = _READING_TIME_TAIL.search(line, start)
    return line[: found.start()] if found else line
