"""Hostile-input bounds (issue 16, item 3): parse/extraction time as each hostile input doubles, the worst
event-loop stall while the real pipeline checks a site serving it, and SIGTERM latency of `monitor run`.

Run: python benchmarks/bench_hostile.py [--scale 1.0] [--skip-sigterm]

References measured in the same run: a plain story page of the same sizes (time ratios per doubling), and a
site serving a plain story (event-loop stall). Targets: ratios near 2 (linear), stalls under 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.config import load_config  # noqa: E402
from monitor.discover import links_from_feed, links_from_listing, links_from_sitemap  # noqa: E402
from monitor.extraction import extract  # noqa: E402
from monitor.pipeline.runtime import Runtime  # noqa: E402
from monitor.pipeline.site_check import check_site  # noqa: E402
from monitor.store import Store  # noqa: E402
from testbed import fault_server as fs  # noqa: E402
from testbed.configs import write_config  # noqa: E402

PARAGRAPH = "<p>Officials announced a new plan for the city's water supply, after months of talks.</p>"
STORY_PATH = "/2025/10/15/officials-announce-a-new-water-plan/"
HOST = "http://127.0.0.1/"
SITE = frozenset({"127.0.0.1"})


def story(paragraphs: int, before: str = "", after: str = "") -> str:
    body = f"{before}<article>{PARAGRAPH * paragraphs}</article>{after}"
    return f"<html><head><title>Plan</title></head><body>{body}</body></html>"


def deep(n: int) -> str:
    return story(5, "<div>" * n, "</div>" * n)


def attributes(n: int) -> str:
    return story(5, "<div " + " ".join(f'a{i}="x"' for i in range(n)) + ">", "</div>")


def doctypes(n: int) -> bytes:
    return b'<?xml version="1.0"?>' + b"<!DOCTYPE a [" * n + b"<rss/>"


def sitemap_index(n: int) -> bytes:
    entries = "".join(f"<sitemap><loc>{HOST}s{i}.xml</loc></sitemap>" for i in range(n))
    return (
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'.encode()
    )


def listing(n: int) -> str:
    links = "".join(
        f'<a href="/2025/01/01/story-number-{i}-of-today/">Story number {i} today</a>' for i in range(n)
    )
    return f"<html><body>{links}</body></html>"


# name, input at size n, what runs on it, base n (doubled twice)
CASES: list[tuple[str, Callable[[int], Any], Callable[[Any], object], int]] = [
    ("nested <div>s (extract)", deep, extract, 25_000),
    ("attributes on one tag (extract)", attributes, extract, 25_000),
    ("unclosed DOCTYPEs (feed)", doctypes, lambda body: links_from_feed(body, HOST), 25_000),
    ("sitemap index children", sitemap_index, lambda body: links_from_sitemap(body, HOST), 12_500),
    ("links on a listing", listing, lambda html: links_from_listing(html, HOST, site_domains=SITE), 50_000),
]  # fmt: skip


def scaling(scale: float) -> None:
    print("| input | sizes (bytes) | seconds at n, 2n, 4n | ratio 2n/n, 4n/2n | plain story: s; ratios |")
    print("|---|---|---|---|---|")
    for name, make, run, base in CASES:
        inputs = [make(int(base * scale) * factor) for factor in (1, 2, 4)]
        sizes = [len(item) for item in inputs]
        ours = [_seconds(run, item) for item in inputs]
        plain = [_seconds(extract, story(size // len(PARAGRAPH))) for size in sizes]
        print(
            f"| {name} | {', '.join(f'{size:,}' for size in sizes)} | {_list(ours)} | {_ratios(ours)} "
            f"| {_list(plain)}; {_ratios(plain)} |"
        )


def _seconds(run: Callable[[Any], object], item: Any) -> float:
    started = time.perf_counter()
    run(item)
    return time.perf_counter() - started


def _list(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def _ratios(values: list[float]) -> str:
    return ", ".join(
        f"{later / max(earlier, 1e-3):.1f}" for earlier, later in zip(values, values[1:], strict=False)
    )


STALL_SITES: list[tuple[str, str, Callable[[], bytes | str], str]] = [
    ("plain story page (reference)", "page", lambda: story(40), "text/html; charset=utf-8"),
    ("100,000 nested <div>s", "page", lambda: deep(100_000), "text/html; charset=utf-8"),
    ("100,000 attributes on one tag", "page", lambda: attributes(100_000), "text/html; charset=utf-8"),
    ("8 MB story (over a 2 s deadline)", "page", lambda: story(95_000), "text/html; charset=utf-8"),
    ("listing with 200,000 links", "listing", lambda: listing(200_000), "text/html; charset=utf-8"),
    ("feed with 100,000 unclosed DOCTYPEs", "feed", lambda: doctypes(100_000), "application/rss+xml"),
    ("sitemap index with 50,000 children", "sitemap", lambda: sitemap_index(50_000), "application/xml"),
]


async def _worst_stall(work: asyncio.Task[Any]) -> float:
    worst = 0.0
    while not work.done():
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        worst = max(worst, time.perf_counter() - started - 0.01)
    await work
    return worst


async def _stall_of(folder: Path, kind: str, body: bytes | str, media_type: str) -> tuple[float, float]:
    with fs.FaultServer() as server:
        hostile = fs.respond(200, body, content_type=media_type)
        plain_listing = fs.html(f'<a href="{STORY_PATH}">A headline with enough words in it</a>')
        server.route("/", hostile if kind == "listing" else plain_listing)
        server.route(STORY_PATH, hostile if kind == "page" else fs.html(story(10)))
        server.route("/feed.xml", hostile if kind == "feed" else fs.respond(404))
        server.route("/sitemap.xml", hostile if kind == "sitemap" else fs.respond(404))
        entry: dict[str, Any] = {"name": "bench", "start_urls": [server.url("/")], "max_bytes": 30_000_000}
        entry |= {"feeds": [server.url("/feed.xml")]} if kind == "feed" else {}
        entry |= {"sitemaps": [server.url("/sitemap.xml")]} if kind == "sitemap" else {}
        config_path = write_config(folder, [entry])
        config_path.write_text(
            config_path.read_text().replace("max_retries: 0", "max_retries: 0\n  page_deadline: 2")
        )
        config = load_config(config_path)
        store = Store(config.database_url)
        store.upgrade()
        runtime = Runtime(config, store)
        store.ensure_sites([config.sites[0].name])
        started = time.perf_counter()
        try:
            stall = await _worst_stall(asyncio.create_task(check_site(runtime, config.sites[0])))
        finally:
            await runtime.aclose()
            store.close()
        return stall, time.perf_counter() - started


def stalls() -> None:
    print("\n| site serving | worst event-loop stall (s) | check took (s) |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:  # warm-up: first imports and connections
        asyncio.run(_stall_of(Path(folder), "page", story(40), "text/html; charset=utf-8"))
    for name, kind, make, media_type in STALL_SITES:
        with tempfile.TemporaryDirectory() as folder:
            stall, took = asyncio.run(_stall_of(Path(folder), kind, make(), media_type))
        print(f"| {name} | {stall:.3f} | {took:.1f} |")


def sigterm_latency() -> None:
    """`monitor run` on a site whose story takes long to extract: seconds from SIGTERM to exit."""
    with fs.FaultServer() as server, tempfile.TemporaryDirectory() as folder:
        server.route("/", fs.html(f'<a href="{STORY_PATH}">A headline with enough words in it</a>'))
        server.route(STORY_PATH, fs.html(story(95_000)))
        config = write_config(
            Path(folder), [{"name": "bench", "start_urls": [server.url("/")], "max_bytes": 30_000_000}]
        )
        command = [sys.executable, "-m", "monitor", "--config", str(config), "run"]
        daemon = subprocess.Popen(
            command, stderr=subprocess.DEVNULL, cwd=Path(__file__).resolve().parent.parent
        )
        while server.hits[STORY_PATH] == 0 and daemon.poll() is None:
            time.sleep(0.05)
        time.sleep(0.5)  # the page is being extracted now
        sent = time.perf_counter()
        os.kill(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=120)
        took = time.perf_counter() - sent
        print(f"\nSIGTERM while an 8 MB story is extracted: `monitor run` exited {took:.1f} s later")
        print(f"(exit code {daemon.returncode}; the drain timeout is 30 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply the scaling inputs' sizes (0.25: quick)"
    )
    parser.add_argument("--skip-sigterm", action="store_true")
    options = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # page.problem and site.failing lines are expected here
    scaling(options.scale)
    stalls()
    if not options.skip_sigterm:
        sigterm_latency()


if __name__ == "__main__":
    main()
