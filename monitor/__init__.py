"""monitor: watches news sites and keeps an exact, queryable history of every story and every edit."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from monitor.errors import ConfigError, DatabaseLockedError, FetchError, MonitorError, StoreError
from monitor.models import Article, ArticleLink, FetchedPage, Selectors

if TYPE_CHECKING:
    from monitor.config import Config, load_config
    from monitor.extraction import extract

__all__ = [
    "Article",
    "ArticleLink",
    "Config",
    "ConfigError",
    "DatabaseLockedError",
    "FetchError",
    "FetchedPage",
    "MonitorError",
    "Selectors",
    "StoreError",
    "extract",
    "load_config",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Imported on first use so `monitor --help` does not pay for selectolax, pydantic and SQLAlchemy.
    if name == "extract":
        return importlib.import_module("monitor.extraction").extract
    if name in ("load_config", "Config"):
        from monitor import config

        return getattr(config, name)
    raise AttributeError(f"module 'monitor' has no attribute {name!r}")
