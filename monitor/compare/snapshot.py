"""The comparable form of one extracted version: text normalisation, snapshots, content hashes, JSON."""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from monitor.models import Article

# Bump when a normalisation rule changes: stored hashes of the old scheme then differ from every new one,
# which the pipeline can tell apart from a real edit by this prefix.
HASH_SCHEME = "monitor-compare-v1"

# Typographic variants a site (or its CMS, or a "smart quotes" plugin) swaps without changing a word.
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark / typographic apostrophe
        "\u201a": "'",  # single low-9
        "\u201b": "'",  # single high-reversed-9
        "\u2032": "'",  # prime
        "\u2039": "'",  # single guillemets
        "\u203a": "'",
        "\u0060": "'",  # grave accent used as an opening quote
        "\u00b4": "'",  # acute accent used as an apostrophe
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',  # double low-9 (German opening quote)
        "\u201f": '"',
        "\u2033": '"',  # double prime
        "\u00ab": '"',  # guillemets
        "\u00bb": '"',
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
        "\u2026": "...",  # ellipsis
        # Invisible characters: zero-width space/joiners, word joiner, BOM, soft hyphen.
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)
# Whitespace is collapsed with str.split(), whose whitespace is re's \s: NBSP, the U+2000 spaces, narrow NBSP
# and ideographic space included. The patterns below run on collapsed text, so a space is one " ".
# "--" is the ASCII spelling of a dash, and spacing around a dash is a typographic choice ("a — b", "a—b").
_DASH_RUN = re.compile(r" ?-+ ?")
# Inline markup reflow can leave a space before closing or after opening punctuation ("word ," / "( word").
_SPACE_BEFORE_CLOSING = re.compile(r" (?=[,.;:!?)\]}])")
_SPACE_AFTER_OPENING = re.compile(r"(?<=[(\[{]) ")
# Inline tags some sources leave in text (og:title, JSON-LD articleBody, double escaping): presentation only.
# Named tags with name=value attributes only, so prose such as "a <b and c> d" is left alone.
_INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|big|br|cite|code|del|div|em|font|i|ins|mark|p|q|s|small|span|strong|sub|sup|u|wbr)"
    r"""(?:\s+[\w:-]+=(?:"[^"]*"|'[^']*'|[^\s<>"']+))*\s*/?>""",
    re.IGNORECASE,
)
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf"})
_DATE_ONLY_LENGTH = len("2024-01-31")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The normalised, comparable form of one extracted version of a story."""

    title: str
    byline: str
    published: str
    modified: str
    paragraphs: tuple[str, ...]

    @property
    def body_text(self) -> str:
        """The body as stored: paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)

    @property
    def body_words(self) -> int:
        return sum(len(paragraph.split()) for paragraph in self.paragraphs)


def normalise_text(text: str) -> str:
    """Return `text` with every difference a reader cannot see or would not call an edit removed.

    NFC; HTML entities and inline tags left over by double escaping removed; curly quotes, dashes, ellipsis,
    NBSP and zero-width characters unified; whitespace collapsed (and dropped where it only touches
    punctuation or a dash); stripped.
    Words, numbers, letter case and punctuation marks are kept: changing any of them is an edit.
    """
    text = _INLINE_TAG.sub(" ", html.unescape(text))
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHIC)
    elif "`" in text:  # the one ASCII character _TYPOGRAPHIC maps; ASCII is already NFC
        text = text.translate(_TYPOGRAPHIC)
    text = " ".join(_drop_control_characters(text).split())
    # Each pattern below runs only when it can match: these run on every paragraph of every fetch.
    if "-" in text:
        text = _DASH_RUN.sub("-", text)
    if " " in text:
        text = _SPACE_BEFORE_CLOSING.sub("", text)
        text = _SPACE_AFTER_OPENING.sub("", text)
    return text


# A story's paragraphs are normalised again when it is stored without its site furniture and when a recheck
# compares it with its stored version (issue 13): the paragraphs of the last few stories are remembered.
_normalised_paragraph = lru_cache(maxsize=4096)(normalise_text)


def _drop_control_characters(text: str) -> str:
    """Remove control and format characters (categories Cc, Cf) that are not whitespace.

    Tested per distinct character, not per character: this runs on every paragraph of every fetch.
    """
    if text.isprintable():  # no character of category Cc or Cf at all (the common case)
        return text
    dropped = {
        ord(char)
        for char in set(text)
        if not char.isspace() and unicodedata.category(char) in _CONTROL_CATEGORIES
    }
    return text.translate(dict.fromkeys(dropped)) if dropped else text


def normalise_date(value: str | None) -> str:
    """Return an ISO-8601 date as one canonical string: aware times in UTC, so equal instants compare equal.

    A value that is not ISO-8601 is kept as normalised text (a change to it is still a change).
    """
    text = normalise_text(value or "")
    if not text:
        return ""
    try:
        if len(text) == _DATE_ONLY_LENGTH:
            return date.fromisoformat(text).isoformat()
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.isoformat()


def snapshot(article: Article) -> Snapshot:
    """Return the comparable form of an extracted article (empty strings for missing fields)."""
    byline = article.byline or ", ".join(article.authors)
    paragraphs = (_normalised_paragraph(paragraph) for paragraph in article.paragraphs)
    return Snapshot(
        title=normalise_text(article.title or ""),
        byline=normalise_text(byline),
        published=normalise_date(article.published),
        modified=normalise_date(article.modified),
        paragraphs=tuple(paragraph for paragraph in paragraphs if paragraph),
    )


def body_key(snap: Snapshot) -> str:
    """The body as one line: where paragraph breaks fall is layout, so re-splitting is not an edit."""
    return " ".join(snap.paragraphs)


def content_hash(snap: Snapshot) -> str:
    """SHA-256 hex over every field, dates included: the identity of a version."""
    return _hash([snap.title, snap.byline, snap.published, snap.modified, body_key(snap)])


def text_hash(snap: Snapshot) -> str:
    """SHA-256 hex over title, byline and body only: equal for versions that differ only in their dates."""
    return _hash([snap.title, snap.byline, body_key(snap)])


def _hash(fields: list[str]) -> str:
    # JSON keeps field boundaries unambiguous ("ab" + "c" never collides with "a" + "bc").
    payload = json.dumps([HASH_SCHEME, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def snapshot_to_json(snap: Snapshot) -> str:
    """Serialise a snapshot (stable key order, so equal snapshots give equal strings)."""
    fields = {
        "title": snap.title,
        "byline": snap.byline,
        "published": snap.published,
        "modified": snap.modified,
        "paragraphs": list(snap.paragraphs),
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


def snapshot_from_json(serialised: str) -> Snapshot:
    """Inverse of `snapshot_to_json`; raises ValueError naming the field when the JSON is not a snapshot."""
    fields = json.loads(serialised)
    if not isinstance(fields, dict):
        raise ValueError("snapshot JSON must be an object")
    text_fields = {}
    for name in ("title", "byline", "published", "modified"):
        value = fields.get(name, "")
        if not isinstance(value, str):
            raise ValueError(f"snapshot field {name!r} must be a string, got {type(value).__name__}")
        text_fields[name] = value
    paragraphs = fields.get("paragraphs", [])
    if not isinstance(paragraphs, list) or not all(isinstance(paragraph, str) for paragraph in paragraphs):
        raise ValueError("snapshot field 'paragraphs' must be a list of strings")
    return Snapshot(paragraphs=tuple(paragraphs), **text_fields)
