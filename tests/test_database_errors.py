"""A database that cannot be opened (missing driver, read-only folder, full disk): one line, exit 2."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitor.config import load_config
from tests.conftest import REPO_ROOT

_CONFIG = "sites: [{name: a, start_urls: ['http://127.0.0.1:9/']}]\n"


def _monitor(
    *args: str, cwd: Path, preexec: Callable[[], None] | None = None, pythonpath: str = ""
) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MONITOR_")}
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    environment["PYTHONPATH"] = os.pathsep.join(path for path in (pythonpath, str(REPO_ROOT)) if path)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=preexec,
    )


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_urls_mean_the_psycopg_driver(tmp_path: Path, scheme: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {scheme}://user@127.0.0.1:5432/news\n" + _CONFIG)
    assert load_config(config).database_url == "postgresql+psycopg://user@127.0.0.1:5432/news"


def test_a_missing_postgres_driver_says_what_to_install(tmp_path: Path) -> None:
    stub = tmp_path / "stub" / "psycopg"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'psycopg'\", name='psycopg')\n"
    )
    (tmp_path / "config.yaml").write_text("database: postgres://user@127.0.0.1:9/news\n" + _CONFIG)
    completed = _monitor("once", cwd=tmp_path, pythonpath=str(tmp_path / "stub"))
    assert completed.returncode == 2, completed.stderr
    assert "pip install 'monitor[postgres]'" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder the monitor process cannot write: mode 555, and immutable when root (root ignores modes)."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "config.yaml").write_text(_CONFIG)
    folder.chmod(0o555)
    immutable = os.geteuid() == 0
    if immutable:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode:
            folder.chmod(0o755)
            pytest.skip("running as root without chattr +i: no way to make a folder read-only")
    yield folder
    if immutable:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o755)


@pytest.mark.parametrize("command", ["run", "once"])
def test_a_read_only_database_folder_is_one_clear_line(read_only_folder: Path, command: str) -> None:
    completed = _monitor(command, cwd=read_only_folder)
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    message = completed.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert str(read_only_folder) in message and "read-only" in message


def _no_room_for_writes() -> None:
    # A process limited to 0-byte files gets EFBIG on its first write, the way a full disk gives ENOSPC.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def test_run_on_a_full_disk_names_the_lock_file(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(_CONFIG)
    completed = _monitor("run", cwd=tmp_path, preexec=_no_room_for_writes)
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    message = completed.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert f"cannot write the lock file {tmp_path / 'monitor.db.lock'}: File too large" in message
