"""Running `monitor serve`: uvicorn on 127.0.0.1 by default, over a read-only engine."""

from __future__ import annotations

import ipaddress
import logging

import uvicorn

from monitor.store.readonly import read_only_engine
from monitor.web.app import create_app

log = logging.getLogger(__name__)


def serve(database_url: str, *, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve the pages and feeds until SIGINT/SIGTERM."""
    engine = read_only_engine(database_url)
    if not _is_loopback(host):
        log.warning("serving on %s: anyone who can reach this address can read the archive", host)
    try:
        uvicorn.run(
            create_app(engine),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            server_header=False,
        )
    finally:
        engine.dispose()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
