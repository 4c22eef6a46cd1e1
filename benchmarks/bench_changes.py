"""Change-detection benchmark through the real daemon: real pages served from 127.0.0.1, two passes of the
real CLI (`monitor once`, then `monitor once --all`), real edits and pure noise applied between the passes.

    python benchmarks/bench_changes.py [--pages-per-set 20]

Every mutation of testbed/mutations.py becomes one story URL: pass 1 serves the original page, pass 2 the
mutated one. Printed: edit recall (every real edit gives exactly one story.changed), field attribution (its
`fields` are exactly the edited ones), and false alerts per noise kind (story.changed on noise, a date bump,
a truncated or a paywalled response), and real stories the recheck marked as no story (story.not_story: they
stop alerting). Targets: 100% recall, 100% correct fields, 0 false alerts, 0 marked.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from monitor.newsite import NewsSite, Page, PlainTheme, SiteServer  # noqa: E402
from testbed.configs import once_events  # noqa: E402
from testbed.mutations import NOISE_KINDS, REAL_EDIT_KINDS, benchmark_cases  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages-per-set", type=int, default=20)
    arguments = parser.parse_args()

    # Story pages by path (the site's feed lists them), switched from the originals to the mutations
    # between the passes.
    site = NewsSite(name="bench", theme=PlainTheme())
    mutated: dict[str, str] = {}
    expected: dict[str, tuple[str, tuple[str, ...] | None]] = {}
    for case_number, case in enumerate(benchmark_cases(arguments.pages_per_set)):
        for mutation in case.mutations:
            path = f"/{case_number:03d}/{mutation.kind}/"
            site.add(Page(path, f"Story {len(expected)}", mutation.before or case.original_html))
            mutated[path] = mutation.html
            expected[path] = (mutation.kind, mutation.expected_fields)
    with SiteServer(site) as server, tempfile.TemporaryDirectory() as folder:
        base = server.base_url
        config = Path(folder) / "config.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "database": "sqlite:///bench.db",
                    "defaults": {"host_delay": "0s", "respect_robots": False, "max_new_per_pass": 100000},
                    "fetch": {"max_retries": 0, "concurrency": 8},
                    "sites": [{"name": "bench", "feeds": [f"{base}/feed/"]}],
                }
            )
        )
        started = time.perf_counter()
        first = once_events(config)
        with site.lock:
            for path, html in mutated.items():
                site.pages[path].body = html
        second = once_events(config, "--all")
        elapsed = time.perf_counter() - started
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
    demoted: Counter[str] = Counter()  # real stories the recheck marked as no story (they stop alerting)
    for event in second:
        if event.get("event") == "story.changed":
            alerts[event["url"].removeprefix(base)].append(event)
        elif event.get("event") == "story.not_story":
            demoted[expected[event["url"].removeprefix(base)][0]] += 1
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
    print(
        f"stories marked not a story by the recheck: {sum(demoted.values())} (target 0)"
        + "".join(f"; {kind} {count}" for kind, count in sorted(demoted.items()))
    )
    for line in misses[:25]:
        print("  ", line)


if __name__ == "__main__":
    main()
