"""Safe body handling: bounded streaming decompression, content-type filtering per kind, charset decoding."""

from __future__ import annotations

import codecs
import functools
import re
import zlib
from typing import Protocol

import brotli
import charset_normalizer

from monitor.models import FetchKind

# What each kind of fetch accepts; anything else is recorded as "content_type" and skipped.
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_XML_TYPES = frozenset(
    {
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/feed+xml",
        "application/news+xml",
    }
)
_GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip", "application/x-gunzip"})
# Servers often mislabel feeds and sitemaps; these are accepted when the body itself looks like XML.
_SNIFFED_TYPES = frozenset({"", "text/plain", "application/octet-stream", "binary/octet-stream"})
ACCEPTED_TYPES: dict[str, frozenset[str]] = {
    "page": _HTML_TYPES,
    "feed": _XML_TYPES,
    "sitemap": _XML_TYPES | _GZIP_TYPES,
}
ACCEPT_HEADERS: dict[str, str] = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1",
    "sitemap": "application/xml,text/xml;q=0.9,*/*;q=0.1",
}
SUPPORTED_ENCODINGS = "gzip, deflate, br"
_MAX_STACKED_ENCODINGS = 2
_SNIFF_BYTES = 1024
_META_SCAN_BYTES = 4096
_DETECT_BYTES = 64 * 1024

_XML_START = re.compile(rb"^\s*(<\?xml|<rss|<feed|<rdf:RDF|<urlset|<sitemapindex)", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<!--)", re.IGNORECASE)
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


class BodyTooLarge(Exception):
    """The (decompressed) body exceeds the cap."""


class BadEncoding(Exception):
    """The Content-Encoding is unknown or the compressed stream is corrupt."""


class _Decoder(Protocol):
    def feed(self, data: bytes, limit: int) -> bytes: ...
    def flush(self, limit: int) -> bytes: ...


class _Identity:
    def feed(self, data: bytes, limit: int) -> bytes:
        return data

    def flush(self, limit: int) -> bytes:
        return b""


class _Zlib:
    """gzip or deflate, never producing more than `limit + 1` bytes per call (zlib's max_length)."""

    def __init__(self, wbits: int, *, raw_fallback: bool = False) -> None:
        self._obj = zlib.decompressobj(wbits)
        self._raw_fallback = raw_fallback
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        if not self._started and self._raw_fallback:
            self._started = True
            try:
                return self._drain(data, limit)
            except BadEncoding:
                # Some servers send raw deflate without the zlib header (RFC 9110 says zlib; IIS disagrees).
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        self._started = True
        return self._drain(data, limit)

    def _drain(self, data: bytes, limit: int) -> bytes:
        if self._obj.eof:
            return b""  # trailing garbage after the stream end is ignored, like browsers do
        try:
            output = self._obj.decompress(data, limit + 1)
        except zlib.error as exc:
            raise BadEncoding(str(exc)) from exc
        if len(output) > limit or self._obj.unconsumed_tail:
            raise BodyTooLarge
        return output

    def flush(self, limit: int) -> bytes:
        if self._obj.eof:
            return b""
        output = self._obj.flush()
        if len(output) > limit:
            raise BodyTooLarge
        return output


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes, limit: int) -> bytes:
        try:
            output: bytes = self._obj.process(data, output_buffer_limit=limit + 1)
        except brotli.error as exc:
            raise BadEncoding(str(exc)) from exc
        if len(output) > limit or not self._obj.can_accept_more_data():
            raise BodyTooLarge
        return output

    def flush(self, limit: int) -> bytes:
        return b""


def _decoder_for(coding: str) -> _Decoder:
    if coding in ("", "identity"):
        return _Identity()
    if coding in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return _Zlib(zlib.MAX_WBITS, raw_fallback=True)
    if coding == "br":
        return _Brotli()
    raise BadEncoding(f"unsupported content-encoding {coding!r}")


