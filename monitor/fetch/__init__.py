"""The fetch stage: the one polite, hostile-server-proof HTTP layer every request of the monitor uses."""

from monitor.fetch.client import Fetcher
from monitor.fetch.settings import FetchSettings
from monitor.models import FetchKind

__all__ = ["FetchKind", "FetchSettings", "Fetcher"]
