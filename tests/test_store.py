"""The store on real SQLite and (with MONITOR_TEST_POSTGRES_URL) PostgreSQL: schema, idempotent writes."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.errors import DatabaseLockedError
from monitor.models import Article, ChangeKind, FetchAttempt
from monitor.store import DaemonLock, NewChange, NewVersion, Store, WriteBatch


def version_of(url: str, body: str, title: str = "Title") -> NewVersion:
    article = Article(title=title, byline="A. Writer", published="2025-10-15T08:00:00+00:00", text=body)
    return NewVersion(url=url, article=article, content_hash=f"h-{title}-{body}"[:64], text_hash="t" * 64)


@pytest.fixture
def store(database_url: str) -> Store:
    store = Store(database_url)
    store.upgrade()
    store.ensure_sites(["site-a"])
    yield store  # type: ignore[misc]
    store.close()


def test_schema_has_the_tables_and_views_of_the_spec(store: Store) -> None:
    names = set(sa.inspect(store.engine).get_table_names())
    assert {"sites", "articles", "versions", "changes", "fetches", "sources"} <= names
    assert {"latest_versions", "recent_changes", "site_health"} <= set(
        sa.inspect(store.engine).get_view_names()
    )


def test_upgrade_is_idempotent(store: Store) -> None:
    store.upgrade()
    store.upgrade()
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() is not None


def test_add_story_is_idempotent(store: Store) -> None:
    first = store.add_story(
        "site-a",
        version_of("https://a.example/1", "Body."),
        next_check_at="2030-01-01T00:00:00Z",
        etag=None,
        last_modified=None,
        body_sha256="x",
    )
    again = store.add_story(
        "site-a",
        version_of("https://a.example/1", "Body."),
        next_check_at="2030-01-01T00:00:00Z",
        etag=None,
        last_modified=None,
        body_sha256="x",
    )
    assert first is not None and again is None
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM versions").scalar() == 1
        assert connection.exec_driver_sql("SELECT kind FROM changes").scalars().all() == ["new"]


def test_add_version_numbers_and_skips_known_content(store: Store) -> None:
    store.add_story(
        "site-a",
        version_of("https://a.example/1", "One."),
        next_check_at="2030-01-01T00:00:00Z",
        etag=None,
        last_modified=None,
        body_sha256="x",
    )
    story = store.article_by_url("https://a.example/1")
    assert story is not None
    change = NewChange(
        kind=ChangeKind.CHANGED, fields=("body",), summary="body +0 -0 ~1 paragraphs", diff="..."
    )
    assert (
        store.add_version(
            story,
            version_of(story.url, "Two."),
            change,
            next_check_at="2030-01-01T00:00:00Z",
            etag=None,
            last_modified=None,
            body_sha256="y",
        )
        == 2
    )
    # the same content again (a restart replaying the check, or a second daemon) writes nothing
    assert (
        store.add_version(
            story,
            version_of(story.url, "Two."),
            change,
            next_check_at="2030-01-01T00:00:00Z",
            etag=None,
            last_modified=None,
            body_sha256="y",
        )
        is None
    )
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT version, title, body FROM latest_versions WHERE url = 'https://a.example/1'"
        ).all()
        assert [tuple(row) for row in rows] == [(2, "Title", "Two.")]
        kinds = connection.exec_driver_sql("SELECT kind, fields FROM recent_changes ORDER BY change_id").all()
        assert [tuple(row) for row in kinds] == [("new", None), ("changed", "body")]


def record_fetches(store: Store, site: str, attempts: list[FetchAttempt]) -> None:
    batch = WriteBatch()
    batch.record_fetches(site, attempts)
    store.write_batch(batch)


def test_fetches_and_site_health(store: Store) -> None:
    record_fetches(
        store,
        "site-a",
        [
            FetchAttempt(
                url="https://a.example/",
                started_at="2026-01-01T00:00:00Z",
                status=200,
                error=None,
                elapsed_ms=12,
                bytes=3000,
            ),
            FetchAttempt(
                url="https://a.example/x",
                started_at="2026-01-01T00:00:01Z",
                status=None,
                error="timeout",
                elapsed_ms=10000,
                bytes=0,
            ),
        ],
    )
    store.record_site_result("site-a", "https://a.example/: unreachable")
    with store.engine.connect() as connection:
        health = connection.exec_driver_sql(
            "SELECT consecutive_failures, fetch_failures, last_error FROM site_health WHERE site = 'site-a'"
        ).one()
    assert tuple(health) == (1, 1, "https://a.example/: unreachable")


def test_maintenance_prunes_the_fetch_log_by_age(store: Store) -> None:
    from monitor.clock import iso_after

    def attempt(started_at: str) -> FetchAttempt:
        return FetchAttempt(
            url="https://a.example/", started_at=started_at, status=200, error=None, elapsed_ms=1, bytes=1
        )

    recent = iso_after(-3600)
    record_fetches(store, "site-a", [attempt(iso_after(-3 * 86400)), attempt(recent)])
    store.maintenance(keep_fetch_log_s=86400)
    with store.engine.connect() as connection:
        kept = connection.exec_driver_sql("SELECT started_at FROM fetches").scalars().all()
    assert kept == [recent]


def test_a_write_batch_waits_until_it_is_written(store: Store) -> None:
    article_id = store.add_story(
        "site-a",
        version_of("https://a.example/1", "Body."),
        next_check_at="2000-01-01T00:00:00Z",
        etag=None,
        last_modified=None,
        body_sha256="x",
    )
    assert article_id is not None
    attempt = FetchAttempt(
        url="https://a.example/1",
        started_at="2026-01-01T00:00:00Z",
        status=304,
        error=None,
        elapsed_ms=1,
        bytes=0,
    )
    batch = WriteBatch()
    batch.record_fetches("site-a", [attempt])
    batch.mark_checked(article_id, next_check_at="2029-01-01T00:00:00Z", etag='"v0"')
    batch.mark_checked(article_id, next_check_at="2030-01-01T00:00:00Z", etag='"v1"')  # a later mark wins
    assert len(batch) == 2
    # no read and no other write flushes it: the story is still due and the fetch not logged
    store.record_site_result("site-a", None)
    assert [
        story.id for story in store.due_articles(["site-a"], due_before="2026-01-01T00:00:00Z", limit=9)
    ] == [article_id]
    store.write_batch(batch)
    assert len(batch) == 0
    assert store.due_articles(["site-a"], due_before="2026-01-01T00:00:00Z", limit=10) == []
    store.mark_checked(article_id, next_check_at="2032-01-01T00:00:00Z")
    store.write_batch(batch)  # an empty batch writes nothing: the later write stays
    with store.engine.connect() as connection:
        row = connection.exec_driver_sql(
            f"SELECT next_check_at, etag FROM articles WHERE id = {article_id}"
        ).one()
        fetch_count = connection.exec_driver_sql("SELECT COUNT(*) FROM fetches").scalar()
    assert tuple(row) == ("2032-01-01T00:00:00Z", '"v1"')
    assert fetch_count == 1


def test_concurrent_writers_wait_instead_of_failing(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: two writers on one SQLite file queue on the lock, none gets 'database is locked'."""
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    setup = Store(url)
    setup.upgrade()
    setup.close()
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        store = Store(url)
        try:
            store.ensure_sites([prefix])
            for index in range(40):
                store.add_story(
                    prefix,
                    version_of(f"https://{prefix}.example/{index}", f"Body {index}."),
                    next_check_at="2030-01-01T00:00:00Z",
                    etag=None,
                    last_modified=None,
                    body_sha256=None,
                )
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            store.close()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("one", "two", "three")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = Store(url)
    with check.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM articles").scalar() == 120
    check.close()


