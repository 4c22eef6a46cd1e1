"""The one exception tree of the monitor.

MonitorError                 anything the monitor raises on purpose
├── ConfigError              config.yaml is missing, unreadable or invalid (carries every located error)
├── StoreError               the database cannot be opened, migrated or written
│   ├── DatabaseLockedError  another daemon already holds this SQLite database
│   └── DatabaseUnavailableError  the database (or its lock file) cannot be opened: path, driver, disk
└── FetchError               a page could not be fetched (carries the error kind recorded in `fetches`)
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base class: the CLI turns these into a clean message and a non-zero exit."""


class ConfigError(MonitorError):
    """The config is invalid; `errors` holds one "location: message" line per problem."""

    def __init__(self, path: str, errors: list[str]) -> None:
        self.path = path
        self.errors = list(errors)
        lines = "\n".join(f"  {error}" for error in self.errors)
        super().__init__(f"{path}: {len(self.errors)} error(s)\n{lines}")


class StoreError(MonitorError):
    """The database cannot be opened, migrated or written."""


class DatabaseLockedError(StoreError):
    """Another `monitor run` already holds this SQLite database."""


class DatabaseUnavailableError(StoreError):
    """The database or its lock file cannot be opened or created (read-only folder, full disk, no driver)."""


class FetchError(MonitorError):
    """A fetch failed; `kind` is the short error kind stored in `fetches.error`."""

    def __init__(self, url: str, kind: str, detail: str = "") -> None:
        self.url = url
        self.kind = kind
        self.detail = detail
        super().__init__(f"{url}: {kind}{': ' + detail if detail else ''}")
