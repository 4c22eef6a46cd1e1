"""Loads and validates config.yaml into frozen typed objects; every error names its key path."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from monitor.config_checks import (
    ConfigProblems,
    check_domain,
    check_finite,
    check_http_url,
    duplicate_site_names,
    line_of,
    parse_yaml,
    read_config_text,
)
from monitor.errors import ConfigError
from monitor.models import Selectors
from monitor.notify.settings import NOTIFY_KEYS, NotifyTarget

DEFAULT_CONFIG_PATH = "config.yaml"
DEFAULT_DATABASE_URL = "sqlite:///monitor.db"
DEFAULT_USER_AGENT = "monitor/0.1 (news archive bot; +https://github.com/monitor-news/monitor)"
_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MAX_DURATION_S = 3650 * 86400.0  # ten years: longer is a typo, and overflows the scheduler's datetimes


def parse_duration(value: Any, *, allow_zero: bool = False) -> float:
    """Turn `30s`, `5m`, `2h`, `1d` (or a plain number of seconds) into seconds."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration like 30s, 5m, 2h or 1d, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(check_finite(value))
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"expected a duration like 30s, 5m, 2h or 1d, got {value!r}")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ValueError(f"a duration must be positive, got {value!r}")
    if seconds > MAX_DURATION_S:
        raise ValueError(f"a duration must be at most 3650d, got {value!r}")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
