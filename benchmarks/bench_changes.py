"""Change-detection benchmark through the real daemon: real pages served from 127.0.0.1, two passes of the
real CLI (`monitor once`, then `monitor once --all`), real edits and pure noise applied between the passes.

    python benchmarks/bench_changes.py [--pages-per-set 20]

Every mutation of testbed/mutations.py becomes one story URL: pass 1 serves the original page, pass 2 the
mutated one. Printed: edit recall (every real edit gives exactly one story.changed), field attribution (its
`fields` are exactly the edited ones), and false alerts per noise kind (story.changed on noise, a date bump,
a truncated or a paywalled response). Targets: 100% recall, 100% correct fields, 0 false alerts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from testbed.mutations import NOISE_KINDS, REAL_EDIT_KINDS, benchmark_cases  # noqa: E402


class Web:
    """Story pages by path, switched from the originals to the mutations between passes."""

    def __init__(self) -> None:
        self.original: dict[str, str] = {}
        self.mutated: dict[str, str] = {}
        self.second_pass = False

    def page(self, path: str, base: str) -> tuple[int, str, bytes]:
        if path == "/feed.xml":
            items = "".join(
                f"<item><title>Story {index}</title><link>{base}{story}</link></item>"
                for index, story in enumerate(self.original)
            )
            channel = f"<channel><title>bench</title>{items}</channel>"
            feed = f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'
            return 200, "application/rss+xml", feed.encode()
        pages = self.mutated if self.second_pass else self.original
        if path in pages:
            return 200, "text/html; charset=utf-8", pages[path].encode("utf-8")
        return 404, "text/plain", b"not found"


def serve(web: Web) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            status, content_type, body = web.page(self.path, f"http://{self.headers.get('Host')}")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_cli(config: Path, *args: str) -> list[dict[str, Any]]:
    command = [
        sys.executable,
        "-m",
        "monitor",
        "--config",
        str(config),
        "--log-format",
        "json",
        "once",
        *args,
    ]
    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800)
    if completed.returncode != 0:
        raise SystemExit(f"monitor once failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    return [json.loads(line) for line in completed.stderr.splitlines() if line.startswith('{"ts"')]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages-per-set", type=int, default=20)
    arguments = parser.parse_args()

    web = Web()
    expected: dict[str, tuple[str, tuple[str, ...] | None]] = {}
    for case_number, case in enumerate(benchmark_cases(arguments.pages_per_set)):
        for mutation in case.mutations:
            path = f"/{case_number:03d}/{mutation.kind}/"
            web.original[path] = case.original_html
            web.mutated[path] = mutation.html
            expected[path] = (mutation.kind, mutation.expected_fields)
    server = serve(web)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "database": "sqlite:///bench.db",
                    "defaults": {"host_delay": "0s", "respect_robots": False, "max_new_per_pass": 100000},
                    "fetch": {"max_retries": 0, "concurrency": 8},
                    "sites": [{"name": "bench", "feeds": [f"{base}/feed.xml"]}],
                }
            )
        )
        started = time.perf_counter()
        first = run_cli(config)
        web.second_pass = True
        second = run_cli(config, "--all")
        elapsed = time.perf_counter() - started
    server.shutdown()
    server.server_close()
    report(expected, first, second, base, elapsed)


def report(
    expected: dict[str, tuple[str, tuple[str, ...] | None]],
    first: list[dict[str, Any]],
    second: list[dict[str, Any]],
    base: str,
    elapsed: float,
) -> None:
    stored = {event["url"].removeprefix(base) for event in first if event.get("event") == "story.new"}
    alerts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in second:
        if event.get("event") == "story.changed":
            alerts[event["url"].removeprefix(base)].append(event)
    totals: Counter[str] = Counter()
    detected: Counter[str] = Counter()
    correct_fields: Counter[str] = Counter()
    misses: list[str] = []
    for path, (kind, fields) in sorted(expected.items()):
        if path not in stored:
            totals["not stored in pass 1"] += 1
            continue
        totals[kind] += 1
        got = alerts.get(path, [])
        if fields is not None:
            if len(got) == 1:
                detected[kind] += 1
                correct_fields[kind] += tuple(got[0]["fields"]) == fields
                if tuple(got[0]["fields"]) != fields:
                    misses.append(f"{path}: fields {got[0]['fields']} != {list(fields)}")
            else:
                misses.append(f"{path}: {len(got)} alerts for a {kind}")
        elif got:
            detected[kind] += 1
            misses.append(f"{path}: false alert {got[0]['fields']} {got[0]['summary']}")
    edits = sum(totals[kind] for kind in REAL_EDIT_KINDS)
    mutations = sum(totals[kind] for kind in (*REAL_EDIT_KINDS, *NOISE_KINDS))
    skipped = totals["not stored in pass 1"]
    print(
        f"mutations: {mutations} on {len(stored)} stored stories ({skipped} mutations of pages with no "
        f"extractable story skipped); two passes in {elapsed:.1f} s"
    )
    print("| mutation | kind | count | alerts | correct fields |")
    print("|---|---|---|---|---|")
    for kind in REAL_EDIT_KINDS:
        print(f"| {kind} | real edit | {totals[kind]} | {detected[kind]} | {correct_fields[kind]} |")
    for kind in NOISE_KINDS:
        print(f"| {kind} | noise | {totals[kind]} | {detected[kind]} (false) | - |")
    recall = sum(detected[kind] for kind in REAL_EDIT_KINDS) / edits if edits else 0.0
    fields_ok = sum(correct_fields[kind] for kind in REAL_EDIT_KINDS) / edits if edits else 0.0
    false_alerts = sum(detected[kind] for kind in NOISE_KINDS)
    print(f"\nedit recall {recall:.1%}, field attribution {fields_ok:.1%}, false alerts {false_alerts}")
    for line in misses[:25]:
        print("  ", line)


if __name__ == "__main__":
    main()
