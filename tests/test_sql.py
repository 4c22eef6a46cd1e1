"""SQL a user (or datasette) runs: UTC dates with their offsets, full-text search, headline views."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from monitor.store import upgrade_database
from monitor.store.engine import migrations_dir
from testbed.newsite import NewsSite
from tests.conftest import CliCall

ZERO = "story-number-0-about-something"
ONE = "story-number-1-about-something"


def _database(config_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(config_path.parent / "monitor.db")


def test_published_and_modified_are_stored_in_utc_with_their_offset(
    cli: CliCall, news_site: NewsSite, config_path: Path
) -> None:
    news_site.stories[ZERO].published = "2025-10-15T11:00:00-05:00"
    news_site.stories[ZERO].modified = "2025-10-15T12:30:00+05:30"
    assert cli("once").exit_code == 0
    with _database(config_path) as connection:
        row = connection.execute(
            "SELECT v.published_at, v.published_offset, v.modified_at, v.modified_offset FROM versions v"
            " JOIN articles a ON a.id = v.article_id WHERE a.url LIKE ?",
            (f"%{ZERO}%",),
        ).fetchone()
        every_date = connection.execute(
            "SELECT published_at FROM versions UNION ALL SELECT modified_at FROM versions"
        ).fetchall()
    assert row == ("2025-10-15T16:00:00Z", "-05:00", "2025-10-15T07:00:00Z", "+05:30")
    assert all(value is None or value.endswith("Z") for (value,) in every_date)
    with _database(config_path) as connection:
        stamps = connection.execute(
            "SELECT started_at FROM fetches UNION ALL SELECT first_seen_at FROM articles"
            " UNION ALL SELECT fetched_at FROM versions UNION ALL SELECT detected_at FROM changes"
        ).fetchall()
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp) for (stamp,) in stamps)
    # The same instants in UTC are no change: a second pass stores nothing new
    result = cli("once", "--all")
    assert '"event": "story.changed"' not in result.output


def _alembic(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["database_url"] = url
    return config


def test_the_migration_converts_existing_dates_to_utc(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    command.upgrade(_alembic(url), "0002")
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO sites (name, created_at) VALUES ('s', '2026-01-01T00:00:00Z')")
        connection.execute(
            "INSERT INTO articles (id, site, url, first_seen_at, current_version)"
            " VALUES (1, 's', 'https://s.example/a/', '2026-01-01T00:00:00Z', 1)"
        )
        for number, published in ((1, "2025-10-15T11:00:00-05:00"), (2, "2025-10-15"), (3, None)):
            connection.execute(
                "INSERT INTO versions (article_id, version, fetched_at, url, title, published_at, body,"
                " content_hash, text_hash) VALUES (1, ?, '2026-01-01T00:00:00Z', 'https://s.example/a/',"
                " 'Bridge opens', ?, 'The bridge opened.', ?, ?)",
                (number, published, f"c{number}", f"t{number}"),
            )
        connection.execute(
            "INSERT INTO fetches (site, url, started_at, status, elapsed_ms, bytes)"
            " VALUES ('s', 'https://s.example/a/', '2026-01-01T00:00:05.250Z', 200, 3, 10)"
        )
    upgrade_database(url)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT started_at FROM fetches").fetchone() == ("2026-01-01T00:00:05Z",)
        rows = connection.execute(
            "SELECT published_at, published_offset FROM versions ORDER BY version"
        ).fetchall()
        found = connection.execute(
            "SELECT COUNT(*) FROM versions_fts WHERE versions_fts MATCH 'bridge'"
        ).fetchone()
    assert rows == [("2025-10-15T16:00:00Z", "-05:00"), ("2025-10-15", None), (None, None)]
    assert found == (3,)  # the rebuilt index still holds the older rows


# datasette's table search (`/db/versions?_search=...`): it finds the FTS table of `versions` by the
# `content="versions"` of its CREATE statement, then filters the table's rows by rowid.
DATASETTE_DETECT_FTS = """
select name from sqlite_master where rootpage = 0 and (
    sql like '%VIRTUAL TABLE%USING FTS%content="versions"%'
    or (tbl_name = 'versions' and sql like '%VIRTUAL TABLE%USING FTS%'))
"""


def test_datasette_finds_and_uses_the_full_text_index(
    cli: CliCall, news_site: NewsSite, config_path: Path
) -> None:
    news_site.stories[ONE].paragraphs.append("The aquifer under the valley is drying up.")
    assert cli("once").exit_code == 0
    with _database(config_path) as connection:
        (fts_table,) = connection.execute(DATASETTE_DETECT_FTS).fetchone()
        matching = connection.execute(
            f"select url from versions where rowid in"
            f" (select rowid from {fts_table} where {fts_table} match ?)",
            ("aquifer",),
        ).fetchall()
    assert fts_table == "versions_fts"
    assert len(matching) == 1 and ONE in matching[0][0]


def test_headline_changes_and_the_old_title_in_recent_changes(
    cli: CliCall, news_site: NewsSite, config_path: Path
) -> None:
    assert cli("once").exit_code == 0
    old_title = news_site.stories[ZERO].title
    news_site.stories[ZERO].title = "Officials drop the plan"
    news_site.stories[ONE].paragraphs.append("A body edit keeps the headline.")
    assert cli("once", "--all").exit_code == 0
    with _database(config_path) as connection:
        headlines = connection.execute(
            "SELECT version, old_title, new_title FROM headline_changes ORDER BY changed_at"
        ).fetchall()
        changed = connection.execute(
            "SELECT url, title, old_title FROM recent_changes WHERE kind = 'changed' ORDER BY url"
        ).fetchall()
    assert headlines == [(2, old_title, "Officials drop the plan")]
    by_story = {url.rstrip("/").rsplit("/", 1)[1]: (title, old) for url, title, old in changed}
    assert by_story[ZERO] == ("Officials drop the plan", old_title)
    assert by_story[ONE][0] == by_story[ONE][1]
