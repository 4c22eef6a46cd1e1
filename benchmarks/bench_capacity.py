"""How due-story selection scales with the number of tracked stories (issue 18, capacity of one daemon).

Builds databases of 10,000 and 100,000 stories spread over 50 sites, with next-check times as the default
recheck schedule leaves them after 30 days of tracking (most stories checked daily or never again, a few
due every 15 minutes), then times the recheck's own query (`Store.due_articles`, a page of 500 due stories)
and prints its query plan. An index range scan costs O(log n) per page: the 100k/10k ratio stays near 1;
a scan of the table would be near 10.

Usage: python benchmarks/bench_capacity.py [--sizes 10000,100000] [--repeat 30] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.store import Store  # noqa: E402
from monitor.store.schema import articles, sites  # noqa: E402
from monitor.store.stories import due_query  # noqa: E402

SITES = [f"site-{number:02d}" for number in range(50)]
PAGE = 500


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _next_check(now: datetime, rng: random.Random) -> str | None:
    """Where the default schedule (15m under 3h, 1h under 1d, 3h under 7d, 1d under 30d) leaves a story."""
    age_days = rng.uniform(0, 30)
    if age_days >= 30 or rng.random() < 0.3:
        return None  # older than the last rung: never rechecked again
    step = timedelta(minutes=15) if age_days < 0.125 else timedelta(hours=1 if age_days < 1 else 3)
    if age_days >= 7:
        step = timedelta(days=1)
    return _iso(now + rng.uniform(-0.2, 1.0) * step)  # a fifth of a step overdue at most


def populate(store: Store, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with store.engine.begin() as connection:
        connection.execute(sa.insert(sites), [{"name": name, "created_at": _iso(now)} for name in SITES])
        rows = [
            {
                "site": SITES[number % len(SITES)],
                "url": f"https://news-{number % len(SITES)}.example/{number}/story-{number}/",
                "first_seen_at": _iso(now - timedelta(days=30)),
                "next_check_at": _next_check(now, rng),
                "status": "active",
                "current_version": 1,
            }
            for number in range(count)
        ]
        for start in range(0, len(rows), 5000):
            connection.execute(sa.insert(articles), rows[start : start + 5000])


def time_due_selection(store: Store, repeat: int) -> tuple[float, float, int]:
    due_before = _iso(datetime.now(UTC))
    timings = []
    found = 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = len(store.due_articles(SITES, due_before=due_before, limit=PAGE))
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), max(timings) - min(timings), found


def query_plan(store: Store) -> list[str]:
    """The plan of the recheck's due-story query as the database will run it."""
    query = due_query(SITES, _iso(datetime.now(UTC)), PAGE)
    compiled = query.compile(store.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if store.engine.dialect.name == "sqlite" else "EXPLAIN "
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + str(compiled)).fetchall()
    return [str(row[-1]) for row in rows]


def _postgres_store(url: str) -> tuple[Store, sa.Engine, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    return Store(f"{url}{separator}options=-csearch_path%3D{schema}"), admin, schema


def run(sizes: list[int], repeat: int, postgres_url: str | None) -> None:
    print("one page of due stories (500), median ms: on a new database, then after the hourly maintenance")
    columns = ("new database", "after maintenance")
    print(f"{'database':<10} {'stories':>8} {columns[0]:>18} {columns[1]:>18} {'spread':>8} {'found':>9}")
    for kind in ["sqlite"] + (["postgres"] if postgres_url else []):
        medians: dict[int, float] = {}
        plan: list[str] = []
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder:
                admin = None
                if kind == "sqlite":
                    store = Store(f"sqlite:///{Path(folder) / 'capacity.db'}")
                else:
                    assert postgres_url is not None
                    store, admin, schema = _postgres_store(postgres_url)
                store.upgrade()
                populate(store, size)
                if kind == "postgres":
                    with store.engine.begin() as connection:
                        connection.exec_driver_sql("ANALYZE articles")
                before_median, _, _ = time_due_selection(store, repeat)
                store.maintenance(keep_fetch_log_s=30 * 86400)  # the daemon's hourly job: statistics
                median, spread, found = time_due_selection(store, repeat)
                medians[size] = median
                plan = query_plan(store)
                store.close()
                if admin is not None:
                    with admin.begin() as connection:
                        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
                    admin.dispose()
            print(
                f"{kind:<10} {size:>8} {before_median * 1000:>18.2f} {median * 1000:>18.2f} "
                f"{spread * 1000:>8.2f} {found:>9}"
            )
        ratio = medians[sizes[-1]] / medians[sizes[0]]  # after maintenance: the steady state
        print(
            f"{kind}: {sizes[-1]:,} / {sizes[0]:,} stories = {ratio:.2f}x the time per page (O(n) would be "
            f"{sizes[-1] / sizes[0]:.0f}x); plan at {sizes[-1]:,}:"
        )
        for line in plan:
            print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--postgres", default=None, help="also on this PostgreSQL URL (a scratch schema)")
    args = parser.parse_args()
    run([int(size) for size in args.sizes.split(",")], args.repeat, args.postgres)


if __name__ == "__main__":
    main()
