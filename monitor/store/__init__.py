"""Storage: the schema, the engine set-up and the repository (the only code that queries)."""

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
