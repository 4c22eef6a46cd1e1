"""Serving simulated sites on 127.0.0.x: one site per server in a background thread, or many servers behind
one accept loop (a benchmark's hundreds of hosts)."""

from __future__ import annotations

import selectors
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from monitor.newsite.site import NewsSite, Response


def send_response(handler: BaseHTTPRequestHandler, response: Response, *, with_body: bool = True) -> None:
    """Write one of the site's answers on a request handler: status, headers, length, then the body."""
    handler.send_response(response.status)
    if response.status != 304:
        handler.send_header("Content-Type", response.content_type)
    for name, value in response.headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(response.body)))
    handler.end_headers()
    if with_body and response.body:
        handler.wfile.write(response.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real news sites
    server: _SiteHTTPServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(with_body=False)

    def _answer(self, *, with_body: bool) -> None:
        base = f"http://{self.headers.get('Host') or self.server.base_host}"
        send_response(self, self.server.site.respond(self.path, base, self.headers), with_body=with_body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the access log
        return


class _SiteHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: NewsSite, host: str) -> None:
        super().__init__((host, 0), _Handler)
        self.site = site
        self.base_host = f"{host}:{self.server_address[1]}"


class SiteServer:
    """Serve a NewsSite on `host` (a free port) in a background thread until the with-block ends."""

    def __init__(self, site: NewsSite, host: str = "127.0.0.1") -> None:
        self.site = site
        self.httpd = _SiteHTTPServer(site, host)
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="news-site", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.httpd.base_host}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@contextmanager
def serve_many(sites: Sequence[tuple[NewsSite, str]]) -> Iterator[list[str]]:
    """Serve every (site, host address) until the block ends; yields their base URLs.

    One thread waits on every listening socket (a serve_forever thread per server would wake hundreds of
    times a second and steal CPU from the monitor); each request is then handled in its own thread.
    """
    servers = [_SiteHTTPServer(site, host) for site, host in sites]
    stop = threading.Event()

    def accept_loop() -> None:
        with selectors.DefaultSelector() as selector:
            for server in servers:
                selector.register(server, selectors.EVENT_READ, server)
            while not stop.is_set():
                for key, _events in selector.select(0.2):
                    key.data._handle_request_noblock()

    acceptor = threading.Thread(target=accept_loop, daemon=True)
    acceptor.start()
    try:
        yield [f"http://{server.base_host}" for server in servers]
    finally:
        stop.set()
        acceptor.join()
        for server in servers:
            server.server_close()
