"""`monitor run` as a real process: clean stop, config reload, the single-daemon lock, kill -9 recovery."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from testbed.newsite import SiteServer, sample_site
from tests.conftest import REPO_ROOT, site_entry, write_config

Event = dict[str, Any]


class DaemonProcess:
    """A `python -m monitor run` child whose JSON log lines are collected as they arrive."""

    def __init__(self, config_path: Path, *extra: str) -> None:
        self.config_path = config_path
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor",
                "--config",
                str(config_path),
                "--log-format",
                "json",
                "run",
                *extra,
            ],
            cwd=REPO_ROOT,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[Event] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for(self, predicate: Callable[[Event], bool], timeout: float = 30) -> Event:
        deadline = time.monotonic() + timeout
        for event in self.seen:
            if predicate(event):
                return event
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                event = {"raw": line}
            self.seen.append(event)
            if predicate(event):
                return event
        raise AssertionError(f"no matching event within {timeout}s; saw: {self.seen[-15:]}")

    def count(self, name: str) -> int:
        return sum(1 for event in self.seen if event.get("event") == name)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        while not self.lines.empty():
            line = self.lines.get()
            try:
                self.seen.append(json.loads(line))
            except json.JSONDecodeError:
                self.seen.append({"raw": line})
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer(sample_site()) as running:
        yield running


@pytest.fixture
def daemons() -> Iterator[list[DaemonProcess]]:
    started: list[DaemonProcess] = []
    yield started
    for daemon in started:
        daemon.close()


def start(daemons: list[DaemonProcess], config_path: Path, *extra: str) -> DaemonProcess:
    daemon = DaemonProcess(config_path, *extra)
    daemons.append(daemon)
    return daemon


def is_event(name: str) -> Callable[[Event], bool]:
    return lambda event: event.get("event") == name


def test_sigterm_drains_and_exits_zero(
    tmp_path: Path, server: SiteServer, daemons: list[DaemonProcess]
) -> None:
    config = write_config(tmp_path, [site_entry(server.base_url)], interval="1h")
    daemon = start(daemons, config)
    daemon.wait_for(is_event("daemon.started"))
    daemon.wait_for(lambda event: event.get("event") == "story.new" and daemon.count("story.new") == 5)
    assert daemon.stop(signal.SIGTERM) == 0
    assert daemon.count("daemon.stopped") == 1 and daemon.count("story.new") == 5
    with sqlite3.connect(tmp_path / "monitor.db") as connection:
        assert connection.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 5


def test_sigint_lets_the_running_check_finish(
    tmp_path: Path, server: SiteServer, daemons: list[DaemonProcess]
) -> None:
    server.site.delay_s = 0.2  # the first site check takes over a second: it is in flight when we stop
    daemon = start(daemons, write_config(tmp_path, [site_entry(server.base_url)], interval="1h"))
    daemon.wait_for(is_event("daemon.started"))
    deadline = time.monotonic() + 20
    while not server.site.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert daemon.stop(signal.SIGINT) == 0
    assert daemon.count("daemon.stopped") == 1
    with sqlite3.connect(tmp_path / "monitor.db") as connection:
        assert connection.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 5


def test_second_daemon_refuses_to_start(
    tmp_path: Path, server: SiteServer, daemons: list[DaemonProcess]
) -> None:
    config = write_config(tmp_path, [site_entry(server.base_url)], interval="1h")
    first = start(daemons, config)
    first.wait_for(is_event("daemon.started"))
    second = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), "run"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1
    assert f"another monitor daemon (pid {first.process.pid}) is already running" in second.stderr
    assert first.process.poll() is None
    assert first.stop() == 0


def test_config_reload_applies_valid_edits_and_keeps_the_last_good_one(
    tmp_path: Path, server: SiteServer, daemons: list[DaemonProcess]
) -> None:
    config = write_config(tmp_path, [site_entry(server.base_url)], interval="1h")
    daemon = start(daemons, config)
    daemon.wait_for(is_event("daemon.started"))
    # an invalid edit: every error logged with its location, the daemon keeps running the old config
    raw = yaml.safe_load(config.read_text())
    raw["sites"][0]["intervall"] = "5m"
    raw["sites"].append({"name": "broken"})
    config.write_text(yaml.safe_dump(raw))
    invalid = daemon.wait_for(is_event("config.invalid"))
    assert invalid["errors"] == [
        "sites[0].intervall: unknown key (did you mean 'interval'?), line 12",
        "sites[1]: a site needs at least one of start_urls, feeds, sitemaps, line 16",
    ]
    assert daemon.process.poll() is None
    # a valid edit adding a site: only that site is rescheduled, and it is checked at once
    with SiteServer(sample_site(2)) as second_server:
        raw = yaml.safe_load(config.read_text())
        raw["sites"] = [raw["sites"][0], site_entry(second_server.base_url, name="second-news")]
        del raw["sites"][0]["intervall"]
        config.write_text(yaml.safe_dump(raw))
        reloaded = daemon.wait_for(is_event("config.reloaded"))
        assert reloaded["sites"] == ["second-news"]
        assert (reloaded["added"], reloaded["removed"], reloaded["changed"]) == (["second-news"], [], [])
        daemon.wait_for(
            lambda event: event.get("event") == "story.new" and event.get("site") == "second-news"
        )
        # SIGHUP reloads too (nothing changed: no site touched)
        daemon.process.send_signal(signal.SIGHUP)
        again = daemon.wait_for(
            lambda event: event.get("event") == "config.reloaded" and event is not reloaded
        )
        assert again["sites"] == [] and again["added"] == again["removed"] == again["changed"] == []
        assert daemon.stop() == 0
    # each error of the invalid edit was logged once, in one event
    assert daemon.count("config.invalid") == 1
    assert not [event for event in daemon.seen if "intervall" in str(event.get("message", ""))]


def test_kill_9_then_restart_loses_and_duplicates_nothing(
    tmp_path: Path, server: SiteServer, daemons: list[DaemonProcess]
) -> None:
    config = write_config(tmp_path, [site_entry(server.base_url)], interval="1h")
    first = start(daemons, config)
    first.wait_for(lambda event: event.get("event") == "story.new")
    os.kill(first.process.pid, signal.SIGKILL)  # possibly in the middle of storing the others
    first.stop()
    second = start(daemons, config)
    second.wait_for(lambda event: "integrity check" in str(event.get("message", "")))
    second.wait_for(is_event("daemon.started"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with sqlite3.connect(tmp_path / "monitor.db") as connection:
            if connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 5:
                break
        time.sleep(0.2)
    assert second.stop() == 0
    with sqlite3.connect(tmp_path / "monitor.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 5
        assert connection.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 5
        assert connection.execute("SELECT COUNT(*) FROM changes WHERE kind = 'new'").fetchone()[0] == 5
        orphans = connection.execute(
            "SELECT COUNT(*) FROM articles a LEFT JOIN versions v ON v.article_id = a.id WHERE v.id IS NULL"
        )
        assert orphans.fetchone()[0] == 0


def test_prometheus_metrics(tmp_path: Path, server: SiteServer, daemons: list[DaemonProcess]) -> None:
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    daemon = start(
        daemons,
        write_config(tmp_path, [site_entry(server.base_url)], interval="1h"),
        "--metrics-port",
        str(port),
    )
    daemon.wait_for(lambda event: event.get("event") == "story.new" and daemon.count("story.new") >= 5)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        body = response.read().decode()
    assert 'monitor_story_events_total{kind="new",site="fixture-news"} 5.0' in body
    assert 'monitor_fetches_total{outcome="ok",site="fixture-news"}' in body
    assert daemon.stop() == 0


def test_a_hung_check_is_cut_off_and_later_runs_still_happen(
    tmp_path: Path, server: SiteServer, daemons: list[DaemonProcess]
) -> None:
    server.site.delay_s = 3.0  # every response takes longer than the whole check may
    config = write_config(tmp_path, [site_entry(server.base_url)], interval="2s")
    raw = yaml.safe_load(config.read_text())
    raw["fetch"]["check_timeout"] = "1s"
    config.write_text(yaml.safe_dump(raw))
    daemon = start(daemons, config)

    def timed_out(event: Event) -> bool:
        return "timed out" in str(event.get("message", ""))

    first = daemon.wait_for(timed_out)
    second = daemon.wait_for(lambda event: timed_out(event) and event is not first)
    assert second["ts"] > first["ts"]  # a later run, not skipped behind the hung one
    assert daemon.stop() == 0
