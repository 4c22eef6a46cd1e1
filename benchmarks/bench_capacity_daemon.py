"""The real daemon's memory and CPU at 10,000 and 100,000 tracked stories (issue 18, capacity of one daemon).

Serves 50 simulated news sites (monitor.newsite, plain theme) from 127.0.0.2-51 holding every story, seeds a
database with the stories through bulk inserts into the real schema (one story row and one version each, the
validators and body hash of the page as served, next checks where the default recheck schedule leaves a
story of its age: ages spread over 30 days, each next check somewhere in its current step), then runs
`python -m monitor run` as a child for a fixed window and samples its VmRSS, VmHWM and CPU (user + sys) from
/proc. Half the sites answer conditional requests with 304, the others send the same bytes again (both are
unchanged without parsing: what most rechecks of a story come to; bench_e2e.py prices parsing rechecks).

Steady-state CPU is measured after the first `--settle` seconds (start-up, the first site visits), as a share
of one core; the rechecks done in the window are counted from the fetch log.

With --backlog every story is due at the start (the daemon was down for an hour): the window then shows
how many rechecks a second one daemon does at full load, and whether memory grows with rechecks done.

Usage: python benchmarks/bench_capacity_daemon.py [--sizes 10000,100000] [--window 120] [--repeat 2]
       [--postgres URL] [--backlog]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.newsite import LAST_MODIFIED, NewsSite, PlainTheme, Story, serve_many  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.store.schema import articles, fetches, sites, versions  # noqa: E402
from testbed.configs import REPO_ROOT, site_entry, write_config  # noqa: E402

SITES = 50
STEPS = ((3 * 3600, 15 * 60), (86400, 3600), (7 * 86400, 3 * 3600), (30 * 86400, 86400))  # the defaults
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_sites(count: int, seed: int = 11) -> list[NewsSite]:
    """50 sites holding `count` stories between them, published over the last 30 days."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    news = [
        NewsSite(name=f"Capacity {number}", theme=PlainTheme(), listing_limit=10, validators=number % 2 == 0)
        for number in range(SITES)
    ]
    for number in range(count):
        published = now - timedelta(seconds=rng.uniform(60, 30 * 86400 - 60))
        news[number % SITES].add(
            Story(
                slug=f"story-{number}",
                title=f"Council votes on plan number {number}",
                byline="A. Reporter",
                published=published.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                paragraphs=[
                    f"The council met on Tuesday to discuss proposal {number} for the district.",
                    "Residents spoke for and against it during a long session that ran late.",
                    f"A decision on item {number * 7 % 1000} is expected next week, officials said.",
                ],
            )
        )
    return news


def _next_check(published: datetime, now: datetime, rng: random.Random, backlog: bool) -> str | None:
    if backlog:  # the daemon was down for an hour: every story is due, the most overdue first
        return _iso(now - timedelta(seconds=rng.uniform(0, 3600)))
    age = (now - published).total_seconds()
    for under, every in STEPS:
        if age < under:
            return _iso(now + timedelta(seconds=rng.uniform(0, every)))
    return None


def seed(store: Store, news: list[NewsSite], bases: list[str], *, backlog: bool = False) -> None:
    """Story and version rows as the pipeline leaves them after a story's last unchanged recheck."""
    rng = random.Random(5)
    now = datetime.now(UTC)
    story_rows, version_rows = [], []
    article_id = 0
    for number, (site, base) in enumerate(zip(news, bases, strict=True)):
        for story in site.stories.values():
            article_id += 1
            body = site.theme.article(site, story, base, story.path).encode()
            published = datetime.fromisoformat(story.published)
            url = f"{base}{story.path}"
            story_rows.append(
                {
                    "id": article_id,
                    "site": f"site-{number:02d}",
                    "url": url,
                    "canonical_url": url,
                    "first_seen_at": _iso(published),
                    "last_checked_at": _iso(now - timedelta(minutes=5)),
                    "last_changed_at": _iso(published),
                    "next_check_at": _next_check(published, now, rng, backlog),
                    "status": "active",
                    "current_version": 1,
                    "etag": f'"{hashlib.sha1(body).hexdigest()[:16]}"' if site.validators else None,
                    "last_modified": LAST_MODIFIED if site.validators else None,
                    "body_sha256": hashlib.sha256(body).hexdigest(),
                }
            )
            text = "\n\n".join(story.paragraphs)
            version_rows.append(
                {
                    "article_id": article_id,
                    "version": 1,
                    "fetched_at": _iso(published),
                    "url": url,
                    "title": story.title,
                    "byline": story.byline,
                    "body": text,
                    "canonical_url": url,
                    "content_hash": hashlib.sha256(f"{story.title}\n{text}".encode()).hexdigest(),
                    "text_hash": hashlib.sha256(text.encode()).hexdigest(),
                }
            )
    with store.engine.begin() as connection:
        connection.execute(
            sa.insert(sites), [{"name": f"site-{n:02d}", "created_at": _iso(now)} for n in range(SITES)]
        )
        for start in range(0, len(story_rows), 5000):
            connection.execute(sa.insert(articles), story_rows[start : start + 5000])
            connection.execute(sa.insert(versions), version_rows[start : start + 5000])
    store.maintenance(keep_fetch_log_s=30 * 86400)  # statistics, as the daemon's hourly job leaves them


@dataclass
class Sample:
    at: float
    rss_kb: int
    hwm_kb: int
    cpu_s: float


