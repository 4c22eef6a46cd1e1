"""WriteBatch: the writes that wait for the end of a pipeline stage (fetch log rows, "checked" marks).

One transaction per story costs ~0.5 ms of BEGIN/COMMIT, more than the statement itself (issue 7), so the
many checks that find nothing new are written together: the pipeline adds them here and writes the batch
(`Store.write_batch`) at the end of each stage, or when it holds MAX_PENDING rows. Nothing else writes it,
and no read flushes it. Losing a batch in a crash only means a recheck.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from monitor.clock import now_iso
from monitor.models import FetchAttempt

MAX_PENDING = 200


class WriteBatch:
    """Fetch log rows and "checked, nothing new" marks not written yet."""

    def __init__(self) -> None:
        self.fetch_rows: list[dict[str, Any]] = []
        self.checks: dict[int, dict[str, Any]] = {}  # article id -> the articles columns to set

    def record_fetches(self, site: str | None, attempts: Sequence[FetchAttempt]) -> None:
        """Log these HTTP attempts (the `fetches` table)."""
        self.fetch_rows.extend(
            {
                "site": site,
                "url": attempt.url,
                "started_at": attempt.started_at,
                "status": attempt.status,
                "error": attempt.error,
                "elapsed_ms": attempt.elapsed_ms,
                "bytes": attempt.bytes,
                "not_modified": attempt.not_modified,
            }
            for attempt in attempts
        )

    def record_problem(self, url: str, error: str) -> bool:
        """Put error on the latest pending fetch row of url (unless it has one); False when none pends."""
        for row in reversed(self.fetch_rows):
            if row["url"] == url:
                row["error"] = row["error"] or error
                return True
        return False

    def mark_checked(self, article_id: int, *, next_check_at: str | None, **values: Any) -> None:
        """Record a check of a story that found nothing new: tracking columns only; a later mark wins."""
        self.checks[article_id] = {"last_checked_at": now_iso(), "next_check_at": next_check_at, **values}

    @property
    def full(self) -> bool:
        return len(self) >= MAX_PENDING

    def __len__(self) -> int:
        return len(self.fetch_rows) + len(self.checks)

    def take(self) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
        """The pending rows, leaving the batch empty."""
        taken = (self.fetch_rows, self.checks)
        self.fetch_rows, self.checks = [], {}
        return taken
