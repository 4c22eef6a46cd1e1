"""Several `monitor run` daemons on one PostgreSQL database, for the tests and the benchmark: the daemon
processes (JSON log collected), their configs over a HostFarm, a fresh database (direct or through
PgBouncer in transaction mode), and what the database says about members and leases."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from testbed.configs import REPO_ROOT, run_monitor
from testbed.hostfarm import FarmServer

Event = dict[str, Any]


class Daemon:
    """A `python -m monitor run` child with its own user agent; its JSON log lines are collected."""

    def __init__(self, config: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> None:
        self.config = config
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor",
                "--config",
                str(config),
                "--log-format",
                "json",
                "run",
                *args,
            ],
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.events: list[Event] = []
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._lines.put(line)

    def collect(self) -> list[Event]:
        while not self._lines.empty():
            line = self._lines.get()
            try:
                self.events.append(json.loads(line))
            except json.JSONDecodeError:
                self.events.append({"raw": line})
        return self.events

    def named(self, name: str) -> list[Event]:
        return [event for event in self.collect() if event.get("event") == name]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        time.sleep(0.2)
        self.collect()
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()


def start_pgbouncer(tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    """Debian's pgbouncer in transaction mode on its own port, in front of the test server."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    assert Path(binary).exists(), "pgbouncer is not installed (.ci/run installs it)"
    folder = tmp_path / "pgbouncer"
    folder.mkdir()
    (folder / "users.txt").write_text('"postgres" ""\n', encoding="utf-8")
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n* = host=127.0.0.1 port=5432\n[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\npool_mode = transaction\n"
        "max_client_conn = 200\ndefault_pool_size = 20\nignore_startup_parameters = extra_float_digits\n",
        encoding="utf-8",
    )
    os.chmod(tmp_path, 0o755)
    os.chmod(folder, 0o755)
    user = ["-u", "nobody"] if os.geteuid() == 0 else []  # pgbouncer refuses to run as root
    process = subprocess.Popen([binary, *user, str(folder / "pgbouncer.ini")], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    engine = sa.create_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", poolclass=sa.NullPool
    )
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect():
                    return process
            except sa.exc.OperationalError:
                time.sleep(0.2)
    finally:
        engine.dispose()
    process.kill()
    raise AssertionError("pgbouncer did not start")


def write_configs(
    tmp_path: Path,
    farm: FarmServer,
    database: str,
    count: int,
    host_delay_s: float,
    notify: list[dict[str, Any]] | None = None,
    interval: str = "6s",
    every: str = "5s",
    recheck_every: str = "2s",
    shared_feeds: bool = False,
) -> list[Path]:
    """One config per daemon, the same sites, each daemon with its own user agent. With shared_feeds
    every other site also reads a feed on the next site's host (`/feed/?for=<site>`): pairs of sites share
    a host."""
    addresses = farm.site.addresses()
    sites = [
        {
            "name": f"site-{address}",
            "start_urls": [f"{farm.url(address)}/"],
            "feeds": [f"{farm.url(address)}/feed/"],
        }
        for address in addresses
    ]
    if shared_feeds:
        for site, partner in zip(sites[::2], addresses[1::2], strict=False):
            site["feeds"].append(f"{farm.url(partner)}/feed/?for={site['name']}")
    paths = []
    for index in range(count):
        folder = tmp_path / f"daemon{index}"
        folder.mkdir(exist_ok=True)
        config = {
            "database": database,
            "defaults": {
                "interval": interval,
                "host_delay": f"{host_delay_s}s",
                "timeout": "10s",
                "user_agent": f"monitor-test/{index}",
                "rechecks": [{"under": "30d", "every": every}],
            },
            "fetch": {"max_retries": 0, "recheck_every": recheck_every, "concurrency": 16},
            "sites": sites,
            **({"notify": notify} if notify else {}),
        }
        path = folder / "config.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


