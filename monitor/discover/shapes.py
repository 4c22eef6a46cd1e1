"""URL shapes: the template of a story URL (`/{section}/{yyyy}/{mm}/{slug}/{id}/`), so what the article gate
learns about some of a site's pages applies to every page built from the same template."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

# A shape is trusted after this many verdicts all (or nearly all) one way; a feed or sitemap link is never
# dropped by a shape, only listing links are (monitor/discover/listing.py).
MIN_STORIES = 2
MIN_NOT_STORIES = 3
MAX_MINORITY_SHARE = 0.2

_YEAR = re.compile(r"^(19|20)\d{2}$")
_SMALL_NUMBER = re.compile(r"^\d{1,2}$")
_NUMBER = re.compile(r"^\d+$")
_ID_LIKE = re.compile(r"^(?=.*\d)[0-9a-f_-]{6,}$|^\d+([-_.]\d+)+$", re.IGNORECASE)
_EXTENSION = re.compile(r"\.(html?|php|aspx?|shtml|cms)$", re.IGNORECASE)
_WORD_SEPARATORS = re.compile(r"[-_+]")


def url_shape(url: str) -> str:
    """The template of a URL's path: variable parts become {yyyy} {mm} {dd} {id} {n} {slug}."""
    path = urlsplit(url).path
    segments = [segment for segment in path.split("/") if segment]
    shaped: list[str] = []
    for segment in segments:
        extension_match = _EXTENSION.search(segment)
        extension = extension_match.group(0).lower() if extension_match else ""
        stem = segment[: len(segment) - len(extension)] if extension else segment
        shaped.append(_segment_shape(stem.lower(), shaped[-1] if shaped else None) + extension)
    shape = "/" + "/".join(shaped)
    if segments and path.endswith("/"):
        shape += "/"
    return shape


def _segment_shape(segment: str, previous: str | None) -> str:
    if _YEAR.match(segment):
        return "{yyyy}"
    if _SMALL_NUMBER.match(segment):
        return {"{yyyy}": "{mm}", "{mm}": "{dd}"}.get(previous or "", "{n}")
    if _NUMBER.match(segment) or _ID_LIKE.match(segment):
        return "{id}"
    if len([word for word in _WORD_SEPARATORS.split(segment) if word]) >= 2:
        return "{slug}"
    return segment


def learned_verdicts(counts: Mapping[str, tuple[int, int]]) -> dict[str, bool]:
    """From (stories, not_stories) per shape, the shapes that are clearly story templates (True) or clearly
    not (False); shapes with too few or mixed verdicts are left to the heuristics."""
    verdicts: dict[str, bool] = {}
    for shape, (stories, not_stories) in counts.items():
        total = stories + not_stories
        if stories >= MIN_STORIES and not_stories <= MAX_MINORITY_SHARE * total:
            verdicts[shape] = True
        elif not_stories >= MIN_NOT_STORIES and stories <= MAX_MINORITY_SHARE * total:
            verdicts[shape] = False
    return verdicts
