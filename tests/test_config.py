"""config.yaml loading: defaults, durations, located errors, did-you-mean, the shipped config."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from monitor.config import load_config, parse_duration
from monitor.errors import ConfigError
from tests.conftest import REPO_ROOT


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("5m", 300), ("2h", 7200), ("1d", 86400), (90, 90)]
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["5x", "", "-3m", "0s", True, "m5"])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_defaults_apply_and_sites_override(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
database: sqlite:///data/monitor.db
defaults: {interval: 10m, user_agent: "test-agent/1"}
sites:
  - {name: a, start_urls: ["https://a.example/"]}
  - {name: b, feeds: ["https://b.example/feed/"], interval: 5m, user_agent: "b-agent"}
""",
    )
    config = load_config(path)
    first, second = config.sites
    assert (first.interval_s, first.user_agent) == (600, "test-agent/1")
    assert (second.interval_s, second.user_agent) == (300, "b-agent")
    assert first.allowed_domains == frozenset({"a.example"})
    # a relative SQLite path is relative to the config file's folder
    assert config.database_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'monitor.db'}"
    assert config.fetch.keep_fetch_log == 30 * 86400  # the default


@pytest.mark.parametrize(
    ("value", "expected"), [("auto", (os.cpu_count() or 1) - 1 or None), ("0", None), ("3", 3)]
)
def test_extract_workers(tmp_path: Path, value: str, expected: int | None) -> None:
    """By its effect: the worker processes a pass sets up for a batch of new pages (none with 0)."""
    import asyncio

    from monitor.pipeline.runtime import EXTRACT_WORKERS_FROM, Runtime
    from monitor.store import Store

    path = write(
        tmp_path, f'extract_workers: {value}\nsites: [{{name: a, start_urls: ["https://a.example/"]}}]\n'
    )
    config = load_config(path)
    store = Store(config.database_url)
    runtime = Runtime(config, store)
    try:
        runtime.start_extract_workers(EXTRACT_WORKERS_FROM)
        workers = runtime.extract_workers
        assert (workers.size if workers is not None else None) == expected
    finally:
        asyncio.run(runtime.aclose())
        store.close()


def test_bad_extract_workers_is_a_located_error(tmp_path: Path) -> None:
    path = write(tmp_path, 'extract_workers: -1\nsites: [{name: a, start_urls: ["https://a.example/"]}]\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "extract_workers" in str(raised.value)


def test_fetch_log_retention_is_configurable(tmp_path: Path) -> None:
    """By its effect: the daemon's maintenance job keeps the fetch log rows of the configured period only."""
    import asyncio

    from monitor.clock import iso_after
    from monitor.daemon import Daemon
    from monitor.models import FetchAttempt
    from monitor.store import WriteBatch

    path = write(
        tmp_path, 'fetch: {keep_fetch_log: 7d}\nsites: [{name: a, start_urls: ["https://a.example/"]}]\n'
    )
    daemon = Daemon(load_config(path))
    daemon.store.upgrade()
    ages_days = [1, 6, 8, 30]  # the default (30d) would keep the first three
    batch = WriteBatch()
    batch.record_fetches(
        "a",
        [
            FetchAttempt(
                url=f"https://a.example/{age}",
                started_at=iso_after(-age * 86400),
                status=200,
                error=None,
                elapsed_ms=1,
                bytes=1,
            )
            for age in ages_days
        ],
    )
    daemon.store.write_batch(batch)
    try:
        asyncio.run(daemon._maintenance())
        with daemon.store.engine.connect() as connection:
            kept = connection.exec_driver_sql("SELECT url FROM fetches ORDER BY url").scalars().all()
    finally:
        daemon.store.close()
    assert kept == ["https://a.example/1", "https://a.example/6"]


def test_every_error_is_reported_with_its_location(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
defaults:
  interval: 5x
  user_agnt: foo
sites:
  - name: a
    start_urls: [https://a.example/]
    intervall: 5m
  - name: b
  - name: a
    feeds: [ftp://x]
    include: ["(unclosed"]
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    errors = caught.value.errors
    assert "defaults.interval: expected a duration like 30s, 5m, 2h or 1d, got '5x', line 3" in errors
    assert "defaults.user_agnt: unknown key (did you mean 'user_agent'?), line 4" in errors
    assert "sites[0].intervall: unknown key (did you mean 'interval'?), line 8" in errors
    assert "sites[1]: a site needs at least one of start_urls, feeds, sitemaps, line 9" in errors
    assert "sites[2].feeds[0]: 'ftp://x' is not an http(s) URL, line 11" in errors
    assert any(
        error.startswith("sites[2].include: '(unclosed' is not a valid regular expression")
        and error.endswith(", line 12")
        for error in errors
    )
    assert "sites[2].name: 'a' is already used by sites[0], line 10" in errors
    assert len(errors) == 7


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "sites:\n  - name: a\n    start_urls: [https://a.example/\n")
    with pytest.raises(ConfigError, match=r"line \d+, column \d+"):
        load_config(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path / "nope.yaml")


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "sites: [{name: a, start_urls: ['https://a.example/']}]\n")
    monkeypatch.setenv("MONITOR_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert load_config(path).database_url == "postgresql+psycopg://u@h/db"


def test_rechecks_must_be_ordered(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
defaults:
  rechecks: [{under: 1d, every: 1h}, {under: 3h, every: 15m}]
sites: [{name: a, start_urls: ['https://a.example/']}]
""",
    )
    with pytest.raises(ConfigError, match="defaults.rechecks: steps must be ordered"):
        load_config(path)


def test_shipped_config_validates() -> None:
    config = load_config(REPO_ROOT / "config.yaml")
    shipped = yaml.safe_load((REPO_ROOT / "config.yaml").read_text(encoding="utf-8"))["sites"]
    assert [site.name for site in config.sites] == [entry["name"] for entry in shipped] != []
    assert all(site.interval_s >= 600 for site in config.sites)
    assert "monitor" in config.defaults.user_agent


def test_readme_config_example_validates(tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```yaml\n# config.yaml reference") + len("```yaml\n")
    example = readme[start : readme.index("```", start)]
    config = load_config(write(tmp_path, example))
    assert config.sites
