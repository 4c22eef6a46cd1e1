"""`monitor once` on a database that daemons share (issue 18): it refuses rather than fetch their hosts."""

from __future__ import annotations

from pathlib import Path

from monitor.store import Store
from monitor.store.leases import LeaseStore, live_members
from testbed.configs import run_monitor, site_entry, write_config
from testbed.newsite import SiteServer


def test_once_refuses_while_a_daemon_lives_on_the_database_and_runs_once_it_is_gone(
    tmp_path: Path, news_server: SiteServer, database_url: str
) -> None:
    config = write_config(tmp_path, [site_entry(news_server.base_url)], database=database_url)
    store = Store(database_url)
    store.upgrade()
    postgres = store.engine.dialect.name == "postgresql"
    if postgres:  # a daemon's membership, as `monitor run` takes it (SQLite has one daemon and its lock)
        member, _ = LeaseStore(store.engine).join("other-machine:4242", lease_s=60.0)
        assert live_members(store.engine) == ["other-machine:4242"]
        refused = run_monitor("--config", str(config), "once", cwd=tmp_path)
        assert refused.returncode == 1
        assert "1 monitor daemon(s) are running on this database (other-machine:4242)" in refused.stderr
        assert _count(store, "fetches") == 0  # nothing was fetched
        LeaseStore(store.engine).leave(member)
    assert live_members(store.engine) == []
    done = run_monitor("--config", str(config), "--log-format", "json", "once", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert '"event": "pass.done"' in done.stderr
    assert _count(store, "articles") > 0 and _count(store, "fetches") > 0
    store.close()


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
