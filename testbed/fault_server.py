"""A fault-injection HTTP server on 127.0.0.1, on raw sockets so it can misbehave like real servers do."""

from __future__ import annotations

import gzip
import os
import random
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from functools import cache

import brotli

MAX_REQUEST_HEAD = 64 * 1024
_REASONS = {
    200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 307: "Temporary Redirect",
    308: "Permanent Redirect", 403: "Forbidden", 404: "Not Found", 408: "Request Timeout", 410: "Gone",
    429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
}  # fmt: skip
_SEND_CHUNK = 64 * 1024


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


class Conn:
    """The client connection as a handler sees it; sends never raise (the client may have gone)."""

    def __init__(self, sock: socket.socket, stopping: threading.Event) -> None:
        self.sock = sock
        self.stopping = stopping
        self.closed = False

    def send(self, data: bytes) -> bool:
        if self.closed:
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True
        return not self.closed

    def sleep(self, seconds: float) -> bool:
        """Sleeps unless the server is stopping; False when the handler should give up."""
        return not self.stopping.wait(seconds) and not self.closed

    def reset(self) -> None:
        """Closes with a TCP RST (SO_LINGER 0) instead of a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.closed = True


# A handler answers one request; it returns True when the connection may serve another.
Handler = Callable[[Request, Conn], bool]


def head(status: int, headers: Iterable[tuple[str, str]] = ()) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", f"Date: {formatdate(usegmt=True)}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(
    status: int = 200,
    body: bytes | str = b"",
    *,
    content_type: str | None = "text/html; charset=utf-8",
    headers: Iterable[tuple[str, str]] = (),
) -> Handler:
    payload = body.encode("utf-8") if isinstance(body, str) else body
    extra = list(headers)

    def handler(request: Request, conn: Conn) -> bool:
        fields = [("Content-Length", str(len(payload)))] + extra
        if content_type:
            fields.insert(0, ("Content-Type", content_type))
        return conn.send(head(status, fields) + payload)

    return handler


def html(text: str, *, charset: str | None = "utf-8", encoding: str = "utf-8") -> Handler:
    content_type = f"text/html; charset={charset}" if charset else "text/html"
    return respond(200, text.encode(encoding), content_type=content_type)


def redirect(location: str, status: int = 302) -> Handler:
    return respond(status, b"", content_type=None, headers=[("Location", location)])


def retry_after(value: str, status: int = 503) -> Handler:
    return respond(status, b"busy", content_type="text/plain", headers=[("Retry-After", value)])


def sequence(*handlers: Handler) -> Handler:
    """Successive requests get successive handlers; the last one repeats."""
    calls = Counter[str]()
    lock = threading.Lock()

    def handler(request: Request, conn: Conn) -> bool:
        with lock:
            index = min(calls["n"], len(handlers) - 1)
            calls["n"] += 1
        return handlers[index](request, conn)

    return handler


def conditional(body: str, *, etag: str, last_modified: str) -> Handler:
    """200 with validators, 304 when the request's validators match."""
    full = respond(200, body, headers=[("ETag", etag), ("Last-Modified", last_modified)])
    not_modified = respond(304, b"", content_type=None, headers=[("ETag", etag)])

    def handler(request: Request, conn: Conn) -> bool:
        match = request.headers.get("if-none-match") == etag or request.headers.get("if-modified-since") == (
            last_modified
        )
        return (not_modified if match else full)(request, conn)

    return handler


def trickle(body: bytes, *, interval_s: float = 0.2, chunk: int = 1) -> Handler:
    """Sends the body a few bytes at a time: each read succeeds, the whole takes forever."""

    def handler(request: Request, conn: Conn) -> bool:
        conn.send(head(200, [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]))
        for start in range(0, len(body), chunk):
            if not conn.send(body[start : start + chunk]) or not conn.sleep(interval_s):
                break
        return False

    return handler


def stall(seconds: float) -> Handler:
    """Accepts the request and says nothing."""

    def handler(request: Request, conn: Conn) -> bool:
        conn.sleep(seconds)
        return False

    return handler


def reset(request: Request, conn: Conn) -> bool:
    conn.reset()
    return False


def close_silently(request: Request, conn: Conn) -> bool:
    return False


def partial_body(request: Request, conn: Conn) -> bool:
    conn.send(head(200, [("Content-Type", "text/html"), ("Content-Length", "10000")]) + b"<html>" * 10)
    return False


def reset_mid_body(request: Request, conn: Conn) -> bool:
    conn.send(head(200, [("Content-Type", "text/html"), ("Content-Length", "10000")]) + b"<html>" * 10)
    time.sleep(0.05)
    conn.reset()
    return False


