"""`monitor demo` as a newcomer runs it: the real process, its local news site and the real daemon."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.conftest import REPO_ROOT, run_monitor

# Run from a scratch folder, importing this checkout (not whichever copy the venv installed).
CHECKOUT = {"PYTHONPATH": str(REPO_ROOT)}


def test_demo_shows_new_and_changed_stories_and_stops_cleanly(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_monitor("demo", "--duration", "25", cwd=tmp_path, env=CHECKOUT, timeout=90)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert elapsed < 60, f"the demo took {elapsed:.0f} s"
    assert re.search(r"^\S+Z NEW\s+demo-news\s+\".+\"\s+http://127\.0\.0\.1:\d+/", output, re.M), output
    assert re.search(
        r"^\S+Z CHANGED\s+demo-news\s+\".+\"\s+http://127\.0\.0\.1:\d+/.*\sv2: ", output, re.M
    ), output
    assert "Demo over" in result.stdout and "--keep-db" in result.stdout, result.stdout
    assert "Traceback" not in output, output
    assert list(tmp_path.iterdir()) == [], "the demo left files behind without --keep-db"


def test_demo_keeps_its_database_for_the_closing_commands(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    result = run_monitor(
        "demo", "--duration", "8", "--keep-db", str(database), cwd=tmp_path, env=CHECKOUT, timeout=60
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert database.exists()
    assert f"sqlite3 {database}" in result.stdout, result.stdout

    changes = run_monitor(
        "--config", str(tmp_path / "demo.yaml"), "changes", "--since", "1h", cwd=tmp_path, env=CHECKOUT
    )
    assert changes.returncode == 0, changes.stdout + changes.stderr
    assert re.search(r"\bNEW\s+demo-news\b", changes.stdout), changes.stdout


def test_demo_site_edits_only_stories_a_client_has_read() -> None:
    from urllib.request import urlopen

    from monitor.demo import DemoSite, Newsroom

    with DemoSite(Newsroom(initial=2), tick_s=3600) as site:
        newsroom = site.newsroom
        assert newsroom.edit() is None  # nothing read yet: an edit would go unnoticed
        with urlopen(f"{site.base_url}/feed/") as response:
            assert newsroom.stories[0].path in response.read().decode()
        with urlopen(f"{site.base_url}{newsroom.stories[0].path}") as response:
            assert response.status == 200
        kinds = [newsroom.edit() and newsroom.stories[0].edits[-1] for _ in range(3)]
        assert kinds == ["paragraph", "update", "headline"]
        assert newsroom.stories[0].title == newsroom.stories[0].template.revised_title


def test_demo_refuses_a_database_of_other_sites_and_leaves_it_alone(tmp_path: Path) -> None:
    from monitor.store import Store

    database = tmp_path / "real.db"
    store = Store(f"sqlite:///{database}")
    store.upgrade()
    store.ensure_sites(["real-news"])
    store.close()
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_bytes(b"my notes, not SQLite\n" * 50)

    refused = run_monitor("demo", "--duration", "5", "--keep-db", str(database), cwd=tmp_path, env=CHECKOUT)
    unreadable = run_monitor(
        "demo", "--duration", "5", "--keep-db", str(not_a_database), cwd=tmp_path, env=CHECKOUT
    )

    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "holds other sites (real-news...)" in refused.stderr, refused.stderr
    store = Store(f"sqlite:///{database}")
    assert store.site_names() == ["real-news"]  # no demo site written into it
    store.close()
    assert unreadable.returncode == 1, unreadable.stdout + unreadable.stderr
    assert "is not a monitor demo database" in unreadable.stderr, unreadable.stderr
    assert not_a_database.read_bytes() == b"my notes, not SQLite\n" * 50
