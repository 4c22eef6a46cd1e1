"""Safe body handling: bounded streaming decompression, content-type filtering per kind (monitor.charset
decodes the bytes)."""

from __future__ import annotations

import codecs
import re
import zlib
from typing import Protocol

import brotli

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

_XML_START = re.compile(rb"^\s*(<\?xml|<rss|<feed|<rdf:RDF|<urlset|<sitemapindex)", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<!--)", re.IGNORECASE)


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
