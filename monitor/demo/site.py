"""Serving the demo site: a Newsroom on 127.0.0.1 (stdlib http.server in a thread) that ticks on a timer."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from monitor.demo.newsroom import Newsroom

TICK_S = 4.0  # the newsroom publishes and edits this often


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, newsroom: Newsroom) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.newsroom = newsroom


class _Handler(BaseHTTPRequestHandler):
    server_version = "RivertonCourier/1.0"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(with_body=False)

    def _respond(self, *, with_body: bool) -> None:
        assert isinstance(self.server, _Server)
        base_url = f"http://{self.headers.get('Host') or '127.0.0.1'}"
        status, content_type, text = self.server.newsroom.render(self.path.split("?")[0], base_url)
        payload = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if with_body:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the access log
        return


class DemoSite:
    """Serve a Newsroom on 127.0.0.1 (a free port) and let it publish and edit every `tick_s` seconds."""

    def __init__(self, newsroom: Newsroom, *, tick_s: float = TICK_S) -> None:
        self.newsroom = newsroom
        self.tick_s = tick_s
        self.httpd = _Server(newsroom)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self.httpd.serve_forever, name="demo-site", daemon=True),
            threading.Thread(target=self._newsroom_loop, name="demo-newsroom", daemon=True),
        ]

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> DemoSite:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _newsroom_loop(self) -> None:
        while not self._stop.wait(self.tick_s):
            self.newsroom.tick()
