"""Soak benchmark for `monitor run`: thousands of checks against a loopback site; RSS at start and end, and
idle CPU between checks.

    python benchmarks/bench_soak.py [--stories 50] [--seconds 120]

Phase 1 (busy): every story is due for a recheck every second and one story in ten is edited every
three seconds, so the daemon runs thousands of checks; RSS is sampled after a warm-up and at the end.
Phase 2 (idle): long intervals, nothing due; the daemon's CPU over the idle window should be near zero.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from testbed.newsite import SiteServer, sample_site  # noqa: E402


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / 100.0


def write_config(directory: Path, base_url: str, *, interval: str, recheck_every: str, every: str) -> Path:
    config = {
        "database": "sqlite:///soak.db",
        "defaults": {
            "interval": interval,
            "host_delay": "0s",
            "respect_robots": False,
            "rechecks": [{"under": "3650d", "every": every}],
        },
        "fetch": {"recheck_every": recheck_every, "concurrency": 8},
        "sites": [{"name": "soak", "start_urls": [f"{base_url}/"]}],
    }
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def count_lines(stream: object, counts: dict[str, int]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        for key in ("story.new", "story.changed"):
            if key in line:
                counts[key] += 1


def wait_until_quiet(requests: list[str], quiet_s: float = 5.0, limit_s: float = 120.0) -> None:
    """Wait until the site has seen no request for quiet_s (the daemon's start-up work is over)."""
    deadline = time.monotonic() + limit_s
    seen, since = len(requests), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet_s:
        time.sleep(0.5)
        if len(requests) != seen:
            seen, since = len(requests), time.monotonic()


def run_phase(
    config: Path,
    seconds: float,
    *,
    warmup: float,
    editor: threading.Thread | None = None,
    quiet_requests: list[str] | None = None,
) -> dict:
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "--log-format", "json", "run"],
        cwd=REPO_ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    counts = {"story.new": 0, "story.changed": 0}
    reader = threading.Thread(target=count_lines, args=(process.stderr, counts), daemon=True)
    reader.start()
    time.sleep(warmup)
    if quiet_requests is not None:
        wait_until_quiet(quiet_requests)
    start_rss, start_cpu, started = rss_kib(process.pid), cpu_seconds(process.pid), time.monotonic()
    if editor is not None:
        editor.start()
    time.sleep(seconds)
    end_rss, end_cpu = rss_kib(process.pid), cpu_seconds(process.pid)
    elapsed = time.monotonic() - started
    process.send_signal(signal.SIGTERM)
    exit_code = process.wait(timeout=60)
    reader.join(timeout=5)
    assert process.stderr is not None
    process.stderr.close()
    return {
        "start_rss": start_rss,
        "end_rss": end_rss,
        "cpu": end_cpu - start_cpu,
        "elapsed": elapsed,
        "exit": exit_code,
        **counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stories", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=240)
    parser.add_argument("--idle-seconds", type=float, default=30)
    arguments = parser.parse_args()
    stop_editing = threading.Event()
    with SiteServer(sample_site(arguments.stories)) as server, tempfile.TemporaryDirectory() as folder:
        site = server.site

        def edit_stories() -> None:
            round_number = 0
            while not stop_editing.wait(3):
                round_number += 1
                with site.lock:
                    for index, story in enumerate(site.stories.values()):
                        if index % 10 == round_number % 10:
                            story.paragraphs.append(f"Update {round_number}: more details emerged.")

        busy_config = write_config(
            Path(folder), server.base_url, interval="2s", recheck_every="1s", every="1s"
        )
        busy = run_phase(
            busy_config, arguments.seconds, warmup=10, editor=threading.Thread(target=edit_stories)
        )
        stop_editing.set()
        checks = sum(1 for path in site.requests if path.startswith("/20"))
        idle_config = write_config(
            Path(folder), server.base_url, interval="1h", recheck_every="1h", every="1d"
        )
        idle = run_phase(idle_config, arguments.idle_seconds, warmup=5)
    print("| phase | seconds | story checks | new | changed | RSS start MiB | RSS end MiB | CPU s | CPU % |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, phase, checked in (("busy", busy, checks), ("idle", idle, 0)):
        cells = [
            name,
            f"{phase['elapsed']:.0f}",
            str(checked),
            str(phase["story.new"]),
            str(phase["story.changed"]),
            f"{phase['start_rss'] / 1024:.1f}",
            f"{phase['end_rss'] / 1024:.1f}",
            f"{phase['cpu']:.2f}",
            f"{100 * phase['cpu'] / phase['elapsed']:.1f}",
        ]
        print("| " + " | ".join(cells) + " |")
    print(f"exit codes: busy {busy['exit']}, idle {idle['exit']}")


if __name__ == "__main__":
    main()
