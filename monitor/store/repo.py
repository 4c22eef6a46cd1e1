"""Store: the only code that queries the database, one part per kind of state (sites.py, stories.py,
fetch_log.py) over one engine (database.py)."""

from __future__ import annotations

from monitor.store.fetch_log import FetchLogRecords
from monitor.store.sites import SiteRecords, SourceState
from monitor.store.stories import StoryRecords


class Store(SiteRecords, StoryRecords, FetchLogRecords):
    """Reads and writes of one database (SQLite or PostgreSQL) through SQLAlchemy Core."""


__all__ = ["SourceState", "Store"]
