"""The fetch stage: the one polite, hostile-server-proof HTTP layer every request of the monitor uses."""

from monitor.fetch.client import Fetcher, FetchKind
from monitor.fetch.settings import FetchSettings

__all__ = ["FetchKind", "FetchSettings", "Fetcher"]
