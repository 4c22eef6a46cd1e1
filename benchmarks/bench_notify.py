"""Benchmark of issue 17: `monitor serve` page times on a large archive, and webhook delivery latency.

    python benchmarks/bench_notify.py [--stories 10000] [--requests 40] [--events 200] [--down-s 30]

Part 1 builds a SQLite archive of --stories stories (one in five edited once, with real word-level edits),
starts the real `monitor serve` and times --requests sequential GETs of every page and feed; the reference
is /healthz on the same server (the HTTP floor). Target: p95 under 100 ms. /sites is computed at most every
15 s and a rendered feed is reused while its ETag holds: their max column is the uncached time.
Part 2 runs the real delivery task (default 1 s outbox poll) against a webhook receiver on 127.0.0.1:
--events changes are stored one every 20 ms, and the latency from commit to receipt is measured; the
reference is a direct POST to the same receiver. Target: p99 under 5 s. Then the receiver is down for
--down-s seconds while events are stored (default back-off: 5 s doubling, at most 10 min) and the time
from its return to the last delivery is reported (0 skips this phase).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from monitor import report  # noqa: E402
from monitor.models import Article  # noqa: E402
from monitor.notify.notifier import Notifier  # noqa: E402
from monitor.notify.settings import NotifyTarget  # noqa: E402
from monitor.store import NewChange, NewVersion, Store  # noqa: E402
from testbed.archive import serving  # noqa: E402
from testbed.webhook_receiver import Receiver  # noqa: E402

WORDS = (
    "council budget bridge ferry harbour mayor plan transport housing energy school court police storm "
    "market hospital election minister strike river"
).split()


def paragraph(seed: int, length: int = 40) -> str:
    return " ".join(WORDS[(seed * 7 + index * 3) % len(WORDS)] for index in range(length)) + "."


def build_archive(directory: Path, stories: int) -> Path:
    database = directory / "monitor.db"
    store = Store(f"sqlite:///{database}")
    store.upgrade()
    sites = [f"site-{number}" for number in range(10)]
    store.ensure_sites(sites)
    for index in range(stories):
        body = "\n\n".join(paragraph(index + offset) for offset in range(8))
        url = f"https://{sites[index % 10]}.example/story/{index}/"
        article = Article(title=f"Story {index}: {WORDS[index % len(WORDS)]} news", text=body)
        version = NewVersion(url, article, f"{index}-1", "t" * 64)
        store.add_story(
            sites[index % 10], version, next_check_at=None, etag=None, last_modified=None, body_sha256=None
        )
        if index % 5 == 0:
            tracked = store.article_by_url(url)
            assert tracked is not None
            edited = body.replace(WORDS[0], "revised " + WORDS[1], 2) + "\n\nA correction was appended."
            new = NewVersion(
                url, Article(title=article.title + " (updated)", text=edited), f"{index}-2", "t" * 64
            )
            change = NewChange(
                kind="changed", fields=("title", "body"), summary="title, body +1 -0 ~2 paragraphs"
            )
            store.add_version(
                tracked, new, change, next_check_at=None, etag=None, last_modified=None, body_sha256=None
            )
    store.close()
    config = directory / "config.yaml"
    # `monitor serve` only reads the archive, but a config names its sites (their pages never fetched here)
    entries = "".join(f"  - name: {name}\n    start_urls: ['http://127.0.0.1:9/{name}/']\n" for name in sites)
    config.write_text(f"database: sqlite:///{database}\nsites:\n{entries}", encoding="utf-8")
    return config


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def bench_pages(directory: Path, stories: int, requests: int) -> None:
    started = time.monotonic()
    config = directory / "config.yaml"
    if config.exists():
        print(f"archive: reusing {directory}")
    else:
        config = build_archive(directory, stories)
        print(f"archive: {stories} stories built in {time.monotonic() - started:.0f} s")
    pages = {
        "/healthz (reference)": "/healthz",
        "/ (recent changes)": "/",
        "/?site=site-3&kind=changed": "/?site=site-3&kind=changed",
        "/?q=updated (text filter)": "/?q=updated",
        "/story/<edited>": "/story/{story}",
        "/search?q=harbour (in every story)": "/search?q=harbour",
        "/search?q=correction (in 1 of 5)": "/search?q=correction",
        "/sites": "/sites",
        "/feeds/changes.atom": "/feeds/changes.atom",
        "/feeds/changes.atom?n=<i> (rendered each time)": "/feeds/changes.atom?n={number}",
        "/feeds/changes.atom (304)": "/feeds/changes.atom",
    }
    print("\n| page | p50 ms | p95 ms | max ms |\n|---|---|---|---|")
    with serving(config) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        etag = client.get("/feeds/changes.atom").headers["etag"]
        for label, path in pages.items():
            times = []
            for number in range(requests):
                target = path.format(story=1 + (number * 5 % stories) // 5 * 5 + number % 2, number=number)
                headers = {"If-None-Match": etag} if "304" in label else {}
                start = time.perf_counter()
                response = client.get(target, headers=headers)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code in (200, 304), (target, response.status_code)
            p50, p95 = statistics.median(times), percentile(times, 0.95)
            print(f"| {label} | {p50:.1f} | {p95:.1f} | {max(times):.1f} |")


class _Delivery:
    """The real notifier on its own event loop in a thread, beside a writer storing events."""

    def __init__(self, store: Store, target: NotifyTarget) -> None:
        self.stopping = asyncio.Event()
        self.loop = asyncio.new_event_loop()
        self.notifier = Notifier(store.engine, (target,))
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self.stopping = asyncio.Event()
        await self.notifier.run(self.stopping)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(timeout=30)


def store_events(store: Store, count: int, prefix: str, every_s: float) -> dict[str, float]:
    """Store `count` new stories; the commit time of each, by URL."""
    committed = {}
    for index in range(count):
        url = f"https://bench.example/{prefix}/{index}/"
        version = NewVersion(
            url, Article(title=f"{prefix} {index}", text=paragraph(index)), f"{prefix}{index}", "t" * 64
        )
        store.add_story("bench", version, next_check_at=None, etag=None, last_modified=None, body_sha256=None)
        committed[url] = time.time()
        time.sleep(every_s)
    return committed


def wait_for(receiver: Receiver, urls: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if urls <= {request.body["url"] for request in receiver.accepted()}:
            return
        time.sleep(0.05)
    raise SystemExit(f"not every event arrived within {timeout:.0f} s")


def bench_delivery(directory: Path, events: int, down_s: float) -> None:
    store = Store(f"sqlite:///{directory / 'notify.db'}")
    store.upgrade()
    store.ensure_sites(["bench"])
    receiver = Receiver()
    receiver.start()
    reference = []
    with httpx.Client() as client:
        for _ in range(50):
            start = time.perf_counter()
            client.post(receiver.url, content=b'{"event_id": "reference", "url": "reference"}')
            reference.append((time.perf_counter() - start) * 1000)
    delivery = _Delivery(store, NotifyTarget(webhook=receiver.url, name="bench"))
    delivery.thread.start()
    while delivery.notifier.rounds < 1:
        time.sleep(0.05)
    committed = store_events(store, events, "up", 0.02)
    wait_for(receiver, set(committed), 60)
    first_arrival: dict[str, float] = {}
    for request in receiver.accepted():
        first_arrival.setdefault(request.body["url"], request.at)
    latencies = [(first_arrival[url] - at) * 1000 for url, at in committed.items()]
    print("\n| delivery | events | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|")
    print(
        f"| direct POST (reference) | 50 | {statistics.median(reference):.1f} | "
        f"{percentile(reference, 0.99):.1f} | {max(reference):.1f} |"
    )
    print(
        f"| outbox -> webhook, receiver up | {events} | {statistics.median(latencies):.0f} | "
        f"{percentile(latencies, 0.99):.0f} | {max(latencies):.0f} |"
    )
    if down_s > 0:
        receiver.stop()
        down_started = time.monotonic()
        outage = store_events(store, 20, "down", down_s / 40)
        time.sleep(max(0.0, down_s - (time.monotonic() - down_started)))
        receiver.start()
        back = time.time()
        wait_for(receiver, set(outage), 700)
        last = max(request.at for request in receiver.accepted() if request.body["url"] in outage)
        label = f"receiver down {down_s:.0f} s, then up: last delivery after its return"
        print(f"| {label} | 20 | | | {(last - back) * 1000:.0f} |")
    delivery.stop()
    receiver.stop()
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--down-s", type=float, default=30.0)
    parser.add_argument("--archive", type=Path, help="Keep (or reuse) the page benchmark's archive here.")
    parser.add_argument("--pages-only", action="store_true")
    options = parser.parse_args()
    report.configure_logging("text", "WARNING")  # shows the outage phase's notify.failing/recovered lines
    with tempfile.TemporaryDirectory() as temporary:
        if options.archive:
            options.archive.mkdir(parents=True, exist_ok=True)
        bench_pages(options.archive or Path(temporary), options.stories, options.requests)
        if not options.pages_only:
            bench_delivery(Path(temporary), options.events, options.down_s)


if __name__ == "__main__":
    main()
