"""Soak of several daemons on one PostgreSQL database (issue 18): 200 loopback hosts with a 1 s host delay,
3 daemons, one of them restarted every --restart-every seconds (every restart is two handovers of a third
of the hosts). Samples the claim query's time and the coordination tables' sizes while it runs: both must
stay flat. At the end: every host owned once, the shortest gap between two requests to one host (measured
at the server) against the delay, duplicate versions/events.

    MONITOR_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        nice python benchmarks/bench_multidaemon.py [--hosts 200] [--seconds 240] [--pgbouncer]

The claim time is the claim statement (FOR UPDATE SKIP LOCKED over host_leases) run for a member that is
not there, in a transaction rolled back: the cost every heartbeat pays, whatever it finds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from monitor.store.leases import CLAIM  # noqa: E402
from testbed.cluster import Cluster, fresh_database  # noqa: E402
from testbed.hostfarm import FarmServer, HostFarm  # noqa: E402

SIZE_QUERY = sa.text(
    "SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM host_leases), "
    "pg_total_relation_size('members') + pg_total_relation_size('host_leases'), "
    "(SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables "
    " WHERE relname IN ('members', 'host_leases'))"
)


def claim_ms(engine: sa.Engine, runs: int = 15) -> tuple[float, float]:
    """The fastest of `runs` claim statements, rolled back (it claims nothing for member -1's sake), and
    of as many `SELECT 1` on the same connections: the reference, so a loaded machine does not pass for
    growth. The fastest run is the statement's own cost; the others add the machine's other work."""
    claims, references = [], []
    for _ in range(runs):
        with engine.connect() as connection:
            started = time.perf_counter()
            connection.execute(sa.text("SELECT 1"))
            references.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            connection.execute(CLAIM, {"member": -1, "limit": 5})
            claims.append((time.perf_counter() - started) * 1000)
            connection.rollback()
    return min(claims), min(references)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--daemons", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=240)
    parser.add_argument("--restart-every", type=float, default=40)
    parser.add_argument("--sample-every", type=float, default=10)
    parser.add_argument("--delay", type=float, default=1.0, help="host delay, seconds")
    parser.add_argument("--pgbouncer", action="store_true", help="through PgBouncer in transaction mode")
    options = parser.parse_args()
    admin_url = os.environ.get("MONITOR_TEST_POSTGRES_URL")
    if not admin_url:
        raise SystemExit("set MONITOR_TEST_POSTGRES_URL (postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    env = {"MONITOR_HEARTBEAT_S": "3", "MONITOR_LEASE_S": "15"}
    with (
        tempfile.TemporaryDirectory() as folder,
        FarmServer(HostFarm(hosts=options.hosts, stories=2)) as farm,
        fresh_database(admin_url, Path(folder), through_pgbouncer=options.pgbouncer) as url,
    ):
        cluster = Cluster(
            Path(folder),
            farm,
            url,
            options.daemons,
            env=env,
            host_delay_s=options.delay,
            interval="30s",
            every="30s",
            recheck_every="10s",
        )
        try:
            run(cluster, options)
        finally:
            cluster.close()


def run(cluster: Cluster, options: argparse.Namespace) -> None:
    started = time.monotonic()
    for index in range(options.daemons):
        cluster.start(index)
    cluster.wait_balanced(options.daemons, timeout=300)
    print(
        f"{options.hosts} hosts, {options.daemons} daemons: balanced after {time.monotonic() - started:.1f} s"
    )
    print(
        f"{'t (s)':>7}{'claim ms':>10}{'ref ms':>8}{'ratio':>7}{'members':>9}{'leases':>8}{'bytes':>10}"
        f"{'dead':>6}{'requests':>10}"
    )
    samples: list[tuple[float, float, int, int, int, int]] = []
    soak_start = time.monotonic()
    next_restart = soak_start + options.restart_every
    restarts = 0
    while time.monotonic() - soak_start < options.seconds:
        time.sleep(options.sample_every)
        now = time.monotonic()
        if now >= next_restart:
            restarting = cluster.daemons[-1]
            assert restarting is not None
            restarting.stop()
            cluster.retired.append(restarting)
            cluster.start(options.daemons - 1)
            restarts += 1
            next_restart = now + options.restart_every
        with cluster.engine.connect() as connection:
            members, leases, size, dead = connection.execute(SIZE_QUERY).one()
        claim, reference = claim_ms(cluster.engine)
        sample = (now - soak_start, claim / reference, members, leases, size, dead)
        samples.append(sample)
        print(
            f"{sample[0]:>7.0f}{claim:>10.2f}{reference:>8.2f}{sample[1]:>7.1f}{members:>9}{leases:>8}{size:>10}"
            f"{dead:>6}{len(cluster.farm.site.arrivals):>10}",
            flush=True,
        )
    cluster.wait_balanced(options.daemons, timeout=120)
    for daemon in cluster.all_daemons():
        daemon.stop()
    report(cluster, options, samples, restarts)


def report(
    cluster: Cluster,
    options: argparse.Namespace,
    samples: list[tuple[float, float, int, int, int, int]],
    restarts: int,
) -> None:
    third = max(1, len(samples) // 3)
    first, last = samples[:third], samples[-third:]

    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):.1f}x SELECT 1 (min {min(values):.1f}, max {max(values):.1f})"

    first_claims, last_claims = [s[1] for s in first], [s[1] for s in last]
    print(
        f"claim: first third {spread(first_claims)}, last third {spread(last_claims)}, "
        f"ratio {statistics.median(last_claims) / statistics.median(first_claims):.2f}"
    )
    print(
        f"tables: members {first[0][2]} -> {last[-1][2]} rows, "
        f"host_leases {first[0][3]} -> {last[-1][3]} rows, {first[0][4]} -> {last[-1][4]} bytes"
    )
    gaps = cluster.farm.site.gaps()
    epochs = sum(epoch for _owner, epoch in cluster.leases().values())
    print(
        f"restarts {restarts}, claims (epoch total) {epochs}, requests {len(cluster.farm.site.arrivals)}, "
        f"hosts asked twice or more {len(gaps)}"
    )
    print(
        f"shortest gap between two requests to one host: {min(gaps.values()):.3f} s (delay {options.delay} s)"
    )
    print(f"duplicates: {cluster.duplicates()}; stories {cluster.scalar('SELECT count(*) FROM articles')}")
    logged = cluster.logged_story_events()
    print(f"story.new/story.changed logged more than once: {sum(1 for n in logged.values() if n > 1)}")
    events = [event.get("event") for daemon in cluster.all_daemons() for event in daemon.collect()]
    print(
        f"members joined {events.count('member.joined')}, rejoined {events.count('member.rejoined')}, "
        f"left {events.count('member.left')}; claim rounds {events.count('lease.claimed')}, "
        f"release rounds {events.count('lease.released')}"
    )


if __name__ == "__main__":
    main()
