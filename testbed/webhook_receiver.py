"""A webhook receiver on 127.0.0.1 for the notification tests and benchmark: records every POST, and can
be down (not listening), flaky (every third request answers 500) or up."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    body: dict[str, Any]
    raw: bytes
    headers: dict[str, str]
    status: int  # what the receiver answered
    at: float  # time.time() when it arrived


@dataclass
class Receiver:
    port: int = 0
    flaky: bool = False  # every third request answers 500 (the event is not accepted)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None

    def __post_init__(self) -> None:
        if not self.port:
            self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        """Begin listening (before this, connections to the port are refused: the receiver is down)."""
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.receiver = self  # type: ignore[attr-defined]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def accepted(self) -> list[Received]:
        with self.lock:
            return [request for request in self.requests if request.status == 200]

    def unique_accepted(self) -> list[Received]:
        """Accepted events after dropping redeliveries by event_id, in order of first arrival."""
        seen: set[str] = set()
        unique = []
        for request in self.accepted():
            if request.body["event_id"] not in seen:
                seen.add(request.body["event_id"])
                unique.append(request)
        return unique

    def answer(self, raw: bytes, headers: dict[str, str]) -> int:
        with self.lock:
            status = 500 if self.flaky and len(self.requests) % 3 == 2 else 200
            self.requests.append(Received(json.loads(raw), raw, headers, status, time.time()))
        return status


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        receiver: Receiver = self.server.receiver  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = receiver.answer(raw, {key.lower(): value for key, value in self.headers.items()})
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the access log
        return


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
