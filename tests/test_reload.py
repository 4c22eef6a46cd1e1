"""Config reload (issue 16 item 5): validated completely, applied at once, the old config kept on failure."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.config import load_config
from monitor.daemon import Daemon
from monitor.report import JsonFormatter
from testbed.configs import write_config

Event = dict[str, Any]


class _Events(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[Event] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.events.append(json.loads(JsonFormatter().format(record)))


@pytest.fixture
def events() -> Any:
    handler = _Events()
    logger = logging.getLogger("monitor")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield handler.events
    logger.removeHandler(handler)
    logger.setLevel(previous)


def _sites(*names: str) -> list[dict[str, Any]]:
    return [{"name": name, "start_urls": [f"http://127.0.0.1:9/{name}/"]} for name in names]


def _with_daemon(config_path: Path, body: Any) -> None:
    """Run `body(daemon)` with the daemon's jobs scheduled (paused: no site is actually checked)."""

    async def scenario() -> None:
        daemon = Daemon(load_config(config_path))
        daemon.store.upgrade()
        daemon.scheduler.start(paused=True)
        daemon._schedule_all()
        try:
            body(daemon)
        finally:
            daemon.scheduler.shutdown(wait=False)
            daemon.store.close()

    asyncio.run(scenario())


def _site_jobs(daemon: Daemon) -> list[str]:
    return sorted(job.id for job in daemon.scheduler.get_jobs() if job.id.startswith("site:"))


HOLES = [
    pytest.param("", id="empty-file"),
    pytest.param("# every site commented out\n# sites:\n#   - name: a\n", id="comment-only"),
    pytest.param("sites: []\n", id="no-sites"),
    pytest.param(None, id="infinite-interval"),
    pytest.param(
        "sites:\n  - name: a\n    start_urls: [http://127.0.0.1:9/a/]\n    host_delay: .nan\n", id="nan"
    ),
    pytest.param(b"sites:\n  - name: \xff\n".decode("latin-1"), id="invalid-utf8"),
    pytest.param("sites: " + "[" * 3000 + "]" * 3000 + "\n", id="deep-nesting"),
    pytest.param(
        "sites:\n  - name: a\n    start_urls: [http://127.0.0.1:9/a/]\nsites:\n  - name: b\n"
        "    start_urls: [http://127.0.0.1:9/b/]\n",
        id="duplicate-sites-key",
    ),
]


@pytest.mark.parametrize("edit", HOLES)
def test_an_invalid_edit_keeps_every_site_scheduled(
    tmp_path: Path, events: list[Event], edit: str | None
) -> None:
    config_path = write_config(tmp_path, _sites("a", "b"))

    def scenario(daemon: Daemon) -> None:
        before = daemon.config
        if edit is None:
            raw = yaml.safe_load(config_path.read_text())
            raw["sites"][0]["interval"] = float("inf")
            config_path.write_text(yaml.safe_dump(raw))
        elif "\xff" in edit:
            config_path.write_bytes(edit.encode("latin-1"))
        else:
            config_path.write_text(edit)
        daemon.reload()
        assert daemon.config is before
        assert _site_jobs(daemon) == ["site:a", "site:b"]

    _with_daemon(config_path, scenario)
    invalid = [event for event in events if event["event"] == "config.invalid"]
    assert len(invalid) == 1 and invalid[0]["errors"]
    assert not [event for event in events if event["event"] == "config.reloaded"]


def test_a_failure_while_applying_keeps_the_old_config_whole(
    tmp_path: Path, events: list[Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path = write_config(tmp_path, _sites("a", "b"))

    def scenario(daemon: Daemon) -> None:
        before = daemon.config
        scheduled = daemon._schedule_site

        def fail_on_c(site: Any) -> None:
            if site.name == "c":
                raise RuntimeError("scheduler refused the job")
            scheduled(site)

        monkeypatch.setattr(daemon, "_schedule_site", fail_on_c)
        # b removed, a changed, c added: the failure comes after a and b were already replaced
        edited = _sites("a", "c")
        edited[0]["interval"] = "2m"
        write_config(tmp_path, edited)
        daemon.reload()
        assert daemon.config is before
        assert _site_jobs(daemon) == ["site:a", "site:b"]
        job_a = daemon.scheduler.get_job("site:a")
        assert job_a is not None and job_a.trigger.interval.total_seconds() == 300

    _with_daemon(config_path, scenario)
    invalid = [event for event in events if event["event"] == "config.invalid"]
    assert len(invalid) == 1
    assert "scheduler refused the job" in invalid[0]["errors"][0]


def test_reload_names_the_sites_added_removed_and_changed(tmp_path: Path, events: list[Event]) -> None:
    config_path = write_config(tmp_path, _sites("a", "b"))

    def scenario(daemon: Daemon) -> None:
        edited = _sites("a", "c")
        edited[0]["interval"] = "2m"
        write_config(tmp_path, edited)
        daemon.reload()
        assert _site_jobs(daemon) == ["site:a", "site:c"]
        daemon.reload()  # nothing changed since

    _with_daemon(config_path, scenario)
    reloaded = [event for event in events if event["event"] == "config.reloaded"]
    assert [(event["added"], event["removed"], event["changed"]) for event in reloaded] == [
        (["c"], ["b"], ["a"]),
        ([], [], []),
    ]


def test_a_rechecks_edit_reschedules_the_stories_already_planned(
    cli: Any, news_site: Any, config_path: Path, events: list[Event]
) -> None:
    import sqlite3

    from monitor.clock import iso_after

    assert cli("once").exit_code == 0  # five stories, each planned 15 min out by the default steps
    database = config_path.parent / "monitor.db"

    def planned() -> list[str]:
        with sqlite3.connect(database) as connection:
            return [row[0] for row in connection.execute("SELECT next_check_at FROM articles")]

    assert len(planned()) == 5 and all(moment > iso_after(10 * 60) for moment in planned())

    def scenario(daemon: Daemon) -> None:
        raw = yaml.safe_load(config_path.read_text())
        raw["sites"][0]["rechecks"] = [{"under": "30d", "every": "1m"}]
        config_path.write_text(yaml.safe_dump(raw))
        daemon.reload()

    _with_daemon(config_path, scenario)
    assert len(planned()) == 5 and all(moment <= iso_after(60) for moment in planned())
