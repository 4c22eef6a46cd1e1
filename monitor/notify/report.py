"""The notification part of `monitor status`: per target, what is pending, delivered and failed."""

from __future__ import annotations

from sqlalchemy import Engine

from monitor.store.outbox import target_summaries


def notify_status_lines(engine: Engine) -> list[str]:
    """Text lines for `monitor status`; none when no notification target was ever configured."""
    targets = target_summaries(engine)
    if not targets:
        return []
    lines = ["", f"{'notify target':<32}{'pending':>8}{'delivered':>10}{'failed':>7}{'fails':>6}  last error"]
    for target in targets:
        error = (target.last_error or "") if target.consecutive_failures or target.failed else ""
        retry = f" (next attempt {target.next_attempt_at})" if target.next_attempt_at else ""
        lines.append(
            f"{target.name:<32}{target.pending:>8}{target.delivered:>10}{target.failed:>7}"
            f"{target.consecutive_failures:>6}  {error[:60]}{retry}"
        )
        lines.append(f"  {target.address}")
    return lines