class BoundedDecoder:
    """Decodes a (possibly stacked) Content-Encoding chunk by chunk, refusing output beyond `max_bytes`."""

    def __init__(self, content_encoding: str, max_bytes: int) -> None:
        codings = [part.strip().lower() for part in content_encoding.split(",") if part.strip()]
        codings = [coding for coding in codings if coding != "identity"]
        if len(codings) > _MAX_STACKED_ENCODINGS:
            raise BadEncoding(f"too many stacked content-encodings: {content_encoding!r}")
        # Codings are listed in the order applied, so they are undone in reverse.
        self._decoders = [_decoder_for(coding) for coding in reversed(codings)] or [_Identity()]
        self._max_bytes = max_bytes
        self._chunks: list[bytes] = []
        self.size = 0

    def feed(self, data: bytes) -> None:
        for decoder in self._decoders:
            data = decoder.feed(data, self._remaining())
        self._append(data)

    def finish(self) -> bytes:
        """Flushes every stage and returns the whole decoded body."""
        data = b""
        for decoder in self._decoders:
            fed = decoder.feed(data, self._remaining()) if data else b""
            data = fed + decoder.flush(self._remaining())
        self._append(data)
        return b"".join(self._chunks)

    def _remaining(self) -> int:
        return self._max_bytes - self.size

    def _append(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self._max_bytes:
            raise BodyTooLarge
        self._chunks.append(data)


def decompress_bounded(data: bytes, content_encoding: str, max_bytes: int) -> bytes:
    """Decompresses a whole buffer (e.g. a gzipped sitemap file) under the same cap."""
    decoder = BoundedDecoder(content_encoding, max_bytes)
    decoder.feed(data)
    return decoder.finish()


def parse_content_type(header: str | None) -> tuple[str, str | None]:
    """Returns (media type, charset parameter) from a Content-Type header."""
    if not header:
        return "", None
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media_type.strip().lower(), charset


def content_type_allowed(kind: FetchKind, media_type: str) -> bool | None:
    """True/False from the header alone; None when the body must be sniffed to decide."""
    if media_type in ACCEPTED_TYPES[kind]:
        return True
    if media_type in _SNIFFED_TYPES or (kind != "page" and media_type == "text/html"):
        return None
    if kind != "page" and media_type.endswith("+xml"):
        return True
    return False


def sniff_allowed(kind: FetchKind, body: bytes) -> bool:
    """Decides a doubtful Content-Type by looking at the start of the body."""
    head = _strip_bom(body[:_SNIFF_BYTES])
    if kind == "page":
        return bool(_HTML_START.match(head))
    return bool(_XML_START.match(head)) or head.startswith(b"\x1f\x8b")


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(codecs.BOM_UTF8) else data


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


def detect_charset(body: bytes, header_charset: str | None) -> str:
    """BOM, then the HTTP header, then <meta charset> / XML declaration, then UTF-8, then detection.

    A BOM beats the header (WHATWG "decode"). A declared UTF-8 that does not decode is a CMS lying about
    legacy bytes, so detection decides instead of filling the text with U+FFFD.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    declared = normalize_encoding(header_charset) or _declared_in_document(body[:_META_SCAN_BYTES])
    if declared and (declared != "utf-8" or _decodes(body, "utf-8")):
        return declared
    if declared is None and _decodes(body, "utf-8"):
        return "utf-8"
    return _guess(body)


def _declared_in_document(head: bytes) -> str | None:
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if not match:
        return None
    name = normalize_encoding(match.group(1).decode("ascii", "replace"))
    # A document cannot declare itself UTF-16 in ASCII bytes (WHATWG: treat as UTF-8).
    return "utf-8" if name and name.startswith("utf-16") else name


def _guess(body: bytes) -> str:
    best = charset_normalizer.from_bytes(body[:_DETECT_BYTES]).best()
    guessed = normalize_encoding(best.encoding) if best else None
    if guessed is None:
        return "cp1252"
    # On mostly-Latin text detectors hesitate between Windows-125x siblings; the web's default is 1252.
    if guessed in _LATIN_LOOKALIKES and _decodes(body, "cp1252"):
        return "cp1252"
    return guessed


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def decode_body(body: bytes, header_charset: str | None) -> str:
    """Decodes a body to text; undecodable bytes become U+FFFD rather than failing the fetch."""
    if not body:
        return ""
    encoding = detect_charset(body, header_charset)
    text = body.decode(encoding, errors="replace")
    return text[1:] if text.startswith("\ufeff") else text
