"""The resolved config the daemon uses: frozen `Config` and `Site`, the defaults applied to each site."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from monitor.config.schema import (
    OVERRIDABLE_KEYS,
    FetchConfig,
    RecheckStep,
    RetentionConfig,
    SiteConfig,
    SiteDefaults,
)
from monitor.errors import ConfigError
from monitor.models import Selectors
from monitor.notify.settings import NotifyTarget


@dataclass(frozen=True, slots=True)
class Site:
    """One site with the defaults applied: what the scheduler and pipeline use."""

    name: str
    start_urls: tuple[str, ...]
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    allowed_domains: frozenset[str]
    source_hosts: frozenset[str]  # hosts of the configured URLs: the only ones that may be loopback/private
    selectors: Selectors | None
    enabled: bool
    interval_s: float
    user_agent: str
    timeout_s: float
    host_delay_s: float
    max_bytes: int
    respect_robots: bool
    max_new_per_pass: int
    sitemap_max_age_s: float
    alert_minor: bool
    sitemaps_from_robots: bool
    rechecks: tuple[RecheckStep, ...]
    include_only: bool = False
    kinds: tuple[str, ...] = ("article",)  # story kinds tracked; the others are recorded, not stored
    not_stories: tuple[str, ...] = ()  # regexes: pages at matching URLs are never stories (the gate's "no")
    liveblog_updates: bool = False
    furniture_min_stories: int = 3
    furniture_forget_s: float = 30 * 86400.0
    furniture_always: tuple[str, ...] = ()
    furniture_never: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    database_url: str
    defaults: SiteDefaults
    fetch: FetchConfig
    sites: tuple[Site, ...]
    extract_workers: int | None = None  # None: one per core but one
    notify: tuple[NotifyTarget, ...] = ()
    retention: RetentionConfig = RetentionConfig()  # what the hourly maintenance prunes

    def site(self, name: str) -> Site:
        for site in self.sites:
            if site.name == name:
                return site
        known = ", ".join(site.name for site in self.sites)
        raise ConfigError(str(self.path), [f"sites: no site named {name!r}; sites: {known}"])


def resolve_site(site: SiteConfig, defaults: SiteDefaults) -> Site:
    resolved = {
        key: getattr(site, key) if getattr(site, key) is not None else getattr(defaults, key)
        for key in OVERRIDABLE_KEYS
    }
    source_hosts = _source_hosts(site)
    selectors = (
        Selectors(body=site.selectors.body, title=site.selectors.title, remove=site.selectors.remove)
        if site.selectors
        else None
    )
    return Site(
        name=site.name,
        start_urls=site.start_urls,
        feeds=site.feeds,
        sitemaps=site.sitemaps,
        include=site.include,
        exclude=site.exclude,
        allowed_domains=frozenset(domain.lower() for domain in site.allowed_domains)
        or frozenset(host.removeprefix("www.") for host in source_hosts),
        source_hosts=source_hosts,
        selectors=selectors,
        enabled=site.enabled,
        interval_s=resolved["interval"],
        user_agent=resolved["user_agent"],
        timeout_s=resolved["timeout"],
        host_delay_s=resolved["host_delay"],
        max_bytes=resolved["max_bytes"],
        respect_robots=resolved["respect_robots"],
        max_new_per_pass=resolved["max_new_per_pass"],
        sitemap_max_age_s=resolved["sitemap_max_age"],
        alert_minor=resolved["alert_minor"],
        sitemaps_from_robots=resolved["sitemaps_from_robots"],
        rechecks=resolved["rechecks"],
        include_only=site.include_only,
        kinds=resolved["kinds"],
        liveblog_updates=resolved["liveblog_updates"],
        not_stories=site.not_stories,
        furniture_min_stories=resolved["furniture_min_stories"],
        furniture_forget_s=resolved["furniture_forget"],
        furniture_always=site.furniture_always,
        furniture_never=site.furniture_never,
    )


def _source_hosts(site: SiteConfig) -> frozenset[str]:
    from urllib.parse import urlsplit

    hosts = {urlsplit(url).hostname or "" for url in (*site.start_urls, *site.feeds, *site.sitemaps)}
    return frozenset(host.lower() for host in hosts if host)
