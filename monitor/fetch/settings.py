"""The Fetcher's settings: one frozen object per daemon, built from the config."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FetchSettings:
    """How the Fetcher behaves; one instance per daemon, per-site overrides go through fetch()'s arguments."""

    user_agent: str
    deadline_s: float = 30.0  # whole request: connect, headers and body (a trickling server hits this)
    connect_timeout_s: float = 10.0
    max_bytes: int = 10 * 1024 * 1024  # cap on the DECOMPRESSED body
    max_sitemap_bytes: int = 50 * 1024 * 1024  # the cap for kind="sitemap" (sitemaps.org: 50 MB unpacked)
    host_delay_s: float = 1.0  # min delay between requests to one host; one in flight per host
    concurrency: int = 8  # global
    max_retries: int = 2
    max_redirects: int = 5
    crawl_delay_cap_s: float = 30.0
    respect_robots: bool = True
    retry_base_s: float = 1.0  # first retry waits 0.5-1x this, then doubles (with jitter)
    retry_after_max_s: float = 120.0  # a longer Retry-After pauses the host instead of waiting for it
    robots_ttl_s: float = 24 * 3600.0  # capped at 24 h (RFC 9309)
    robots_error_ttl_s: float = 600.0  # how long a 5xx/unreachable robots.txt keeps the host disallowed
    trust_env: bool = True  # honour HTTP(S)_PROXY / SSL_CERT_FILE from the environment
