"""Scheduling policy: recheck intervals by age, failing sites (failed story links: tests/test_links.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from monitor.clock import from_iso
from monitor.config import RecheckStep
from monitor.schedule import next_check_at, site_backoff_interval

STEPS = (RecheckStep(under=3 * 3600, every=900), RecheckStep(under=86400, every=3600))
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_rechecks_follow_age_since_the_last_edit() -> None:
    fresh = next_check_at("2026-11-23T11:00:00Z", None, STEPS, now=NOW)
    older = next_check_at("2026-11-23T06:00:00Z", None, STEPS, now=NOW)
    edited = next_check_at("2026-11-23T06:00:00Z", "2026-11-23T11:30:00Z", STEPS, now=NOW)
    assert fresh is not None and (from_iso(fresh) - NOW).total_seconds() == 900
    assert older is not None and (from_iso(older) - NOW).total_seconds() == 3600
    assert edited == fresh
    assert next_check_at("2026-11-20T06:00:00Z", None, STEPS, now=NOW) is None


def test_failing_site_interval_doubles_up_to_a_cap() -> None:
    assert [site_backoff_interval(60, failures) for failures in (0, 1, 2, 3, 10)] == [60, 60, 120, 240, 960]


def test_a_failing_site_is_visited_less_often(tmp_path: Path) -> None:
    from monitor.backoff import SiteBackoff
    from monitor.store import Store

    store = Store(f"sqlite:///{tmp_path / 'backoff.db'}")
    store.upgrade()
    store.ensure_sites(["news"])
    now = [0.0]
    backoff = SiteBackoff(store, clock=lambda: now[0])
    try:
        assert backoff.visit_due("news", 60)  # the first visit always runs
        now[0] = 60.0
        assert backoff.visit_due("news", 60)  # a healthy site: every interval
        for _ in range(3):
            store.record_site_result("news", "https://news.example/: unreachable")
        now[0] += 60.0
        assert not backoff.visit_due("news", 60)  # three failures in a row: every 4 intervals
        now[0] += 3 * 60.0
        assert backoff.visit_due("news", 60)
        store.record_site_result("news", None)
        now[0] += 60.0
        assert backoff.visit_due("news", 60)  # it recovered: back to every interval
    finally:
        store.close()
