"""Loading config.yaml: read and validate the file, say where each problem is, resolve the database URL."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.config.checks import (
    ConfigProblems,
    duplicate_site_names,
    line_of,
    parse_yaml,
    read_config_text,
)
from monitor.config.resolved import Config, resolve_site
from monitor.config.schema import (
    ConfigFile,
    FetchConfig,
    RecheckStep,
    RetentionConfig,
    SelectorsConfig,
    SiteConfig,
    SiteDefaults,
)
from monitor.errors import ConfigError
from monitor.notify.settings import NOTIFY_KEYS

DEFAULT_CONFIG_PATH = "config.yaml"


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
        sites=tuple(resolve_site(site, parsed.defaults) for site in parsed.sites),
        extract_workers=None if parsed.extract_workers == "auto" else parsed.extract_workers,
        notify=parsed.notify,
        retention=parsed.retention,
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
    from monitor.config.checks import error_sentence, field_location, format_location, join_alternatives

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
    elif parent[-1] == "retention":
        known = tuple(RetentionConfig.model_fields)
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
    for model in (
        ConfigFile,
        SiteDefaults,
        SiteConfig,
        FetchConfig,
        SelectorsConfig,
        RecheckStep,
        RetentionConfig,
    )
    for name in model.model_fields
)
