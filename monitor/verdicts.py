"""What `monitor check` says about the article gate: the verdict on the page now, and the one recorded."""

from __future__ import annotations

import os
from typing import Any

from monitor import gate
from monitor.config import Config
from monitor.discover import canonicalize_url
from monitor.store.links import LinkVerdict


def recorded_verdict(config: Config | None, url: str | None) -> LinkVerdict | None:
    """The verdict stored by the last pass that saw this URL; None without a database or a row."""
    if config is None or not url:
        return None
    database_url = config.database_url
    if database_url.startswith("sqlite:///") and not os.path.exists(database_url.removeprefix("sqlite:///")):
        return None
    from monitor.store import Store
    from monitor.store.links import LinkStore

    store = Store(database_url)
    try:
        return LinkStore(store).verdict_of(canonicalize_url(url))
    except Exception:  # an old schema, or no database yet: nothing recorded
        return None
    finally:
        store.close()


def verdict_lines(found: gate.Verdict, recorded: LinkVerdict | None) -> list[str]:
    unsure = f"; unsure, under {gate.UNSURE_BELOW}: a change writing no word is minor" if found.unsure else ""
    lines = [f"{'verdict:':<15}{found.label} ({found.kind}, score {found.score}{unsure})"]
    lines.extend(f"{'':<15}{reason}" for reason in found.reasons)
    if recorded is not None:
        said = f"{recorded.verdict} ({recorded.kind})" if recorded.verdict else "no verdict yet"
        lines.append(f"{'recorded:':<15}{recorded.state}, {said} at {recorded.decided_at or '-'}")
    return lines


def verdict_json(found: gate.Verdict, recorded: LinkVerdict | None) -> dict[str, Any]:
    return {
        "verdict": found.label,
        "kind": found.kind,
        "score": found.score,
        "unsure": found.unsure,
        "reasons": list(found.reasons),
        "recorded": None
        if recorded is None
        else {
            "state": recorded.state,
            "verdict": recorded.verdict,
            "kind": recorded.kind,
            "reasons": list(recorded.reasons),
            "decided_at": recorded.decided_at,
        },
    }