def broken_chunked(request: Request, conn: Conn) -> bool:
    fields = [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]
    conn.send(head(200, fields) + b"5\r\n<html\r\nZZZ-not-hex\r\nmore bytes\r\n0\r\n\r\n")
    return False


def huge_headers(size: int = 256 * 1024) -> Handler:
    def handler(request: Request, conn: Conn) -> bool:
        conn.send(head(200, [("Content-Type", "text/html"), ("X-Huge", "a" * size), ("Content-Length", "2")]))
        conn.send(b"ok")
        return False

    return handler


_GARBAGE = random.Random(1234).randbytes(4096)


def garbage(request: Request, conn: Conn) -> bool:
    """Binary noise instead of a status line."""
    conn.send(_GARBAGE)
    return False


def garbage_body(media_type: str = "text/html") -> Handler:
    return respond(200, os.urandom(8192), content_type=media_type)


@cache
def _zeros_compressed(coding: str, size: int) -> bytes:
    block = b"\0" * (1024 * 1024)
    if coding == "br":
        return brotli.compress(b"\0" * size, quality=1)
    compressor = zlib.compressobj(
        9, zlib.DEFLATED, 16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS
    )
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.compress(b"\0" * (size % len(block))))
    parts.append(compressor.flush())
    return b"".join(parts)


def bomb(size: int, coding: str = "gzip", media_type: str = "text/html") -> Handler:
    """A small compressed body that inflates to `size` zero bytes."""
    payload = _zeros_compressed(coding, size)
    return respond(200, payload, content_type=media_type, headers=[("Content-Encoding", coding)])


def compressed(body: bytes, coding: str, media_type: str = "text/html; charset=utf-8") -> Handler:
    if coding == "gzip":
        payload = gzip.compress(body)
    elif coding == "deflate":
        payload = zlib.compress(body)
    elif coding == "raw-deflate":
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        payload, coding = compressor.compress(body) + compressor.flush(), "deflate"
    else:
        payload = brotli.compress(body)
    return respond(200, payload, content_type=media_type, headers=[("Content-Encoding", coding)])


def big_body(size: int, *, declare_length: bool = True, media_type: str = "text/html") -> Handler:
    """Streams `size` bytes, with or without a Content-Length announcing it."""

    def handler(request: Request, conn: Conn) -> bool:
        fields = [("Content-Type", media_type)]
        fields.append(("Content-Length", str(size)) if declare_length else ("Connection", "close"))
        conn.send(head(200, fields))
        block = b"a" * _SEND_CHUNK
        sent = 0
        while sent < size and not conn.stopping.is_set():
            piece = block[: min(_SEND_CHUNK, size - sent)]
            if not conn.send(piece):
                break
            sent += len(piece)
        return False

    return handler


@dataclass
class FaultServer:
    """Routes paths to handlers; unknown paths (robots.txt included) answer 404."""

    host: str = "127.0.0.1"
    port: int = 0
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    connections: int = 0  # TCP connections accepted so far
    requests: list[Request] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def start(self) -> FaultServer:
        server = socketserver.ThreadingTCPServer(
            (self.host, self.port), self._handler_class(), bind_and_activate=False
        )
        server.daemon_threads = True
        server.allow_reuse_address = True
        server.request_queue_size = 256
        server.server_bind()
        server.server_activate()
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _dispatch(self, request: Request, conn: Conn) -> bool:
        with self._lock:
            self.hits[request.path] += 1
            self.requests.append(request)
        handler = self.routes.get(request.path) or self.routes.get(request.target)
        return (handler or respond(404, "not found", content_type="text/plain"))(request, conn)

    def _handler_class(self) -> type[socketserver.BaseRequestHandler]:
        fault_server = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                with fault_server._lock:
                    fault_server.connections += 1
                sock.settimeout(10)
                conn = Conn(sock, fault_server.stopping)
                buffer = b""
                while not conn.closed and not fault_server.stopping.is_set():
                    request, buffer = _read_request(sock, buffer)
                    if request is None:
                        return
                    keep_alive = fault_server._dispatch(request, conn)
                    if not keep_alive or request.headers.get("connection", "").lower() == "close":
                        return

        return _Handler


def _read_request(sock: socket.socket, buffer: bytes) -> tuple[Request | None, bytes]:
    while b"\r\n\r\n" not in buffer:
        if len(buffer) > MAX_REQUEST_HEAD:
            return None, b""
        try:
            data = sock.recv(65536)
        except OSError:
            return None, b""
        if not data:
            return None, b""
        buffer += data
    head_bytes, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    method, target, _version = (lines[0].split(" ") + ["", "", ""])[:3]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(method=method, target=target, headers=headers), rest
