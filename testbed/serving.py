"""A simulated site served on 127.0.0.x in a background thread: the server wrapper fixture sites share."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, Self, TypeVar

SiteT = TypeVar("SiteT")


class BackgroundServer(Generic[SiteT]):
    """Serve `site` with `handler` (which reads `self.server.site`) until the with-block ends."""

    def __init__(self, site: SiteT, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1") -> None:
        self.site = site
        self.httpd = ThreadingHTTPServer((host, 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.site = site  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
