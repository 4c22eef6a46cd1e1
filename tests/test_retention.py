"""`retention:` (issue 18): what the daemon's hourly maintenance prunes, by its effect on a real database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.clock import iso_after
from monitor.config import load_config
from monitor.daemon import Daemon
from monitor.errors import ConfigError
from monitor.models import Article, FetchAttempt
from monitor.store import NewVersion, WriteBatch
from monitor.store.schema import changes, deliveries, fetches, outbox, versions

SITE = 'sites: [{name: a, start_urls: ["https://a.example/"]}]\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _story(daemon: Daemon, number: int) -> int:
    article = Article(title=f"Story {number}", byline="A. Writer", text=f"Body of story {number}.")
    version = NewVersion(
        url=f"https://a.example/{number}/", article=article, content_hash=f"c{number}", text_hash=f"t{number}"
    )
    article_id = daemon.store.add_story(
        "a", version, next_check_at=None, etag=None, last_modified=None, body_sha256="x"
    )
    assert article_id is not None
    return article_id


def _fetch(age_days: float) -> FetchAttempt:
    return FetchAttempt(
        url=f"https://a.example/{age_days}",
        started_at=iso_after(-age_days * 86400),
        status=200,
        error=None,
        elapsed_ms=1,
        bytes=1,
    )


def _count(daemon: Daemon, table: sa.Table) -> int:
    with daemon.store.engine.connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def test_retention_prunes_old_fetch_rows_and_deliveries_and_never_versions(
    tmp_path: Path, database_url: str
) -> None:
    config = write(
        tmp_path,
        f"database: '{database_url}'\nretention: {{fetch_log: 7d, deliveries: 2d}}\n{SITE}",
    )
    daemon = Daemon(load_config(config))
    daemon.store.upgrade()
    daemon.store.ensure_sites(["a"])
    try:
        for number in range(3):
            _story(daemon, number)  # a version, a `new` change and an outbox row each
        batch = WriteBatch()
        batch.record_fetches("a", [_fetch(age) for age in (1, 6, 8, 40)])
        daemon.store.write_batch(batch)
        with daemon.store.engine.begin() as connection:
            outbox_ids = connection.execute(sa.select(outbox.c.id, outbox.c.article_id)).all()
            rows = []
            for (outbox_id, article_id), (status, age_days) in zip(
                outbox_ids, [("delivered", 1), ("delivered", 3), ("pending", 10)], strict=True
            ):
                at = iso_after(-age_days * 86400)
                rows.append(
                    {
                        "outbox_id": outbox_id,
                        "target": "hook",
                        "article_id": article_id,
                        "event": "story.new",
                        "event_id": f"e{outbox_id}",
                        "payload": "{}",
                        "status": status,
                        "created_at": at,
                        "delivered_at": at if status == "delivered" else None,
                    }
                )
            connection.execute(deliveries.insert(), rows)
        history_before = (_count(daemon, versions), _count(daemon, changes), _count(daemon, outbox))

        asyncio.run(daemon._maintenance())

        with daemon.store.engine.connect() as connection:
            kept_fetches = connection.scalars(sa.select(fetches.c.url).order_by(fetches.c.url)).all()
            kept_deliveries = connection.execute(
                sa.select(deliveries.c.status, deliveries.c.event_id).order_by(deliveries.c.id)
            ).all()
        history_after = (_count(daemon, versions), _count(daemon, changes), _count(daemon, outbox))
    finally:
        daemon.store.close()
    assert kept_fetches == ["https://a.example/1", "https://a.example/6"]
    # the delivered row older than 2 days went; the recent one and the undelivered old one stay
    assert [status for status, _ in kept_deliveries] == ["delivered", "pending"]
    assert history_before == history_after == (3, 3, 3)


def test_the_old_fetch_log_key_still_sets_the_retention(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, f"fetch: {{keep_fetch_log: 3d}}\n{SITE}"))
    assert config.retention.fetch_log == 3 * 86400
    assert config.retention.deliveries == 30 * 86400  # the default


def test_the_two_fetch_log_keys_must_agree(tmp_path: Path) -> None:
    path = write(tmp_path, f"fetch: {{keep_fetch_log: 3d}}\nretention: {{fetch_log: 5d}}\n{SITE}")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "retention.fetch_log" in str(raised.value)
    agreeing = write(tmp_path, f"fetch: {{keep_fetch_log: 5d}}\nretention: {{fetch_log: 5d}}\n{SITE}")
    assert load_config(agreeing).retention.fetch_log == 5 * 86400


@pytest.mark.parametrize(
    ("retention", "expected"),
    [
        ("{fetch_logs: 7d}", "did you mean 'fetch_log'"),
        ("{fetch_log: 7 days}", "retention.fetch_log"),
        ("{deliveries: 0s}", "retention.deliveries"),
        ("{versions: 30d}", "retention.versions"),  # versions are never pruned: no such key
    ],
)
def test_bad_retention_keys_are_located_errors(tmp_path: Path, retention: str, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, f"retention: {retention}\n{SITE}"))
    assert expected in str(raised.value)
