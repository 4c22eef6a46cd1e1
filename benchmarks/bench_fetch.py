"""Fetch-layer benchmark on loopback: throughput and CPU over many hosts, peak memory under hostile bodies.

Run: python benchmarks/bench_fetch.py [--hosts 50] [--requests 2000] [--concurrency 8]

The fault server runs in a child process so that the CPU and memory figures are the client's alone. Each
figure is compared with a reference measured in the same run: plain httpx (no politeness, no caps) doing
the same requests, and `await client.get()` on the same hostile bodies.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.fetch import Fetcher, FetchSettings  # noqa: E402
from testbed import fault_server as fs  # noqa: E402

GIB = 1024**3
MIB = 1024**2
BOMB_SIZE = 1 * GIB
BIG_BODY_SIZE = 300 * MIB
PAGE = (
    "<html><head><title>Story</title></head><body>" + "<p>Some words of a story.</p>" * 150 + "</body></html>"
)
USER_AGENT = "monitor-bench/1.0"
HOSTILE_BODIES = (
    ("gzip bomb, 1 GiB decompressed", "/bomb"),
    ("300 MiB body with Content-Length", "/big"),
    ("300 MiB body without Content-Length", "/big-unannounced"),
)


@dataclass
class Row:
    measurement: str
    ours: str
    reference: str


def _serve(hosts: int, conn: Connection) -> None:
    """Child process: one fault server per loopback address 127.0.0.2 ... 127.0.0.(hosts+1)."""
    servers = [fs.FaultServer(host=f"127.0.0.{index + 2}").start() for index in range(hosts)]
    for server in servers:
        server.route("/page", fs.html(PAGE))
    servers[0].route("/bomb", fs.bomb(BOMB_SIZE, "gzip"))
    servers[0].route("/big", fs.big_body(BIG_BODY_SIZE))
    servers[0].route("/big-unannounced", fs.big_body(BIG_BODY_SIZE, declare_length=False))
    conn.send([server.url("") for server in servers])
    conn.recv()  # wait for "stop"
    for server in servers:
        server.stop()


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    # Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), so each phase gets its own peak.
    Path("/proc/self/clear_refs").write_text("5")


def _measure_memory(naive: bool, url: str, conn: Connection) -> None:
    """Child process: fetch url once, send back (peak RSS growth in MiB, outcome)."""
    _reset_peak()
    before = _rss_kib("VmRSS")
    outcome = asyncio.run(_naive(url) if naive else _ours(url))
    conn.send(((_rss_kib("VmHWM") - before) / 1024, outcome))


def _peak_rss_mib(naive: bool, url: str) -> tuple[float, str]:
    """Peak RSS growth of one fetch, each in a fresh process so freed memory cannot hide a peak."""
    context = multiprocessing.get_context("spawn")
    parent_conn, child_conn = context.Pipe()
    child = context.Process(target=_measure_memory, args=(naive, url, child_conn))
    child.start()
    try:
        result: tuple[float, str] = parent_conn.recv()
    finally:
        child.join(timeout=60)
    return result


async def _ours(url: str) -> str:
    settings = FetchSettings(user_agent=USER_AGENT, host_delay_s=0, deadline_s=60, respect_robots=False)
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url, kind="page")
    return page.error or "ok"


async def _naive(url: str) -> str:
    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.get(url)
    return f"read {len(response.content) / MIB:.0f} MiB"


async def _throughput_ours(urls: list[str], concurrency: int) -> tuple[float, float, int]:
    settings = FetchSettings(user_agent=USER_AGENT, host_delay_s=0.0, concurrency=concurrency, deadline_s=30)
    async with Fetcher(settings) as fetcher:
        return await _timed(urls, lambda url: _ok(fetcher.fetch(url, kind="page")))


async def _throughput_reference(urls: list[str], concurrency: int) -> tuple[float, float, int]:
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency)  # as ours
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        return await _reference_with(client, urls, concurrency)


async def _reference_with(
    client: httpx.AsyncClient, urls: list[str], concurrency: int
) -> tuple[float, float, int]:
    semaphore = asyncio.Semaphore(concurrency)

    async def get(url: str) -> bool:
        async with semaphore:
            response = await client.get(url, headers={"User-Agent": USER_AGENT})
            return response.status_code == 200 and bool(response.text)

    return await _timed(urls, get)


def _in_memory(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/robots.txt":
        return httpx.Response(404)
    return httpx.Response(200, content=PAGE.encode(), headers={"Content-Type": "text/html; charset=utf-8"})


async def _overhead_us(requests: int, concurrency: int, rounds: int = 5) -> tuple[float, float]:
    """(ours, plain httpx) client CPU microseconds per request on an in-memory transport: no sockets and no
    server, so what is left is Python overhead, and the difference is ours alone. Best of `rounds`, as the
    loopback figures above move with the load of the machine."""
    urls = [f"http://host{index % 50}.example/page" for index in range(requests)]
    settings = FetchSettings(user_agent=USER_AGENT, host_delay_s=0.0, concurrency=concurrency)
    ours, reference = [], []
    for _round in range(rounds):
        async with Fetcher(settings, transport=httpx.MockTransport(_in_memory)) as fetcher:
            ours.append(await _timed(urls, lambda url: _ok(fetcher.fetch(url, kind="page"))))
        async with httpx.AsyncClient(transport=httpx.MockTransport(_in_memory)) as client:
            reference.append(await _reference_with(client, urls, concurrency))
    return min(row[1] for row in ours) * 1000, min(row[1] for row in reference) * 1000


async def _ok(pending: Awaitable[object]) -> bool:
    page = await pending
    return bool(getattr(page, "ok", False))


async def _timed(urls: list[str], one: Callable[[str], Awaitable[bool]]) -> tuple[float, float, int]:
    """(requests per second, CPU seconds per 1000 requests, failures)."""
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    results = await asyncio.gather(*(one(url) for url in urls))
    cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
    return len(urls) / wall, cpu * 1000 / len(urls), results.count(False)


async def _run(bases: list[str], requests: int, concurrency: int) -> list[Row]:
    urls = [bases[index % len(bases)] + "/page" for index in range(requests)]
    await _throughput_reference(urls[: len(bases)], concurrency)  # warm-up: imports, first connections
    ours = await _throughput_ours(urls, concurrency)
    reference = await _throughput_reference(urls, concurrency)
    label = f"requests/s ({requests} GETs, {len(bases)} hosts, concurrency {concurrency})"
    rows = [
        Row(label, f"{ours[0]:.0f} ({ours[2]} failed)", f"{reference[0]:.0f} ({reference[2]} failed)"),
        Row("CPU seconds per 1,000 requests (client)", f"{ours[1]:.2f}", f"{reference[1]:.2f}"),
    ]
    ours_us, reference_us = await _overhead_us(requests, concurrency)
    rows.append(
        Row(
            "client CPU us per request, in-memory transport (best of 5)",
            f"{ours_us:.0f} (+{ours_us - reference_us:.0f})",
            f"{reference_us:.0f}",
        )
    )
    for body_label, path in HOSTILE_BODIES:
        ours_mib, ours_outcome = _peak_rss_mib(False, bases[0] + path)
        ref_mib, ref_outcome = _peak_rss_mib(True, bases[0] + path)
        ours_cell, ref_cell = f"{ours_mib:.1f} MiB ({ours_outcome})", f"{ref_mib:.1f} MiB ({ref_outcome})"
        rows.append(Row(f"peak RSS growth, {body_label}", ours_cell, ref_cell))
    return rows


def _print_table(rows: list[Row]) -> None:
    headers = Row("measurement", "monitor Fetcher", "reference: plain httpx")
    widths = [
        max(len(getattr(row, name)) for row in [headers, *rows])
        for name in ("measurement", "ours", "reference")
    ]
    for index, row in enumerate([headers, *rows]):
        cells = [row.measurement, row.ours, row.reference]
        print("| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (width + 2) for width in widths) + "|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    parent_conn, child_conn = context.Pipe()
    child = context.Process(target=_serve, args=(args.hosts, child_conn), daemon=True)
    child.start()
    try:
        bases: list[str] = parent_conn.recv()
        rows = asyncio.run(_run(bases, args.requests, args.concurrency))
    finally:
        parent_conn.send("stop")
        child.join(timeout=10)
    _print_table(rows)


if __name__ == "__main__":
    main()
