"""Config files and the real CLI process, for tests and benchmarks alike."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


def site_entry(base_url: str, name: str = "fixture-news", **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "start_urls": [f"{base_url}/"], "feeds": [f"{base_url}/feed/"]}
    entry.update(extra)
    return entry


def write_config(
    directory: Path, sites: list[dict[str, Any]], database: str | None = None, **defaults: Any
) -> Path:
    config = {
        "database": database or "sqlite:///monitor.db",
        "defaults": {
            "interval": "5m",
            "host_delay": "0s",
            "timeout": "10s",
            "respect_robots": True,
            **defaults,
        },
        "fetch": {"max_retries": 0},
        "sites": sites,
    }
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def run_monitor(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the real `python -m monitor` process."""
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd or REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def once_events(config: Path, *args: str, timeout: float = 1800) -> list[dict[str, Any]]:
    """`monitor once` over `config` as a real process; its JSON log events. Exits the benchmark on failure."""
    import json

    completed = run_monitor("--config", str(config), "--log-format", "json", "once", *args, timeout=timeout)
    if completed.returncode != 0:
        raise SystemExit(f"monitor once failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    return [json.loads(line) for line in completed.stderr.splitlines() if line.startswith('{"ts"')]