def test_sqlite_pragmas(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    store.close()


def test_second_daemon_lock_names_the_holder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from monitor.store import DaemonLock; import time; lock = DaemonLock({url!r}); lock.acquire(); "
            "print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseLockedError, match=f"pid {holder.pid}"):
            DaemonLock(url).acquire()
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    lock = DaemonLock(url)  # released by the kernel when the holder died, even by SIGKILL
    lock.acquire()
    lock.release()


def test_full_text_search_follows_the_current_version(store: Store) -> None:
    from monitor.store.queries import search_versions

    store.add_story(
        "site-a",
        version_of("https://a.example/1", "The harbour flooded overnight."),
        next_check_at="2030-01-01T00:00:00Z",
        etag=None,
        last_modified=None,
        body_sha256="x",
    )
    story = store.article_by_url("https://a.example/1")
    assert story is not None
    assert [hit.url for hit in search_versions(store.engine, "harbour")] == ["https://a.example/1"]
    store.add_version(
        story,
        version_of(story.url, "The bridge reopened."),
        NewChange(kind=ChangeKind.CHANGED),
        next_check_at="2030-01-01T00:00:00Z",
        etag=None,
        last_modified=None,
        body_sha256="y",
    )
    assert search_versions(store.engine, "harbour") == []
    assert [hit.version for hit in search_versions(store.engine, "harbour", all_versions=True)] == [1]
    assert [hit.version for hit in search_versions(store.engine, "bridge", site_names=["site-a"])] == [2]


def test_search_ranks_the_most_recent_matches_and_snippets_the_hits(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.store import queries

    texts = [
        "Harbour harbour harbour: the harbour flooded, the harbour closed.",  # the best match, and the oldest
        "The harbour reopened on Monday.",
        "Boats left the harbour harbour at dawn.",
        "A quiet day in town.",
        "The harbour fair drew a crowd.",
    ]
    for number, body in enumerate(texts):
        store.add_story(
            "site-a",
            version_of(f"https://a.example/{number}", body),
            next_check_at=None,
            etag=None,
            last_modified=None,
            body_sha256=str(number),
        )
    hits = queries.search_versions(store.engine, "harbour", limit=10)
    assert {hit.url for hit in hits} == {f"https://a.example/{n}" for n in (0, 1, 2, 4)}
    assert all("[" in hit.snippet and "]" in hit.snippet for hit in hits)
    if store.engine.dialect.name == "sqlite":  # bm25 among the candidates (PostgreSQL lists newest first)
        assert hits[0].url == "https://a.example/0"
        monkeypatch.setattr(queries, "RANK_EVERY_MATCH_UP_TO", 3)  # 4 match: more than that
        monkeypatch.setattr(queries, "SEARCH_CANDIDATES", 2)  # so only the two newest matches are ranked
        ranked = queries.search_versions(store.engine, "harbour", limit=10)
        assert [hit.url for hit in ranked] == ["https://a.example/2", "https://a.example/4"]
        assert [hit.url for hit in queries.search_versions(store.engine, "harbour", limit=1)] == [
            "https://a.example/2"
        ]


def test_full_disk_is_a_clear_error_and_a_later_retry_succeeds(tmp_path: Path) -> None:
    """SQLITE_FULL (simulated by max_page_count) is a StoreError, corrupts nothing, and a retry works."""
    from sqlalchemy import event

    from monitor.errors import StoreError

    url = f"sqlite:///{tmp_path / 'full.db'}"
    store = Store(url)
    store.upgrade()
    store.ensure_sites(["site-a"])
    limit = {"pages": 0}

    @event.listens_for(store.engine, "connect")
    def _cap(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        if limit["pages"]:
            cursor.execute(f"PRAGMA max_page_count={limit['pages']}")
        cursor.close()

    store.engine.dispose()  # new connections get the cap
    with store.engine.connect() as connection:
        limit["pages"] = int(connection.exec_driver_sql("PRAGMA page_count").scalar() or 0) + 2
    store.engine.dispose()
    big_body = "A paragraph of story text that takes room. " * 400
    with pytest.raises(StoreError, match="full"):
        for index in range(50):
            store.add_story(
                "site-a",
                version_of(f"https://a.example/{index}", big_body + str(index)),
                next_check_at="2030-01-01T00:00:00Z",
                etag=None,
                last_modified=None,
                body_sha256=None,
            )
    limit["pages"] = 0  # space freed: the same write now succeeds
    store.engine.dispose()
    assert (
        store.add_story(
            "site-a",
            version_of("https://a.example/retry", big_body),
            next_check_at="2030-01-01T00:00:00Z",
            etag=None,
            last_modified=None,
            body_sha256=None,
        )
        is not None
    )
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        stored = connection.exec_driver_sql("SELECT COUNT(*) FROM articles").scalar()
        versions_count = connection.exec_driver_sql("SELECT COUNT(*) FROM versions").scalar()
    assert stored == versions_count  # no story without its version: each write was all or nothing
    store.close()


def test_head_revision_constant_matches_alembic(store: Store) -> None:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from monitor.store.engine import HEAD_REVISION, current_revision, migrations_dir

    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations_dir()))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
    assert current_revision(store.engine) == HEAD_REVISION
