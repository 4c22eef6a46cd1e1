"""Page work that can be stopped: parsing and extraction in worker processes, each job under a deadline, so a
hostile page never blocks the event loop, the other sites or a stop signal (issue 16, item 3)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

# Inputs at least this long (characters or bytes) are parsed in a worker whenever workers are allowed: a
# smaller one parses in well under a tenth of a second, in the main process, without the trip to a worker.
BOUNDED_FROM_CHARS = 128 * 1024


class PageAbandoned(Exception):
    """A page's work was stopped: over its deadline ("deadline") or its worker died ("crashed")."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class PageWorkers:
    """Worker processes (spawned) for CPU-heavy page work. A job over its deadline is abandoned, its worker
    killed and replaced; closing stops running jobs at once."""

    def __init__(self, workers: int, deadline_s: float) -> None:
        self.size = workers
        self.deadline_s = deadline_s
        from pebble import ProcessPool  # imported when workers start: most passes never need them

        # spawn, not fork: forking a process that runs an event loop and threads can copy a held lock.
        self._pool = ProcessPool(
            max_workers=workers, initializer=_preload, context=multiprocessing.get_context("spawn")
        )

    async def run(self, job: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """job(*args, **kwargs) in a worker; PageAbandoned past the deadline or when the worker dies."""
        from pebble import ProcessExpired

        # A cancelled check cancels the future through wrap_future, and pebble kills a running job's worker.
        future = self._pool.schedule(job, args=args, kwargs=kwargs, timeout=self.deadline_s)
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError:
            raise PageAbandoned("deadline", f"stopped after {self.deadline_s:g} s") from None
        except ProcessExpired as error:
            raise PageAbandoned("crashed", f"worker exited with code {error.exitcode}") from None

    def close(self) -> None:
        """Stop the workers now, abandoning running jobs (a stop signal never waits on a parse)."""
        self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join(timeout=5)


def _preload() -> None:
    """Import the parsers when a worker starts, so a job's deadline counts its own work, not imports."""
    import monitor.discover.jobs  # noqa: F401
    import monitor.extraction  # noqa: F401
