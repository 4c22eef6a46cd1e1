"""Notifications through the real daemon: the outbox, webhook delivery across receiver outages and kill -9,
filters, signatures, and failures shown in SQL and `monitor status`."""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from testbed.newsite import SiteServer, sample_site
from testbed.webhook_receiver import Receiver
from tests.conftest import run_monitor, site_entry, write_config
from tests.test_daemon import DaemonProcess, is_event

SECRET = "s3cret-for-tests"


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer(sample_site()) as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    webhook = Receiver()
    yield webhook
    webhook.stop()


@pytest.fixture
def daemons() -> Iterator[list[DaemonProcess]]:
    started: list[DaemonProcess] = []
    yield started
    for daemon in started:
        daemon.close()


def notify_config(tmp_path: Path, server: SiteServer, targets: list[dict[str, Any]]) -> Path:
    """A config whose stories are rechecked every second and whose events go to `targets`."""
    path = write_config(
        tmp_path, [site_entry(server.base_url)], interval="1h", rechecks=[{"under": "30d", "every": "1s"}]
    )
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["fetch"]["recheck_every"] = "1s"
    config["notify"] = targets
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def wait_until(condition: Callable[[], bool], timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def query_count(database: Path, table: str) -> int:
    if not database.exists():
        return 0
    try:
        return int(query(database, f"SELECT COUNT(*) FROM {table}")[0][0])
    except sqlite3.OperationalError:  # the schema is not created yet
        return 0


def edit(server: SiteServer, index: int, text: str) -> None:
    story = list(server.site.stories.values())[index]
    with server.site.lock:
        story.paragraphs = [*story.paragraphs[:1], text, *story.paragraphs[1:]]


def test_every_event_arrives_once_in_order_across_outages_flakiness_and_kill_9(
    tmp_path: Path, server: SiteServer, receiver: Receiver, daemons: list[DaemonProcess]
) -> None:
    config = notify_config(
        tmp_path,
        server,
        [{"webhook": receiver.url, "secret": SECRET, "backoff_min": "0.2s", "backoff_max": "1s"}],
    )
    database = tmp_path / "monitor.db"
    first = DaemonProcess(config)
    daemons.append(first)
    # 1. the receiver is down: every story is stored, every delivery attempt fails and says so in SQL
    wait_until(lambda: query_count(database, "changes") == 5, what="five new stories")
    first.wait_for(is_event("notify.failing"))
    failures_sql = "SELECT COUNT(*) FROM notify_failures WHERE last_error IS NOT NULL"
    wait_until(lambda: query(database, failures_sql)[0][0] > 0, what="a failed attempt in notify_failures")
    status = run_monitor("--config", str(config), "status")
    assert status.returncode == 0, status.stderr
    assert "webhook-" in status.stdout and "pending" in status.stdout
    edit(server, 0, "In a late change, the council said the plan would be delayed by a year.")
    edit(server, 1, "A correction was added to this story on Tuesday.")
    first.wait_for(is_event("story.changed"))
    # 2. flaky: every third request fails; kill -9 the daemon once a few events got through
    receiver.flaky = True
    receiver.start()
    wait_until(lambda: len(receiver.unique_accepted()) >= 3, what="three deliveries")
    os.kill(first.process.pid, signal.SIGKILL)
    first.stop()
    edit(server, 0, "The council later said the delay would be shorter than first announced.")
    with server.site.lock:
        list(server.site.stories.values())[3].gone = True
    second = DaemonProcess(config)
    daemons.append(second)
    second.wait_for(is_event("story.removed"))
    # 3. up again: everything stored as a change arrives
    receiver.flaky = False
    expected = {f"monitor-change-{row[0]}" for row in query(database, "SELECT id FROM changes")}
    wait_until(
        lambda: {request.body["event_id"] for request in receiver.accepted()} >= expected,
        what=f"all {len(expected)} events delivered",
    )
    assert second.stop() == 0
    expected = {f"monitor-change-{row[0]}" for row in query(database, "SELECT id FROM changes")}
    unique = receiver.unique_accepted()
    assert [request.body["event_id"] for request in unique] == sorted(
        (request.body["event_id"] for request in unique), key=lambda event_id: int(event_id.split("-")[-1])
    ), "events arrive in the order they happened"
    assert {request.body["event_id"] for request in unique} == expected
    assert any(request.status == 500 for request in receiver.requests), "the flaky phase answered 500"
    kinds = [request.body["event"] for request in unique]
    assert kinds.count("story.new") == 5 and "story.removed" in kinds and kinds.count("story.changed") == 3
    per_story: dict[str, list[int]] = {}
    for request in unique:
        per_story.setdefault(request.body["url"], []).append(request.body["version"])
    assert all(versions == sorted(versions) for versions in per_story.values())
    for request in receiver.requests:
        signed = "sha256=" + hmac.new(SECRET.encode(), request.raw, hashlib.sha256).hexdigest()
        assert request.headers["x-monitor-signature"] == signed
        assert request.headers["x-monitor-event-id"] == request.body["event_id"]
    changed = next(request.body for request in unique if request.body["event"] == "story.changed")
    assert {"site", "url", "title", "version", "fields", "summary", "diff"} <= changed.keys()
    assert changed["fields"] == ["body"] and changed["words_added"] > 0 and "+ " in changed["diff"]
    pending = query(database, "SELECT COUNT(*) FROM deliveries WHERE status != 'delivered'")[0][0]
    assert pending == 0
