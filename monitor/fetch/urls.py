"""URL identity shared by the fetch and discover layers: canonical form, registrable domain, same-site
tests and the private-address tests. Depends on nothing else in monitor (discover imports it, never the
other way round)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Parameters that identify a campaign or a click, never a story (utm_* is matched by prefix).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "twclid", "ttclid", "li_fat_id",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "wickedid", "ocid", "cmpid", "ncid", "at_medium", "at_campaign", "ito", "soc_src",
        "soc_trk", "rss", "s_cid",
    }
)  # fmt: skip
# Public suffixes with two labels that are common for news sites; enough to find the registrable domain
# without shipping the whole Public Suffix List.
_TWO_LABEL_SUFFIXES = frozenset(
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "com.au", "net.au", "org.au",
        "co.nz", "co.jp", "ne.jp", "or.jp", "co.kr", "or.kr", "com.br", "com.cn", "com.hk", "com.tw",
        "com.sg", "com.my", "co.in", "co.za", "com.ar", "com.mx", "com.tr", "co.il", "com.ua", "com.pl",
        "co.id", "com.ph", "com.vn", "com.pk", "com.ng", "com.eg", "com.sa", "co.th", "com.co", "com.pe",
    }
)  # fmt: skip
_LOCAL_NAME_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)


def canonicalize_url(url: str) -> str:
    """Lower-cases scheme and host, drops the default port, fragment and tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    netloc = _canonical_netloc(scheme, parts.netloc)
    path = parts.path or ("/" if netloc else "")
    query = _strip_tracking(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _canonical_netloc(scheme: str, netloc: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    host, port = hostport, ""
    if hostport.startswith("["):
        bracket_end = hostport.find("]")
        host, port = hostport[: bracket_end + 1], hostport[bracket_end + 2 :]
    elif ":" in hostport:
        host, _, port = hostport.rpartition(":")
    host = host.lower().rstrip(".")
    if port.isdigit() and int(port) == _DEFAULT_PORTS.get(scheme):
        port = ""
    return f"{userinfo}{at}{host}{':' + port if port else ''}"


def _strip_tracking(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not _is_tracking(name)]
    if len(kept) == len(pairs):
        return query  # untouched: keep the site's own encoding and order
    return urlencode(kept)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def registrable_domain(host: str) -> str:
    """example.co.uk for www.news.example.co.uk; an IP address or single label is its own domain."""
    host = host.lower().rstrip(".")
    if ip_of(host) is not None:
        return host
    labels = host.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _TWO_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def host_in_domains(host: str, domains: frozenset[str]) -> bool:
    """True when host is one of the domains or a subdomain of one."""
    host = host.lower().rstrip(".")
    for domain in domains:
        domain = domain.lower().rstrip(".")
        if host == domain or host.endswith("." + domain):
            return True
    return False


def same_site(url: str, other_url: str) -> bool:
    """True when both URLs share a registrable domain (www.example.com and example.com do)."""
    host = (urlsplit(url).hostname or "").lower()
    other = (urlsplit(other_url).hostname or "").lower()
    return bool(host) and registrable_domain(host) == registrable_domain(other)


def ip_of(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_private_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local, reserved, unspecified or multicast: anything not on the public net."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def is_private_host(host: str) -> bool:
    """From the text alone: a non-public IP literal, localhost / .local-style names, numeric host forms."""
    address = ip_of(host)
    if address is not None:
        return is_private_address(address)
    # Integer / hex / short dotted forms (http://2130706433/) reach loopback through inet_aton.
    return host == "localhost" or host.endswith(_LOCAL_NAME_SUFFIXES) or bool(_NUMERIC_HOST.match(host))
