"""Due-story selection reads an index range, not every story of the sites (benchmarks/bench_capacity.py times
it at 10,000 and 100,000 stories)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from monitor.store import Store
from monitor.store.schema import articles, sites
from monitor.store.stories import due_query

SITE_NAMES = [f"site-{number}" for number in range(20)]


def _plan(store: Store) -> str:
    query = due_query(SITE_NAMES, "2026-12-01T12:00:00Z", 500)
    sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
    with store.engine.connect() as connection:
        return " ".join(str(row[-1]) for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def test_due_stories_are_found_through_next_check_at_with_or_without_statistics(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'monitor.db'}")
    store.upgrade()
    with store.engine.begin() as connection:
        connection.execute(
            sa.insert(sites), [{"name": name, "created_at": "2026-11-01T00:00:00Z"} for name in SITE_NAMES]
        )
        connection.execute(
            sa.insert(articles),
            [
                {
                    "site": SITE_NAMES[number % 20],
                    "url": f"https://example.com/{number}/",
                    "first_seen_at": "2026-11-01T00:00:00Z",
                    "next_check_at": None if number % 3 else f"2026-12-{1 + number % 28:02d}T00:00:00Z",
                    "status": "active",
                }
                for number in range(3000)
            ],
        )
    fresh_plan = _plan(store)
    store.maintenance(keep_fetch_log_s=86400)
    analysed_plan = _plan(store)
    due = store.due_articles(SITE_NAMES, due_before="2026-12-31T00:00:00Z", limit=500)
    store.close()
    for plan in (fresh_plan, analysed_plan):
        assert "next_check_at<?" in plan, plan  # a range of an index on next_check_at, not every story
    assert len(due) == 500 and {story.site for story in due} == set(SITE_NAMES)
    with sqlite3.connect(tmp_path / "monitor.db") as connection:
        analysed = {row[0] for row in connection.execute("SELECT tbl FROM sqlite_stat1")}
    assert "articles" in analysed  # the hourly maintenance keeps the planner's statistics
