"""Install and packaging: a wheel carries the Alembic revisions and opens a database from anywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO_ROOT

_SOURCES = ("pyproject.toml", "setup.py", "README.md", "monitor", "migrations")


def _build_wheel(work_dir: Path) -> Path:
    """Build the wheel from a copy of the sources (pip builds in the tree it is given)."""
    source = work_dir / "src"
    source.mkdir()
    for name in _SOURCES:
        origin = REPO_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    wheels = work_dir / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            ".",
        ],
        cwd=source,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(wheels.glob("monitor-*.whl"))


def test_the_wheel_ships_the_revisions_and_upgrades_a_database(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    revisions = sorted(path.name for path in (REPO_ROOT / "migrations" / "versions").glob("*.py"))
    assert sorted(name.rsplit("/", 1)[1] for name in names if "/_migrations/versions/" in name) == revisions
    assert "monitor/_migrations/env.py" in names
    # The installed package alone: neither the repository nor its migrations/ folder on the path.
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    (run_dir / "config.yaml").write_text("sites: [{name: a, start_urls: ['http://127.0.0.1:9/']}]\n")
    environment = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    environment.pop("MONITOR_CONFIG", None)
    environment.pop("MONITOR_DATABASE_URL", None)
    where = subprocess.run(
        [sys.executable, "-c", "import monitor; print(monitor.__file__)"],
        cwd=run_dir,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(tmp_path / "site"))
    upgraded = subprocess.run(
        [sys.executable, "-m", "monitor", "db", "upgrade"],
        cwd=run_dir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert (run_dir / "monitor.db").is_file()
