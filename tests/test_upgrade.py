"""Schema upgrades: daemons starting together on one PostgreSQL take turns; a schema newer than the code is
refused with a clear message, never a traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, REPO_ROOT, run_monitor, write_config


@pytest.mark.skipif(POSTGRES_URL is None, reason="needs MONITOR_TEST_POSTGRES_URL (set by .ci/run)")
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_three_upgrades_started_together_on_one_postgresql_database_all_succeed(
    tmp_path: Path, database_url: str
) -> None:
    config = write_config(tmp_path, [{"name": "x", "start_urls": ["https://example.com/"]}], database_url)
    command = [sys.executable, "-m", "monitor", "--config", str(config), "db", "upgrade"]
    racers = [
        subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outcomes = []
    for racer in racers:
        with racer:
            _, stderr = racer.communicate(timeout=120)
        outcomes.append((racer.returncode, stderr))
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    from monitor.store.engine import HEAD_REVISION

    assert versions == [HEAD_REVISION]


def test_a_database_upgraded_by_a_newer_monitor_is_refused_in_one_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"name": "x", "start_urls": ["https://example.com/"]}])
    assert run_monitor("--config", str(config), "db", "upgrade").returncode == 0
    with sqlite3.connect(tmp_path / "monitor.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    for command in (("db", "upgrade"), ("once",)):
        result = run_monitor("--config", str(config), *command)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "at revision 9999" in result.stderr and "does not know" in result.stderr
