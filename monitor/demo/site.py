"""Serving the demo site: the Newsroom's news site on 127.0.0.1 (a free port), publishing and editing on a
timer."""

from __future__ import annotations

import threading

from monitor.demo.newsroom import Newsroom
from monitor.newsite import SiteServer

TICK_S = 4.0  # the newsroom publishes and edits this often


class DemoSite:
    """Serve a Newsroom's site on 127.0.0.1 and let it publish and edit every `tick_s` seconds."""

    def __init__(self, newsroom: Newsroom, *, tick_s: float = TICK_S) -> None:
        self.newsroom = newsroom
        self.tick_s = tick_s
        self.server = SiteServer(newsroom.site)
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._newsroom_loop, name="demo-newsroom", daemon=True)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def __enter__(self) -> DemoSite:
        self.server.__enter__()
        self._ticker.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self.server.close()
        self._ticker.join(timeout=5)

    def _newsroom_loop(self) -> None:
        while not self._stop.wait(self.tick_s):
            self.newsroom.tick()
