"""One HTTP attempt: the request/response exchange, its bounded body, and how failures are named."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import httpx

from monitor.fetch.body import (
    BadEncoding,
    BodyTooLarge,
    BoundedDecoder,
    content_type_allowed,
    decompress_bounded,
    parse_content_type,
    sniff_allowed,
)

RequestKind = Literal["page", "feed", "sitemap", "robots"]
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DETAIL_MAX_CHARS = 200
DRAIN_MAX_BYTES = 64 * 1024  # an unused response body up to this size is read so its connection is kept
_WEB_SCHEMES = frozenset({"http", "https"})
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class Exchange:
    """The outcome of one HTTP attempt."""

    url: str
    status: int | None = None
    error: str | None = None
    detail: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names (see header_map)
    body: bytes = b""
    raw_bytes: int = 0
    content_type: str | None = None
    charset: str | None = None

    @property
    def location(self) -> str | None:
        if self.status in REDIRECT_STATUSES and self.error is None:
            return self.headers.get("location") or None
        return None


def status_error(status: int) -> str | None:
    """The error kind of an HTTP status: None for 2xx/3xx, "http_5xx" for any 5xx, else "http_<status>"."""
    if 200 <= status < 300 or status == 304 or status in REDIRECT_STATUSES:
        return None
    if 500 <= status < 600:
        return "http_5xx"
    return f"http_{status}"


def is_web_url(url: str) -> bool:
    """An http(s) URL with a host and a valid port."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return False
    return parts.scheme.lower() in _WEB_SCHEMES and bool(parts.hostname)


def classify_error(exc: BaseException) -> tuple[str, str]:
    """Maps an exception raised while talking to a server to (error kind, detail)."""
    detail = f"{type(exc).__name__}: {exc}"[:DETAIL_MAX_CHARS]
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "timeout", detail
    if isinstance(exc, BodyTooLarge):
        return "too_large", detail
    if isinstance(exc, BadEncoding):
        return "bad_encoding", detail
    if isinstance(exc, httpx.ConnectError):
        return "connect", detail
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "reset", detail
    if isinstance(exc, httpx.RemoteProtocolError):
        message = str(exc).lower()
        if "without sending a response" in message or "connection reset" in message:
            return "reset", detail
        if "incomplete" in message or "peer closed" in message:
            return "partial_body", detail
        return "protocol", detail
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL | httpx.LocalProtocolError):
        return "invalid_request", detail
    if isinstance(exc, OSError | httpx.TransportError):
        return "connect", detail
    return "internal", detail


def header_map(headers: httpx.Headers) -> dict[str, str]:
    """The response headers as a plain dict with lower-case names, repeated fields joined by ", " (as
    httpx.Headers.get does). Built once: every httpx.Headers.get re-scans and re-decodes every field."""
    merged: dict[str, str] = {}
    for name, value in headers.multi_items():
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


async def _content_chunks(content: bytes) -> AsyncIterator[bytes]:
    yield content


async def drain_small_body(response: httpx.Response) -> None:
    """Reads and drops an unused body (304, 404, 503...) that declares at most DRAIN_MAX_BYTES, so the
    connection goes back to the pool: httpcore closes a connection whose response is closed unread, and a
    new connection per 304 costs more CPU than the 304 itself. Larger or undeclared bodies are not read."""
    if response.is_stream_consumed:
        return
    declared_length = response.headers.get("content-length", "")
    if response.status_code != 304 and not (
        declared_length.isdigit() and int(declared_length) <= DRAIN_MAX_BYTES
    ):
        return
    received = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        if received > DRAIN_MAX_BYTES:
            break


async def read_body(exchange: Exchange, response: httpx.Response, kind: RequestKind, max_bytes: int) -> None:
    """Reads a 2xx body under the content-type rules of kind and the decompressed-size cap."""
    headers = exchange.headers
    media_type, charset = parse_content_type(headers.get("content-type"))
    exchange.content_type, exchange.charset = media_type or None, charset
    allowed = True if kind == "robots" else content_type_allowed(kind, media_type)
    if allowed is False:
        exchange.error, exchange.detail = (
            "content_type",
            f"{media_type or 'none'} is not accepted for {kind}",
        )
        return
    declared_length = headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > max_bytes:
        raise BodyTooLarge(f"Content-Length {declared_length} > {max_bytes}")
    if response.is_stream_consumed:  # an in-memory response (MockTransport): httpx already decoded it
        chunks, content_encoding = _content_chunks(response.content), ""
    else:
        chunks, content_encoding = response.aiter_raw(), headers.get("content-encoding", "")
    decoder = BoundedDecoder(content_encoding, max_bytes)
    async for chunk in chunks:
        exchange.raw_bytes += len(chunk)
        if exchange.raw_bytes > max_bytes:
            raise BodyTooLarge(f"more than {max_bytes} bytes on the wire")
        decoder.feed(chunk)
    body = decoder.finish()
    if kind == "sitemap" and body.startswith(_GZIP_MAGIC):
        body = decompress_bounded(body, "gzip", max_bytes)  # sitemap.xml.gz served as a file
    if allowed is None and kind != "robots" and not sniff_allowed(kind, body):
        exchange.error, exchange.detail = (
            "content_type",
            f"{media_type or 'none'} does not look like {kind}",
        )
        return
    exchange.body = body
