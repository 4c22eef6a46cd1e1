"""The sentences the reporting commands print when there is nothing to show or the input is wrong.

Imported by cli.py at start-up: SQLAlchemy is imported inside the functions, so `monitor --help` stays fast.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.errors import MonitorError

if TYPE_CHECKING:
    from monitor.store.rows import NextRecheck, SiteStatus

_NEAR = re.compile(r'syntax error near "(.*)"', re.DOTALL)


def check_site_names(engine: Any, names: tuple[str, ...]) -> None:
    """Raise a MonitorError naming the known sites when one of `names` is not in the database."""
    if not names:
        return
    from sqlalchemy import select

    from monitor.store.schema import sites

    with engine.connect() as connection:
        known = list(connection.execute(select(sites.c.name).order_by(sites.c.name)).scalars())
    unknown = [name for name in names if name not in known]
    if unknown:
        listed = ", ".join(known) if known else "none yet"
        raise MonitorError(f"no site named {unknown[0]!r}; sites: {listed}")


def explain_search_error(query: str, reason: str) -> str:
    """One sentence on what is wrong with an FTS5 query, and how to write it."""
    near = _NEAR.search(reason)
    if "unterminated string" in reason:
        problem = 'a quote (") is not closed'
    elif near is not None and near.group(1) == "":
        problem = "the query ends with an operator (AND, OR, NOT need a word on each side)"
    elif near is not None:
        problem = f"{near.group(1)!r} is out of place (AND, OR, NOT need a word on each side)"
    elif "no such column" in reason:
        column = reason.rsplit(":", 1)[-1].strip()
        problem = f"'{column}:' reads as a column filter (only title: and body: exist)"
    else:
        problem = reason
    return (
        f"cannot search for {query!r}: {problem}; put words in double quotes to search them as they are "
        '(e.g. "bridge AND")'
    )


def one_line(text: str) -> str:
    """Collapse the paragraph breaks of a snippet so each hit prints on one line."""
    return " ".join(text.split())


def with_schedule(
    rows: list[SiteStatus], config: Any, rechecks: dict[str, NextRecheck], now: datetime
) -> list[SiteStatus]:
    """Each site with its next check (its last check plus its interval) and its stories' next recheck."""
    from dataclasses import replace

    from monitor.clock import from_iso, to_iso

    intervals = {site.name: site.interval_s for site in config.sites if site.enabled}
    scheduled_rows = []
    for row in rows:
        interval_s = intervals.get(row.name)
        if interval_s is None:
            next_check = None  # no longer in the config, or disabled
        elif row.last_checked_at is None:
            next_check = "due now"
        else:
            planned = from_iso(row.last_checked_at) + timedelta(seconds=interval_s)
            next_check = to_iso(planned) if planned > now else "due now"
        recheck = rechecks.get(row.name)
        earliest, scheduled = (recheck.earliest, recheck.scheduled) if recheck else (None, 0)
        if earliest is not None and from_iso(earliest) <= now:
            earliest = "due now"
        scheduled_rows.append(
            replace(
                row,
                next_check_at=next_check,
                next_recheck_at=earliest,
                rechecks_scheduled=scheduled,
            )
        )
    return scheduled_rows
