"""The sentences the reporting commands print when there is nothing to show or the input is wrong."""

from __future__ import annotations

import re

from sqlalchemy import Engine, select

from monitor.errors import MonitorError
from monitor.store.schema import sites

_NEAR = re.compile(r'syntax error near "(.*)"', re.DOTALL)


def check_site_names(engine: Engine, names: tuple[str, ...]) -> None:
    """Raise a MonitorError naming the known sites when one of `names` is not in the database."""
    if not names:
        return
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
