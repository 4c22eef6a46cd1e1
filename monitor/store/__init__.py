"""Storage: the schema, the engine set-up, the Store (the only code that queries: sites.py, stories.py,
fetch_log.py over database.py), write batches and the reporting queries."""

from monitor.models import NewChange, NewVersion, TrackedArticle
from monitor.store.batch import WriteBatch
from monitor.store.engine import DaemonLock, create_store_engine, upgrade_database
from monitor.store.repo import SourceState, Store

__all__ = [
    "DaemonLock",
    "NewChange",
    "NewVersion",
    "SourceState",
    "Store",
    "TrackedArticle",
    "WriteBatch",
    "create_store_engine",
    "upgrade_database",
]
