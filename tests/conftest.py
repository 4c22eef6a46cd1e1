"""Shared fixtures: fixture news sites on 127.0.0.1, config files in tmp dirs, the CLI, and databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from testbed.configs import REPO_ROOT, run_monitor, site_entry, write_config
from testbed.newsite import NewsSite, SiteServer, sample_site

__all__ = ["REPO_ROOT", "run_monitor", "site_entry", "write_config"]

POSTGRES_URL = os.environ.get("MONITOR_TEST_POSTGRES_URL")


@pytest.fixture
def news_server() -> Iterator[SiteServer]:
    with SiteServer(sample_site()) as server:
        yield server


@pytest.fixture
def news_site(news_server: SiteServer) -> NewsSite:
    return news_server.site


@pytest.fixture
def config_path(tmp_path: Path, news_server: SiteServer) -> Path:
    return write_config(tmp_path, [site_entry(news_server.base_url)])


CliCall = Callable[..., Result]


@pytest.fixture
def cli(config_path: Path) -> CliCall:
    """Run a monitor command in-process against the fixture config; returns click's Result."""
    from monitor.cli import cli as monitor_cli

    def call(*args: str, config: Path | None = None, log_format: str = "json") -> Result:
        runner = CliRunner()
        return runner.invoke(
            monitor_cli,
            ["--config", str(config or config_path), "--log-format", log_format, *args],
            catch_exceptions=False,
        )

    return call


def database_urls() -> list[Any]:
    urls: list[Any] = [pytest.param("sqlite", id="sqlite")]
    if POSTGRES_URL:
        urls.append(pytest.param("postgres", id="postgres"))
    return urls


@pytest.fixture(params=database_urls())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: a SQLite file, or a new schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
        return
    assert POSTGRES_URL is not None
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.fixture
def anyio_backend() -> str:
    """The daemon runs on asyncio; trio is installed only as Selenium's dependency (the web tests), and
    anyio's plugin would otherwise run every anyio test on it too."""
    return "asyncio"
