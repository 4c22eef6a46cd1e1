"""`monitor demo` itself: a temporary config and database, the real daemon against the demo site, hints."""

from __future__ import annotations

import asyncio
import logging
import shlex
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from monitor.config import Config, load_config
from monitor.demo.newsroom import Newsroom
from monitor.demo.site import TICK_S, DemoSite
from monitor.demo.stories import SITE_NAME
from monitor.errors import MonitorError

CHECK_EVERY_S = 3  # site interval, recheck interval and recheck job period of the demo daemon
DRAIN_TIMEOUT_S = 5.0
CONFIG_MARKER = "# monitor demo config"


def demo_config(base_url: str, database_url: str) -> dict[str, Any]:
    """A config that reads the demo site every few seconds and rechecks its stories as often."""
    every = f"{CHECK_EVERY_S}s"
    return {
        "database": database_url,
        "defaults": {
            "interval": every,
            "host_delay": "0s",
            "timeout": "10s",
            "rechecks": [{"under": "1d", "every": every}],
        },
        "fetch": {"max_retries": 0, "check_timeout": "60s", "recheck_every": every},
        "sites": [
            {
                "name": SITE_NAME,
                "start_urls": [f"{base_url}/"],
                "feeds": [f"{base_url}/feed/"],
                "include": [r"/\d{4}/\d{2}/\d{2}/"],
            }
        ],
    }


def write_demo_config(path: Path, base_url: str, database: Path) -> Config:
    text = yaml.safe_dump(demo_config(base_url, f"sqlite:///{database}"), sort_keys=False)
    path.write_text(f"{CONFIG_MARKER}: written by `monitor demo` for {base_url}\n{text}", encoding="utf-8")
    return load_config(path)


def run_demo(*, duration_s: float | None = None, keep_db: Path | None = None) -> None:
    """Serve the demo site, run the real daemon against it until `duration_s` or Ctrl-C, print a hint."""
    _quiet_libraries()
    database = keep_db.resolve() if keep_db else None
    if database is not None:
        _check_keep_db(database)
    with _workdir() as workdir, DemoSite(Newsroom()) as site:
        database = database or workdir / "demo.db"
        config_path = _config_path(database) if keep_db else workdir / "demo.yaml"
        config = write_demo_config(config_path, site.base_url, database)
        print(_banner(site.base_url, database, keep_db is not None, duration_s), flush=True)
        asyncio.run(_run_daemon(config, duration_s))
        edited = next((story for story in site.newsroom.stories if story.edits), None)
        example_url = f"{site.base_url}{edited.path}" if edited else f"{site.base_url}/"
        published, edits = len(site.newsroom.stories), site.newsroom.edit_count
    print(
        _closing_hint(database, config_path, keep_db is not None, example_url, published, edits), flush=True
    )


def _quiet_libraries() -> None:
    """Keep the demo's output to the monitor's events: the scheduler and migrations chatter at INFO."""
    level = max(logging.WARNING, logging.getLogger().level)
    for name in ("apscheduler", "alembic"):
        logging.getLogger(name).setLevel(level)


@contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="monitor-demo-") as directory:
        yield Path(directory)


def _config_path(database: Path) -> Path:
    """The kept config beside the kept database: demo.db -> demo.yaml (never overwrites another file)."""
    path = database.with_suffix(".yaml")
    if path == database:
        path = database.with_name(database.name + ".demo.yaml")
    if path.exists() and not path.read_text(encoding="utf-8", errors="replace").startswith(CONFIG_MARKER):
        raise MonitorError(f"{path} exists and was not written by `monitor demo`; choose another --keep-db")
    return path


def _check_keep_db(database: Path) -> None:
    """Refuse to write demo stories into a database that holds real sites."""
    if not database.exists():
        return
    from sqlalchemy.exc import DatabaseError

    from monitor.store import Store

    store = Store(f"sqlite:///{database}")
    try:
        others = [name for name in store.site_names() if name != SITE_NAME]
    except DatabaseError as error:
        raise MonitorError(f"{database} is not a monitor demo database: {error.orig}") from None
    finally:
        store.close()
    if others:
        raise MonitorError(
            f"{database} holds other sites ({others[0]}...); keep the demo in a database of its own"
        )


async def _run_daemon(config: Config, duration_s: float | None) -> None:
    from monitor import daemon as daemon_module

    daemon = daemon_module.Daemon(config, drain_timeout_s=DRAIN_TIMEOUT_S)
    timer = asyncio.get_running_loop().call_later(duration_s, daemon.stop) if duration_s else None
    try:
        await daemon.run()
    finally:
        if timer is not None:
            timer.cancel()


def _banner(base_url: str, database: Path, kept: bool, duration_s: float | None) -> str:
    until = f"for {duration_s:g} s" if duration_s else "until Ctrl-C"
    storage = f"database {database}" if kept else "a temporary database"
    return (
        f"Demo news site: {base_url}/ (open it in a browser). It publishes a story every {TICK_S:g} s and "
        f"edits one it has served.\nRunning the monitor daemon against it {until}, with {storage}: "
        "watch for NEW and CHANGED lines."
    )


def _closing_hint(
    database: Path, config_path: Path, kept: bool, example_url: str, published: int, edits: int
) -> str:
    query = "SELECT detected_at, kind, title, summary FROM recent_changes LIMIT 20"
    lines = [f"Demo over: the site published {published} stories and made {edits} edits."]
    if kept:
        db, config = shlex.quote(str(database)), shlex.quote(str(config_path))
        lines += [
            f"The database is kept at {database} (config: {config_path}). Explore it:",
            f'  sqlite3 {db} "{query}"',
            f"  monitor --config {config} changes --since 1h",
            f"  monitor --config {config} history {example_url}",
            f"  monitor --config {config} diff {example_url}",
        ]
    else:
        lines += [
            "The database was temporary and is gone. Keep one and explore it:",
            "  monitor demo --duration 30 --keep-db demo.db",
            f'  sqlite3 demo.db "{query}"',
            "  monitor --config demo.yaml changes --since 1h",
        ]
    return "\n".join(lines)
