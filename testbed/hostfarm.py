"""Many news sites on many loopback hosts (127.0.1.1, 127.0.1.2, ...) served by one server on 0.0.0.0,
keyed by the Host header; every request's arrival is recorded at the server, with its user agent, so tests
can measure the gap between two requests to one host and see which daemon sent them."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from monitor.newsite import NewsSite
from monitor.newsite.server import send_response
from monitor.newsite.site import Response
from testbed.newsite import sample_site


@dataclass(frozen=True, slots=True)
class Arrival:
    host: str  # as the Host header names it: 127.0.1.7:PORT
    path: str
    at: float  # time.monotonic() when the request was read
    user_agent: str


@dataclass
class HostFarm:
    """`hosts` news sites, one per loopback address 127.0.1.1 ..., each with `stories` stories."""

    hosts: int
    stories: int = 3
    delay_s: float = 0.0  # every response waits this long (a slow farm keeps requests in flight)
    sites: dict[str, NewsSite] = field(default_factory=dict)
    arrivals: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def addresses(self) -> list[str]:
        return [f"127.0.1.{index}" for index in range(1, self.hosts + 1)]

    def site_for(self, host_header: str) -> NewsSite | None:
        return self.sites.get(host_header.rsplit(":", 1)[0])

    def gaps(self) -> dict[str, float]:
        """The shortest gap between two requests to each host (hosts with one request or none left out)."""
        by_host: dict[str, list[float]] = defaultdict(list)
        with self.lock:
            for arrival in self.arrivals:
                by_host[arrival.host].append(arrival.at)
        return {
            host: min(
                later - earlier for earlier, later in zip(sorted(times), sorted(times)[1:], strict=False)
            )
            for host, times in by_host.items()
            if len(times) > 1
        }

    def since(self, moment: float) -> list[Arrival]:
        with self.lock:
            return [arrival for arrival in self.arrivals if arrival.at >= moment]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        farm: HostFarm = self.server.farm  # type: ignore[attr-defined]
        host_header = self.headers.get("Host") or ""
        with farm.lock:
            farm.arrivals.append(
                Arrival(host_header, self.path, time.monotonic(), self.headers.get("User-Agent") or "")
            )
        site = farm.site_for(host_header)
        if farm.delay_s:
            time.sleep(farm.delay_s)
        if site is None:
            response = Response(404, "text/plain", b"no such host")
        else:
            response = site.respond(self.path, f"http://{host_header}", self.headers)
        send_response(self, response)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the access log
        return


class FarmServer:
    """Serve a HostFarm on 0.0.0.0 (every loopback address) on one port, in a background thread."""

    def __init__(self, farm: HostFarm) -> None:
        for address in farm.addresses():
            site = sample_site(farm.stories)
            site.name = f"Fixture {address}"
            farm.sites[address] = site
        self.site = farm
        self.httpd = ThreadingHTTPServer(("0.0.0.0", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.farm = farm  # type: ignore[attr-defined]
        # A daemon killed mid-request resets its connection: expected here, not worth a traceback.
        self.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="host-farm", daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def url(self, address: str) -> str:
        return f"http://{address}:{self.port}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
