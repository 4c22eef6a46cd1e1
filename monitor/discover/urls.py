"""URL safety for discovered links and the one URL a story is stored under; the URL identity helpers
live in monitor.fetch.urls and are re-exported here."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from monitor.fetch.urls import (
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    canonicalize_url,
    host_in_domains,
    is_private_host,
    registrable_domain,
    same_site,
)

__all__ = [
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "canonicalize_url",
    "host_in_domains",
    "is_safe_link",
    "registrable_domain",
    "same_site",
    "story_url",
]

_WEB_SCHEMES = frozenset({"http", "https"})


def is_safe_link(url: str, site_hosts: frozenset[str]) -> bool:
    """http(s) only, no credentials, and no loopback/private/link-local host unless it is a site host."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return False
    if parts.scheme.lower() not in _WEB_SCHEMES or not host or parts.username or parts.password:
        return False
    if not is_private_host(host):
        return True
    return host in {site_host.lower().rstrip(".") for site_host in site_hosts}


def story_url(final_url: str, declared_canonical: str | None, site_domains: frozenset[str]) -> str:
    """The one URL a story is stored under: its <link rel="canonical"> / og:url when that stays on the site
    and is safe, else the URL it was served from after redirects; always canonicalised.

    A canonical pointing off-site (syndicated copies, hijacked CMS templates) or at a home page is ignored.
    """
    final = canonicalize_url(final_url)
    if not declared_canonical:
        return final
    candidate = canonicalize_url(urljoin(final_url, declared_canonical.strip()))
    parts = urlsplit(candidate)
    host = (parts.hostname or "").lower()
    if not host_in_domains(host, site_domains) or not is_safe_link(candidate, site_domains | {host}):
        return final
    if parts.path in ("", "/") and urlsplit(final).path not in ("", "/"):
        return final
    return candidate
