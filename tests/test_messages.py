"""Messages a user reads: what failed and when the next try is, timestamps, events, summaries."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from monitor.fetch.failures import describe_failure
from testbed.newsite import SiteServer, sample_site
from tests.conftest import run_monitor, site_entry, write_config
from tests.test_daemon import DaemonProcess


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _offline_site(tmp_path: Path) -> Path:
    base = f"http://127.0.0.1:{_closed_port()}"
    entry = {"name": "offline", "start_urls": [f"{base}/", f"{base}/world/", f"{base}/news/"]}
    entry["feeds"] = [f"{base}/feed/"]
    return write_config(tmp_path, [entry])


def test_an_unreachable_host_is_explained_once_with_the_next_try(tmp_path: Path) -> None:
    completed = run_monitor("--config", str(_offline_site(tmp_path)), "once")
    assert completed.returncode == 0, completed.stderr
    robots = [line for line in completed.stderr.splitlines() if "robots.txt for" in line]
    assert len(robots) == 1, completed.stderr
    assert "could not connect (connection refused or host unreachable)" in robots[0]
    assert "the host is skipped until the next try at 20" in robots[0] and "(in 10 min)" in robots[0]
    assert "disallowed" not in completed.stderr  # not a policy problem


def test_a_robots_timeout_says_timeout(tmp_path: Path) -> None:
    with SiteServer(sample_site(1)) as server:
        server.site.delay_s = 2.0
        config = write_config(tmp_path, [site_entry(server.base_url)], timeout="1s")
        completed = run_monitor("--config", str(config), "once")
    robots = [line for line in completed.stderr.splitlines() if "robots.txt for" in line]
    assert len(robots) == 1 and "timeout (no answer in time)" in robots[0], completed.stderr


@pytest.mark.parametrize(
    ("error", "detail", "status", "words"),
    [
        ("connect", "ConnectError: [Errno -2] Name or service not known", None, "DNS failure"),
        ("connect", "ConnectError: [Errno 111] Connection refused", None, "connection refused"),
        ("connect", "ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", None, "TLS"),
        ("timeout", "ReadTimeout", None, "timeout"),
        ("http_5xx", "", 503, "the server answered HTTP 503"),
        (None, "", 429, "the server answered HTTP 429"),
    ],
    ids=["dns", "refused", "tls", "timeout", "5xx", "429"],
)
def test_failures_in_words(error: str | None, detail: str, status: int | None, words: str) -> None:
    assert words in describe_failure(error, detail, status)


def test_text_lines_carry_a_timestamp_and_the_summary_counts_failed_fetches(tmp_path: Path) -> None:
    completed = run_monitor("--config", str(_offline_site(tmp_path)), "once")
    lines = completed.stderr.splitlines()
    assert lines and all(line[:4].isdigit() and line[19:21] == "Z " for line in lines), lines
    (summary,) = [line for line in lines if " PASS " in line]
    assert "failed=4" in summary  # three listing pages and one feed


def test_every_json_line_has_an_event_and_started_names_config_and_database(tmp_path: Path) -> None:
    config = _offline_site(tmp_path)
    completed = run_monitor("--config", str(config), "--log-format", "json", "once")
    events = [json.loads(line) for line in completed.stderr.splitlines()]
    assert events and all("event" in event for event in events)
    assert any(event["event"] == "log.warning" for event in events)  # the robots notice
    with SiteServer(sample_site(1)) as server:
        config = write_config(tmp_path, [site_entry(server.base_url)])
        daemon = DaemonProcess(config)
        try:
            started = daemon.wait_for(lambda event: event.get("event") == "daemon.started")
            assert daemon.stop() == 0
        finally:
            daemon.close()
    assert started["config"] == str(config)
    assert started["database"] == f"sqlite:///{tmp_path / 'monitor.db'}"
    assert all("event" in event for event in daemon.seen)
