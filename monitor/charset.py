"""The one decoder: page bytes to text, for the fetcher and for extraction alike.

BOM first; then bytes that are valid UTF-8 are UTF-8 whatever a label says (legacy text almost never forms
valid UTF-8 sequences, while CMSes often label UTF-8 as Latin-1); then the HTTP header's charset, else the
page's own <meta charset> / XML declaration; a label of UTF-8 on bytes that are mostly but not entirely
UTF-8 keeps UTF-8 (a few damaged bytes become U+FFFD); otherwise detection decides.
"""

from __future__ import annotations

import codecs
import functools
import re

_META_SCAN_BYTES = 4096
_DETECT_BYTES = 64 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG encoding rules: these labels really mean their supersets on the web.
_SUPERSETS = {
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
}
# The single-byte legacy encodings a detector may confuse with Windows-1252 on mostly-Latin text.
_LATIN_LOOKALIKES = frozenset(
    {"cp1250", "cp1252", "latin_1", "iso8859_15", "mac_roman", "cp850", "iso8859_2"}
)


def decode_html(data: bytes, header_charset: str | None = None) -> str:
    """The text of a page (or feed); undecodable bytes become U+FFFD, a leading BOM is dropped."""
    if not data:
        return ""
    text = data.decode(encoding_of(data, header_charset), errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def encoding_of(data: bytes, header_charset: str | None = None) -> str:
    """The codec that decodes `data` (see the module docstring for the order of the evidence)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if _decodes(data, "utf-8"):
        return "utf-8"
    declared = normalize_encoding(header_charset) or _declared_in_document(data[:_META_SCAN_BYTES])
    if declared is not None and declared != "utf-8":
        return declared
    if _mostly_utf8(data):
        return "utf-8"
    return _guess(data)


@functools.lru_cache(maxsize=256)  # a handful of labels, looked up for every page
def normalize_encoding(label: str | None) -> str | None:
    """Maps a charset label to a Python codec name (applying WHATWG supersets), or None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except (LookupError, ValueError):
        return None
    return _SUPERSETS.get(name, name)


def _declared_in_document(head: bytes) -> str | None:
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if not match:
        return None
    name = normalize_encoding(match.group(1).decode("ascii", "replace"))
    # A document cannot declare itself UTF-16 in ASCII bytes (WHATWG: treat as UTF-8).
    return "utf-8" if name and name.startswith("utf-16") else name


def _mostly_utf8(data: bytes) -> bool:
    """More valid multi-byte UTF-8 characters than damaged bytes: UTF-8 with a few errors, not legacy text."""
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    return sum(1 for char in text if char > "\x7f") - damaged > damaged


def _guess(data: bytes) -> str:
    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:_DETECT_BYTES]).best()
    guessed = normalize_encoding(best.encoding) if best else None
    if guessed is None:
        return "cp1252"
    # On mostly-Latin text detectors hesitate between Windows-125x siblings; the web's default is 1252.
    if guessed in _LATIN_LOOKALIKES and _decodes(data, "cp1252"):
        return "cp1252"
    return guessed


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
