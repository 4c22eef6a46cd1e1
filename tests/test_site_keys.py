"""Every per-site key takes effect: shown by what the fixture servers see and what the database holds."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from monitor.cli import cli as monitor_cli
from testbed.newsite import SiteServer, sample_site
from tests.conftest import site_entry, write_config


def _once(config_path: Path) -> Result:
    return CliRunner().invoke(
        monitor_cli, ["--config", str(config_path), "--log-format", "json", "once"], catch_exceptions=False
    )


def _stories(config_path: Path) -> dict[str, int]:
    with sqlite3.connect(config_path.parent / "monitor.db") as connection:
        return dict(connection.execute("SELECT site, COUNT(*) FROM articles GROUP BY site").fetchall())


def _errors(config_path: Path, site: str) -> set[str]:
    with sqlite3.connect(config_path.parent / "monitor.db") as connection:
        rows = connection.execute("SELECT DISTINCT error FROM fetches WHERE site = ?", (site,)).fetchall()
    return {error for (error,) in rows if error}


def _two_sites(tmp_path: Path, **overrides: Any) -> tuple[Path, SiteServer, SiteServer]:
    first, second = SiteServer(sample_site(3)), SiteServer(sample_site(3))
    first.__enter__()
    second.__enter__()
    sites = [site_entry(first.base_url, name="own", **overrides), site_entry(second.base_url, name="plain")]
    return write_config(tmp_path, sites), first, second


def _close(*servers: SiteServer) -> None:
    for server in servers:
        server.__exit__(None, None, None)


def test_respect_robots_false_on_one_site_skips_its_robots_txt(tmp_path: Path) -> None:
    config_path, own, plain = _two_sites(tmp_path, respect_robots=False)
    try:
        assert _once(config_path).exit_code == 0
        assert "/robots.txt" not in own.site.requests
        assert "/robots.txt" in plain.site.requests
    finally:
        _close(own, plain)
    assert _stories(config_path) == {"own": 3, "plain": 3}


def test_max_bytes_on_one_site_caps_only_that_site(tmp_path: Path) -> None:
    config_path, own, plain = _two_sites(tmp_path, max_bytes=2000)
    try:
        assert _once(config_path).exit_code == 0
    finally:
        _close(own, plain)
    assert _stories(config_path) == {"plain": 3}
    assert "too_large" in _errors(config_path, "own")


def test_timeout_on_one_site_bounds_only_that_site(tmp_path: Path) -> None:
    config_path, own, plain = _two_sites(tmp_path, timeout="1s")
    own.site.delay_s = plain.site.delay_s = 1.5
    try:
        assert _once(config_path).exit_code == 0
    finally:
        _close(own, plain)
    assert _stories(config_path) == {"plain": 3}
    assert "timeout" in _errors(config_path, "own")


def test_include_only_keeps_just_the_matching_links(tmp_path: Path) -> None:
    config_path, own, plain = _two_sites(tmp_path, include=["story-number-1-"], include_only=True)
    try:
        assert _once(config_path).exit_code == 0
    finally:
        _close(own, plain)
    with sqlite3.connect(config_path.parent / "monitor.db") as connection:
        urls = [url for (url,) in connection.execute("SELECT url FROM articles WHERE site = 'own'")]
    assert len(urls) == 1 and "story-number-1-" in urls[0]
    assert _stories(config_path)["plain"] == 3