Delay = Annotated[float, BeforeValidator(lambda value: parse_duration(value, allow_zero=True))]
HttpUrl = Annotated[str, AfterValidator(check_http_url)]
Domain = Annotated[str, AfterValidator(check_domain)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecheckStep(_Strict):
    """While a story is younger than `under`, recheck it every `every`."""

    under: Duration
    every: Duration


DEFAULT_RECHECKS = (
    RecheckStep(under=3 * 3600, every=15 * 60),
    RecheckStep(under=86400, every=3600),
    RecheckStep(under=7 * 86400, every=3 * 3600),
    RecheckStep(under=30 * 86400, every=86400),
)


class SelectorsConfig(_Strict):
    body: str | None = None
    title: str | None = None
    remove: tuple[str, ...] = ()


class SiteDefaults(_Strict):
    """Settings every site inherits unless it overrides them."""

    interval: Duration = 600.0
    user_agent: str = DEFAULT_USER_AGENT
    timeout: Duration = 30.0
    host_delay: Delay = 1.0
    max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    respect_robots: bool = True
    max_new_per_pass: int = Field(default=200, gt=0)
    sitemap_max_age: Duration = 2 * 86400.0
    alert_minor: bool = False
    sitemaps_from_robots: bool = False
    rechecks: tuple[RecheckStep, ...] = DEFAULT_RECHECKS
    kinds: tuple[Literal["article", "liveblog", "video", "gallery", "podcast"], ...] = ("article",)
    liveblog_updates: bool = False  # log every new entry of a tracked live blog as CHANGED (always stored)
    furniture_min_stories: int = Field(default=3, ge=2)  # a block in this many stories is site furniture
    furniture_forget: Duration = 30 * 86400.0  # a block not seen for this long is forgotten

    @field_validator("rechecks")
    @classmethod
    def _ascending(cls, steps: tuple[RecheckStep, ...]) -> tuple[RecheckStep, ...]:
        unders = [step.under for step in steps]
        if unders != sorted(unders):
            raise ValueError("steps must be ordered by `under`, youngest first")
        return steps


_OVERRIDABLE = tuple(SiteDefaults.model_fields)


class SiteConfig(_Strict):
    name: str
    start_urls: tuple[HttpUrl, ...] = ()
    feeds: tuple[HttpUrl, ...] = ()
    sitemaps: tuple[HttpUrl, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    include_only: bool = False  # only links matching `include` are stories (default: include adds links)
    allowed_domains: tuple[Domain, ...] = ()
    selectors: SelectorsConfig | None = None
    enabled: bool = True
    interval: Duration | None = None
    user_agent: str | None = None
    timeout: Duration | None = None
    host_delay: Delay | None = None
    max_bytes: int | None = Field(default=None, gt=0)
    respect_robots: bool | None = None
    max_new_per_pass: int | None = Field(default=None, gt=0)
    sitemap_max_age: Duration | None = None
    alert_minor: bool | None = None
    sitemaps_from_robots: bool | None = None
    rechecks: tuple[RecheckStep, ...] | None = None
    kinds: tuple[Literal["article", "liveblog", "video", "gallery", "podcast"], ...] | None = None
    liveblog_updates: bool | None = None
    not_stories: tuple[str, ...] = ()
    furniture_min_stories: int | None = Field(default=None, ge=2)
    furniture_forget: Duration | None = None
    furniture_always: tuple[str, ...] = ()  # paragraphs (text or fingerprint) always left out of stories
    furniture_never: tuple[str, ...] = ()  # paragraphs never treated as furniture

    @field_validator("name")
    @classmethod
    def _name_shape(cls, name: str) -> str:
        if not _SITE_NAME.match(name):
            raise ValueError("use letters, digits, '-', '_' or '.', starting with a letter or digit")
        return name

    @field_validator("include", "exclude", "not_stories")
    @classmethod
    def _regexes(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {error}") from None
        return patterns

    @model_validator(mode="after")
    def _has_sources(self) -> SiteConfig:
        if not (self.start_urls or self.feeds or self.sitemaps):
            raise ValueError("a site needs at least one of start_urls, feeds, sitemaps")
        if self.include_only and not self.include:
            raise ValueError("include_only: true needs at least one `include` pattern")
        return self


class FetchConfig(_Strict):
    """Global fetch limits shared by all sites."""

    concurrency: int = Field(default=8, gt=0, le=256)
    max_retries: int = Field(default=2, ge=0, le=5)
    max_redirects: int = Field(default=5, ge=0, le=20)
    crawl_delay_cap: Delay = 30.0
    check_timeout: Duration = 600.0
    recheck_every: Duration = 60.0
    keep_fetch_log: Duration = 30 * 86400.0
    page_deadline: Duration = 30.0  # parsing or extracting one page stops after this (issue 16)


class ConfigFile(_Strict):
    database: str = DEFAULT_DATABASE_URL
    # worker processes that extract new stories while the main process fetches and stores: "auto" is one
    # per core but one; 0 extracts in the main process
    extract_workers: Annotated[int, Field(ge=0, le=64)] | Literal["auto"] = "auto"
    defaults: SiteDefaults = SiteDefaults()
    fetch: FetchConfig = FetchConfig()
    sites: tuple[SiteConfig, ...] = ()
    notify: tuple[NotifyTarget, ...] = ()  # receivers of story events (monitor/notify/)

    @field_validator("sites")
    @classmethod
    def _unique_names(cls, sites: tuple[SiteConfig, ...]) -> tuple[SiteConfig, ...]:
        seen: set[str] = set()
        for site in sites:
            if site.name in seen:
                raise ValueError(f"site name {site.name!r} is used twice")
            seen.add(site.name)
        return sites


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

    def site(self, name: str) -> Site:
        for site in self.sites:
            if site.name == name:
                return site
        known = ", ".join(site.name for site in self.sites)
        raise ConfigError(str(self.path), [f"sites: no site named {name!r}; sites: {known}"])


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read, validate and resolve a config file; raise ConfigError listing every problem with its location."""
    config_path = Path(path or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG_PATH)
    raw, lines = _read_yaml(config_path)
    try:
        parsed = ConfigFile.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(
            str(config_path), _located_errors(error, lines) + duplicate_site_names(raw, lines)
        ) from None
    if not parsed.sites:
        raise ConfigError(str(config_path), ["sites: no sites configured; add at least one under `sites:`"])
    database_url = os.environ.get("MONITOR_DATABASE_URL") or parsed.database
    return Config(
        path=config_path,
        database_url=resolve_database_url(database_url, config_path.resolve().parent),
        defaults=parsed.defaults,
        fetch=parsed.fetch,
        sites=tuple(_resolve_site(site, parsed.defaults) for site in parsed.sites),
        extract_workers=None if parsed.extract_workers == "auto" else parsed.extract_workers,
        notify=parsed.notify,
    )


# The spellings PostgreSQL users paste (libpq, Heroku, SQLAlchemy's default) all mean the psycopg 3 driver.
_POSTGRES_SCHEMES = ("postgres://", "postgresql://")
_POSTGRES_DRIVER_SCHEME = "postgresql+psycopg://"


def resolve_database_url(url: str, base_dir: Path) -> str:
    """Make a relative SQLite path relative to the config file's folder; map postgres:// to psycopg."""
    for scheme in _POSTGRES_SCHEMES:
        if url.startswith(scheme):
            return _POSTGRES_DRIVER_SCHEME + url[len(scheme) :]
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        relative = url[len(prefix) :]
        return prefix + str((base_dir / relative).resolve())
    return url


def _read_yaml(config_path: Path) -> tuple[Any, dict[tuple[int | str, ...], int]]:
    try:
        data = config_path.read_bytes()
    except OSError as error:
        raise ConfigError(str(config_path), [f"cannot read the config file: {error.strerror}"]) from None
    try:
        raw, lines = parse_yaml(read_config_text(data))
    except ConfigProblems as problems:
        raise ConfigError(str(config_path), problems.errors) from None
    if raw is None:
        raise ConfigError(str(config_path), ["the file is empty: it needs at least one site under `sites:`"])
    if not isinstance(raw, dict):
        raise ConfigError(str(config_path), ["(top level): expected a mapping with `sites:`"])
    return raw, lines


def _located_errors(error: ValidationError, lines: dict[tuple[int | str, ...], int]) -> list[str]:
    """One sentence per problem: `location: what is wrong, line N`; a union's alternatives become one."""
    from monitor.config_checks import error_sentence, field_location, format_location, join_alternatives

    by_location: dict[tuple[int | str, ...], list[str]] = {}
    for item in error.errors():
        loc = field_location(item["loc"], _KEY_NAMES)
        if item["type"] == "extra_forbidden":
            loc = (*field_location(item["loc"][:-1], _KEY_NAMES), item["loc"][-1])
            message = f"unknown key{_did_you_mean(item['loc'])}"
        else:
            message = error_sentence(item)
            if "is used twice" in message:
                continue  # reported with both locations by duplicate_site_names
        by_location.setdefault(loc, [])
        if message not in by_location[loc]:
            by_location[loc].append(message)
    messages = []
    for loc, sentences in by_location.items():
        line = line_of(loc, lines)
        where = f", line {line}" if line else ""
        messages.append(f"{format_location(loc) or '(top level)'}: {join_alternatives(sentences)}{where}")
    return messages


def _did_you_mean(loc: tuple[int | str, ...]) -> str:
    key = str(loc[-1])
    parent = [part for part in loc[:-1] if isinstance(part, str) and not part.startswith("function-")]
    known: tuple[str, ...]
    if not parent:
        known = tuple(ConfigFile.model_fields)
    elif parent[-1] == "sites":
        known = tuple(SiteConfig.model_fields)
    elif parent[-1] == "defaults":
        known = tuple(SiteDefaults.model_fields)
    elif parent[-1] == "fetch":
        known = tuple(FetchConfig.model_fields)
    elif parent[-1] == "selectors":
        known = tuple(SelectorsConfig.model_fields)
    elif parent[-1] == "rechecks":
        known = tuple(RecheckStep.model_fields)
    elif parent[-1] == "notify":
        known = NOTIFY_KEYS
    else:
        known = ()
    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


_KEY_NAMES = frozenset(
    name
    for model in (ConfigFile, SiteDefaults, SiteConfig, FetchConfig, SelectorsConfig, RecheckStep)
    for name in model.model_fields
)


def _resolve_site(site: SiteConfig, defaults: SiteDefaults) -> Site:
    resolved = {
        key: getattr(site, key) if getattr(site, key) is not None else getattr(defaults, key)
        for key in _OVERRIDABLE
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
