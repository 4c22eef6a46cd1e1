"""monitor: watches news sites and keeps an exact, queryable history of every story and every edit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from monitor.errors import ConfigError, DatabaseLockedError, FetchError, MonitorError, StoreError

# Bound eagerly: the subpackage `monitor.extract` would otherwise shadow the function of the same name.
from monitor.extract import extract
from monitor.models import Article, ArticleLink, FetchedPage, Selectors

if TYPE_CHECKING:
    from monitor.config import Config, load_config

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
    # Imported on first use so `monitor --help` does not pay for pydantic and SQLAlchemy.
    if name in ("load_config", "Config"):
        from monitor import config

        return getattr(config, name)
    raise AttributeError(f"module 'monitor' has no attribute {name!r}")
