"""The schema of config.yaml: pydantic models of every key with its default, and the duration syntax."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from monitor.config.checks import check_domain, check_finite, check_http_url
from monitor.notify.settings import NotifyTarget

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


OVERRIDABLE_KEYS = tuple(SiteDefaults.model_fields)


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


class RetentionConfig(_Strict):
    """What the hourly maintenance prunes, by age; story versions and change events are never pruned."""

    fetch_log: Duration = 30 * 86400.0  # rows of the `fetches` table (fetch.keep_fetch_log, its old name)
    deliveries: Duration = 30 * 86400.0  # notification deliveries delivered longer ago than this


class ConfigFile(_Strict):
    database: str = DEFAULT_DATABASE_URL
    # worker processes that extract new stories while the main process fetches and stores: "auto" is one
    # per core but one; 0 extracts in the main process
    extract_workers: Annotated[int, Field(ge=0, le=64)] | Literal["auto"] = "auto"
    defaults: SiteDefaults = SiteDefaults()
    fetch: FetchConfig = FetchConfig()
    sites: tuple[SiteConfig, ...] = ()
    notify: tuple[NotifyTarget, ...] = ()  # receivers of story events (monitor/notify/)
    retention: RetentionConfig = RetentionConfig()

    @model_validator(mode="after")
    def _one_fetch_log_age(self) -> ConfigFile:
        """`fetch.keep_fetch_log` (the old name) still works; given with `retention.fetch_log`, they agree."""
        old_set = "keep_fetch_log" in self.fetch.model_fields_set
        if old_set and "fetch_log" in self.retention.model_fields_set:
            if self.fetch.keep_fetch_log != self.retention.fetch_log:
                raise ValueError(
                    "fetch.keep_fetch_log and retention.fetch_log disagree; keep only retention.fetch_log"
                )
        elif old_set:
            retention = self.retention.model_copy(update={"fetch_log": self.fetch.keep_fetch_log})
            object.__setattr__(self, "retention", retention)
        return self

    @field_validator("sites")
    @classmethod
    def _unique_names(cls, sites: tuple[SiteConfig, ...]) -> tuple[SiteConfig, ...]:
        seen: set[str] = set()
        for site in sites:
            if site.name in seen:
                raise ValueError(f"site name {site.name!r} is used twice")
            seen.add(site.name)
        return sites
