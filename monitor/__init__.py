"""monitor: watches news sites and keeps an exact, queryable history of every story and every edit."""

from monitor.errors import ConfigError, MonitorError
from monitor.models import Article

__all__ = ["Article", "ConfigError", "MonitorError"]
__version__ = "0.1.0"