def sample(pid: int, started: float) -> Sample:
    status = Path(f"/proc/{pid}/status").read_text()
    values = {
        line.split(":")[0]: int(line.split()[1])
        for line in status.splitlines()
        if line[:5] in ("VmRSS", "VmHWM")
    }
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICK  # utime + stime
    return Sample(time.perf_counter() - started, values["VmRSS"], values["VmHWM"], cpu)


@dataclass
class Run:
    size: int
    rss_mb: float  # at the end of the window
    hwm_mb: float  # the peak over the whole run
    cpu_share: float  # of one core, after the settle time
    rechecks: int  # story fetches in the window
    child_mb: float  # extraction workers, if any started


def run_daemon(size: int, database_url: str, args: argparse.Namespace, workdir: Path) -> Run:
    window_s, settle_s = args.window, args.settle
    news = build_sites(size)
    hosts = [f"127.0.0.{2 + number}" for number in range(SITES)]
    with serve_many(list(zip(news, hosts, strict=True))) as bases:
        store = Store(database_url)
        store.upgrade()
        seed(store, news, bases, backlog=args.backlog)
        store.close()
        entries = [site_entry(base, name=f"site-{n:02d}") for n, base in enumerate(bases)]
        config = write_config(workdir, entries, database=database_url, respect_robots=False, interval="10m")
        started_at = _iso(datetime.now(UTC))
        command = [sys.executable, "-m", "monitor", "--config", str(config), "--log-format", "json", "run"]
        with open(workdir / "daemon.log", "wb") as log_file:
            started = time.perf_counter()
            child = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log_file, stderr=subprocess.STDOUT)
            samples: list[Sample] = []
            try:
                while time.perf_counter() - started < window_s and child.poll() is None:
                    time.sleep(1.0)
                    samples.append(sample(child.pid, started))
                child_kb = _children_rss_kb(child.pid)
            finally:
                child.send_signal(signal.SIGTERM)
                child.wait(timeout=60)
    if child.returncode not in (0, -signal.SIGTERM):
        log = (workdir / "daemon.log").read_text(errors="replace")
        raise SystemExit(f"the daemon exited with {child.returncode}:\n{log[-3000:]}")
    steady = [item for item in samples if item.at >= settle_s]
    first, last = steady[0], steady[-1]
    store = Store(database_url)
    with store.engine.connect() as connection:
        rechecks = connection.scalar(
            sa.select(sa.func.count())
            .select_from(fetches)
            .where(fetches.c.started_at >= started_at, fetches.c.url.like("%/story-%"))
        )
    store.close()
    return Run(
        size,
        last.rss_kb / 1024,
        max(item.hwm_kb for item in samples) / 1024,
        (last.cpu_s - first.cpu_s) / (last.at - first.at),
        int(rechecks or 0),
        child_kb / 1024,
    )


def _children_rss_kb(pid: int) -> int:
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                for line in (stat.parent / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def _postgres_url(url: str) -> tuple[str, sa.Engine, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", admin, schema


def measure(kind: str, size: int, args: argparse.Namespace) -> Run:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        if kind == "sqlite":
            return run_daemon(size, f"sqlite:///{workdir / 'capacity.db'}", args, workdir)
        url, admin, schema = _postgres_url(args.postgres)
        try:
            return run_daemon(size, url, args, workdir)
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()


def _workers(runs: list[Run]) -> str:
    """The extraction workers' memory, when any started (a recheck of an unchanged page parses nothing)."""
    peak = max(run.child_mb for run in runs)
    return f"  workers {peak:.0f} MB" if peak else ""


def _spread(values: list[float]) -> str:
    def shown(value: float) -> str:
        return f"{value:.0f}" if value >= 100 else f"{value:.3g}"

    return f"{shown(statistics.median(values))} ({shown(min(values))}-{shown(max(values))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--window", type=float, default=120.0, help="seconds the daemon runs")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds of start-up left out of CPU")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--postgres", default=None, help="also on this PostgreSQL URL (a scratch schema)")
    parser.add_argument(
        "--backlog", action="store_true", help="every story due at the start: the most rechecks a second"
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    schedule = "every story due at the start" if args.backlog else "the default recheck schedule"
    print(f"`monitor run` for {args.window:.0f} s, {SITES} loopback sites, {schedule}")
    print(f"median (min-max) of {args.repeat} runs")
    print(
        f"{'database':<9} {'stories':>8} {'VmHWM MB':>18} {'VmRSS MB':>18} {'CPU of a core':>22} "
        f"{'rechecks':>16}"
    )
    for kind in ["sqlite"] + (["postgres"] if args.postgres else []):
        peaks: dict[int, list[float]] = {}
        for size in sizes:
            runs = [measure(kind, size, args) for _ in range(args.repeat)]
            peaks[size] = [run.hwm_mb for run in runs]
            print(
                f"{kind:<9} {size:>8} {_spread(peaks[size]):>18} {_spread([r.rss_mb for r in runs]):>18} "
                f"{_spread([r.cpu_share * 100 for r in runs]) + ' %':>22} "
                f"{_spread([float(r.rechecks) for r in runs]):>16}" + _workers(runs)
            )
        if len(sizes) > 1:
            ratio = statistics.median(peaks[sizes[-1]]) / statistics.median(peaks[sizes[0]])
            print(f"{kind}: peak RSS at {sizes[-1]:,} / at {sizes[0]:,} stories = {ratio:.2f}x")


if __name__ == "__main__":
    main()
