"""Where one fetch may go: the per-call context, the address policy (which hosts may resolve to non-public
addresses) and the redirect policy (loops, other schemes, other sites)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from monitor.fetch.exchange import DETAIL_MAX_CHARS, is_web_url
from monitor.fetch.resolve import AddressCache
from monitor.fetch.urls import canonicalize_url, host_in_domains, registrable_domain
from monitor.models import FetchAttempt, FetchKind


@dataclass
class Call:
    """The per-call context of one fetch(): its options, retry budget and the attempts so far."""

    url: str
    kind: FetchKind
    user_agent: str
    host_delay_s: float
    allowed_hosts: frozenset[str] | None
    site_hosts: frozenset[str]  # trusted whatever they resolve to (lower case, no trailing dot)
    headers: dict[str, str]
    retries_left: int
    attempts: list[FetchAttempt] = field(default_factory=list)


def trusted_hosts(url: str, site_hosts: frozenset[str] | None) -> frozenset[str]:
    """The hosts a call may contact whatever they resolve to: the site's configured hosts, or url's own."""
    hosts = site_hosts if site_hosts is not None else frozenset({urlsplit(url).hostname or ""})
    return frozenset(host.lower().rstrip(".") for host in hosts if host)


def refuse_redirect(call: Call, target: str, seen: set[str]) -> str | None:
    """Why the redirect to target must not be followed (an error code), or None."""
    if not is_web_url(target):
        return "unsafe_url"
    if canonicalize_url(target) in seen:
        return "redirect_loop"
    target_host = (urlsplit(target).hostname or "").lower()
    if call.allowed_hosts is not None:
        allowed = host_in_domains(target_host, call.allowed_hosts)
    else:
        origin_host = (urlsplit(call.url).hostname or "").lower()
        allowed = registrable_domain(target_host) == registrable_domain(origin_host)
    return None if allowed else "cross_host_redirect"


async def unsafe_address(addresses: AddressCache, call: Call, url: str) -> str | None:
    """Why url's host must not be contacted for this call, or None. The one address policy of every
    request: a host of the site's configured URLs is trusted; any other host must resolve to public
    addresses only (a site on a private address does not make other private addresses fair game)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host in call.site_hosts:
        return None
    address = await addresses.private_address(host)
    if address is None:
        return None
    return f"{host} resolves to the non-public address {address}"[:DETAIL_MAX_CHARS]