class Cluster:
    """The daemons of one test, the database they share and the farm they watch."""

    def __init__(
        self,
        tmp_path: Path,
        farm: FarmServer,
        database: str,
        count: int,
        *,
        env: dict[str, str],
        host_delay_s: float,
        notify: list[dict[str, Any]] | None = None,
        **config: Any,
    ) -> None:
        self.farm = farm
        self.hosts = len(farm.site.sites)
        self.units = self.hosts // 2 if config.get("shared_feeds") else self.hosts  # lease rows
        self.env = env
        self.configs = write_configs(tmp_path, farm, database, count, host_delay_s, notify, **config)
        self.engine = sa.create_engine(database)
        self.daemons: list[Daemon | None] = [None] * count
        self.retired: list[Daemon] = []
        upgraded = run_monitor("--config", str(self.configs[0]), "db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr

    def start(self, index: int, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Daemon:
        daemon = Daemon(self.configs[index], env={**self.env, **(env or {})}, args=args)
        self.daemons[index] = daemon
        return daemon

    def all_daemons(self) -> list[Daemon]:
        return [*self.retired, *(daemon for daemon in self.daemons if daemon is not None)]

    def owners(self) -> dict[str, int | None]:
        """host -> its live owner (None: free, or its owner is not live)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT h.host, m.id FROM host_leases h "
                    "LEFT JOIN members m ON m.id = h.owner AND m.expires_at > now()"
                )
            ).all()
        return {row[0]: row[1] for row in rows}

    def leases(self) -> dict[str, tuple[int | None, int]]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT host, owner, epoch FROM host_leases")).all()
        return {row[0]: (row[1], row[2]) for row in rows}

    def live_members(self) -> list[int]:
        with self.engine.connect() as connection:
            return [
                row[0]
                for row in connection.execute(sa.text("SELECT id FROM members WHERE expires_at > now()"))
            ]

    def rows(self, query: str) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(sa.text(query)).all())

    def scalar(self, query: str) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(sa.text(query)).scalar()

    def wait_balanced(self, members: int, timeout: float = 60) -> dict[str, int | None]:
        """Wait until `members` members are live and own every host, each its share."""
        deadline = time.monotonic() + timeout
        owners: dict[str, int | None] = {}
        while time.monotonic() < deadline:
            owners = self.owners()
            live = self.live_members()
            counts = [sum(1 for owner in owners.values() if owner == member) for member in live]
            if (
                len(live) == members
                and len(owners) == self.units
                and all(owner is not None for owner in owners.values())
                and max(counts) - min(counts) <= 1
            ):
                return owners
            time.sleep(0.5)
        raise AssertionError(f"not balanced over {members} members within {timeout}s: {owners}")

    def wait_stories(self, count: int, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.scalar("SELECT count(*) FROM articles") >= count:
                return
            time.sleep(0.5)
        seen = [event for daemon in self.all_daemons() for event in daemon.collect()[-8:]]
        Path("/tmp/md_events.json").write_text(
            json.dumps([d.collect() for d in self.all_daemons()], indent=1)
        )
        raise AssertionError(f"fewer than {count} stories within {timeout}s; last events: {seen}")

    def duplicates(self) -> dict[str, int]:
        """Versions stored twice for one content, story.new/story.changed rows twice for one version, stories
        twice for one URL: all must be 0."""
        return {
            "versions": self.scalar(
                "SELECT count(*) FROM (SELECT 1 FROM versions GROUP BY article_id, content_hash "
                "HAVING count(*) > 1) d"
            ),
            "events": self.scalar(
                "SELECT count(*) FROM (SELECT 1 FROM changes WHERE kind IN ('new', 'changed') "
                "GROUP BY article_id, version, kind HAVING count(*) > 1) d"
            ),
            "stories": self.scalar(
                "SELECT count(*) FROM (SELECT 1 FROM articles GROUP BY url HAVING count(*) > 1) d"
            ),
        }

    def logged_story_events(self) -> dict[tuple[str, str, int], int]:
        """How many times the daemons logged each (story.new or story.changed, url, version)."""
        logged: dict[tuple[str, str, int], int] = {}
        for daemon in self.all_daemons():
            for event in daemon.collect():
                if event.get("event") in ("story.new", "story.changed"):
                    key = (event["event"], event["url"], int(event.get("version") or 1))
                    logged[key] = logged.get(key, 0) + 1
        return logged

    def close(self) -> None:
        for daemon in self.all_daemons():
            daemon.close()
        self.engine.dispose()


@contextmanager
def fresh_database(admin_url: str, tmp_path: Path, *, through_pgbouncer: bool = False) -> Iterator[str]:
    """A database of its own on the server at admin_url (dropped afterwards), reached directly or through a
    PgBouncer in transaction mode started for it."""
    name = f"md_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    bouncer = None
    url = sa.engine.make_url(admin_url).set(database=name)
    try:
        if through_pgbouncer:
            port = 6432 + int(uuid.uuid4().int % 1000)
            bouncer = start_pgbouncer(tmp_path, port)
            url = url.set(host="127.0.0.1", port=port)
        yield url.render_as_string(hide_password=False)
    finally:
        if bouncer is not None:
            bouncer.terminate()
            bouncer.wait(timeout=10)
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        admin.dispose()
