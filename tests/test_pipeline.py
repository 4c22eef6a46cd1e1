"""End to end through the real CLI: a fixture news site on 127.0.0.1, a real SQLite file, the log events."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from monitor.newsite import WordPressTheme
from monitor.report import format_text
from testbed.newsite import NewsSite, SiteServer, Story, sample_site
from tests.conftest import CliCall, site_entry, write_config


def events(output: str, name: str | None = None) -> list[dict[str, Any]]:
    parsed = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [event for event in parsed if "event" in event and (name is None or event["event"] == name)]


def db(config_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(config_path.parent / "monitor.db")


def test_first_pass_stores_and_logs_every_story(cli: CliCall, news_site: NewsSite, config_path: Path) -> None:
    result = cli("once")
    assert result.exit_code == 0, result.output
    new_events = events(result.output, "story.new")
    assert len(new_events) == len(news_site.stories) == 5
    assert {event["title"] for event in new_events} == {story.title for story in news_site.stories.values()}
    assert all(event["version"] == 1 and event["site"] == "fixture-news" for event in new_events)
    with db(config_path) as connection:
        rows = connection.execute("SELECT title, byline, published_at, body FROM latest_versions").fetchall()
        assert len(rows) == 5
        kinds = connection.execute("SELECT kind, COUNT(*) FROM changes GROUP BY kind").fetchall()
    assert kinds == [("new", 5)]
    story = news_site.stories["story-number-3-about-something"]
    stored = {row[0]: row for row in rows}[story.title]
    assert stored[1] == "Jane Reporter"
    assert stored[2].startswith("2025-10-04")
    assert stored[3] == "\n\n".join(story.paragraphs)  # the story, every paragraph and nothing else


def test_body_edit_gives_one_changed_event_with_diff(
    cli: CliCall, news_site: NewsSite, config_path: Path
) -> None:
    assert cli("once").exit_code == 0
    story = news_site.stories["story-number-1-about-something"]
    story.paragraphs[2] = "Critics said the timetable was far too short for what was promised."
    story.paragraphs.append("Update: the ministry confirmed the budget on Tuesday.")
    result = cli("once", "--all")
    assert result.exit_code == 0, result.output
    changed = events(result.output, "story.changed")
    assert len(changed) == 1
    assert changed[0]["url"].endswith(story.path)
    assert changed[0]["fields"] == ["body"]
    assert changed[0]["version"] == 2
    assert changed[0]["summary"] == "body +1 -0 ~1 paragraphs"
    assert events(result.output, "story.new") == []
    with db(config_path) as connection:
        diff = connection.execute("SELECT diff FROM changes WHERE kind = 'changed'").fetchone()[0]
    assert "{+far+}" in diff and "+ Update: the ministry" in diff
    history = cli("history", f"{news_site_base(cli, config_path)}{story.path}", log_format="text")
    assert "v2" in history.output


def news_site_base(cli: CliCall, config_path: Path) -> str:
    import yaml

    config = yaml.safe_load(config_path.read_text())
    return str(config["sites"][0]["start_urls"][0]).rstrip("/")


def test_change_outside_the_story_gives_nothing(cli: CliCall, news_site: NewsSite, config_path: Path) -> None:
    assert cli("once").exit_code == 0
    news_site.sidebar_headlines = ["Completely different sidebar", "Another teaser", "A third one"]
    news_site.add(
        Story(
            slug="a-brand-new-story-today",
            title="A brand new story today",
            byline="Sam Writer",
            published="2025-10-20T10:00:00+00:00",
            paragraphs=["First paragraph of the new story.", "Second paragraph of the new story."],
        )
    )
    result = cli("once", "--all")  # every page now has another sidebar, view counter, nonce, READ ALSO
    assert result.exit_code == 0, result.output
    assert events(result.output, "story.changed") == []
    assert [event["title"] for event in events(result.output, "story.new")] == ["A brand new story today"]
    with db(config_path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 6


def test_restart_stores_no_duplicate_versions(cli: CliCall, news_site: NewsSite, config_path: Path) -> None:
    for _ in range(3):
        assert cli("once", "--all").exit_code == 0
    with db(config_path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 5
        assert connection.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 5
        assert connection.execute("SELECT MAX(version) FROM versions").fetchone()[0] == 1


def test_removed_story_is_confirmed_then_reported(
    cli: CliCall, news_site: NewsSite, config_path: Path
) -> None:
    assert cli("once").exit_code == 0
    story = news_site.stories["story-number-2-about-something"]
    story.gone = True
    first = cli("once", "--all")
    assert events(first.output, "story.removed") == []  # one 404 may be a hiccup
    second = cli("once", "--all")
    removed = events(second.output, "story.removed")
    assert [event["url"].endswith(story.path) for event in removed] == [True]
    story.gone = False
    third = cli("once", "--all")
    assert len(events(third.output, "story.restored")) == 1
    with db(config_path) as connection:
        kinds = [row[0] for row in connection.execute("SELECT kind FROM changes ORDER BY id")]
    assert kinds[-2:] == ["removed", "restored"]


def test_dead_host_is_logged_and_recorded_while_other_sites_go_on(
    tmp_path: Path, news_server: SiteServer
) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli as monitor_cli

    dead = site_entry("http://127.0.0.1:9", name="dead-site")  # port 9 (discard): connection refused
    path = write_config(tmp_path, [dead, site_entry(news_server.base_url)])
    result = CliRunner().invoke(
        monitor_cli, ["--config", str(path), "--log-format", "json", "once"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    failed = events(result.output, "fetch.failed")
    assert failed and all(event["site"] == "dead-site" for event in failed)
    assert len(events(result.output, "story.new")) == 5
    with sqlite3.connect(tmp_path / "monitor.db") as connection:
        health = dict(connection.execute("SELECT site, consecutive_failures FROM site_health").fetchall())
        fetches = connection.execute("SELECT url, error FROM fetches WHERE site = 'dead-site'").fetchall()
    # the one request made, robots.txt, was refused; both sources then failed on it, without a request
    assert fetches == [("http://127.0.0.1:9/robots.txt", "connect")]
    assert {event["url"] for event in failed} == {"http://127.0.0.1:9/", "http://127.0.0.1:9/feed/"}
    assert health == {"dead-site": 1, "fixture-news": 0}
    assert [event["site"] for event in events(result.output, "site.failing")] == ["dead-site"]
    again = CliRunner().invoke(monitor_cli, ["--config", str(path), "--log-format", "json", "once"])
    assert events(again.output, "site.failing") == []  # logged once per state change, not once per pass


def test_text_log_lines_follow_the_spec(cli: CliCall, news_site: NewsSite) -> None:
    result = cli("once", log_format="text")
    # each line starts with its UTC timestamp, then the SPEC's layout
    stamped = [line.split(" ", 1) for line in result.output.splitlines() if line.strip()]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp) for stamp, _rest in stamped)
    new_lines = [rest for _stamp, rest in stamped if rest.startswith("NEW ")]
    changed_line = format_text(
        "story.changed",
        {"site": "s", "title": "T", "url": "https://x/", "version": 3, "summary": "title, body"},
    )
    assert changed_line == 'CHANGED s  "T"  https://x/  v3: title, body'
    assert len(new_lines) == 5
    assert all(line.startswith('NEW     fixture-news  "Story number ') for line in new_lines)


def test_sitemap_only_site(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli as monitor_cli

    with SiteServer(sample_site(3)) as server:
        entry = {
            "name": "sitemap-news",
            "sitemaps": [f"{server.base_url}/news-sitemap.xml"],
            "sitemap_max_age": "3650d",
        }
        path = write_config(tmp_path, [entry])
        result = CliRunner().invoke(
            monitor_cli, ["--config", str(path), "--log-format", "json", "once"], catch_exceptions=False
        )
    assert len(events(result.output, "story.new")) == 3


def test_same_pipeline_on_every_database(database_url: str, tmp_path: Path, news_server: SiteServer) -> None:
    """The whole pass on SQLite and, with MONITOR_TEST_POSTGRES_URL, on PostgreSQL: same rows, same events."""
    import sqlalchemy as sa
    from click.testing import CliRunner

    from monitor.cli import cli as monitor_cli

    path = write_config(tmp_path, [site_entry(news_server.base_url)], database=database_url)

    def once(*args: str) -> list[dict[str, Any]]:
        result = CliRunner().invoke(
            monitor_cli,
            ["--config", str(path), "--log-format", "json", "once", *args],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        return events(result.output)

    assert len([event for event in once() if event["event"] == "story.new"]) == 5
    news_server.site.stories["story-number-4-about-something"].title = "Story four, retitled"
    changed = [event for event in once("--all") if event["event"] == "story.changed"]
    assert [(event["fields"], event["version"]) for event in changed] == [(["title"], 2)]
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        titles = (
            connection.execute(sa.text("SELECT title FROM latest_versions ORDER BY title")).scalars().all()
        )
        kinds = connection.execute(sa.text("SELECT kind FROM recent_changes")).scalars().all()
    engine.dispose()
    assert "Story four, retitled" in titles and len(titles) == 5
    assert sorted(kinds) == ["changed", "new", "new", "new", "new", "new"]


def test_autodiscovered_feed_is_read_even_when_the_front_page_is_unchanged(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli as monitor_cli

    site = sample_site(3)
    site.view_counter_step = 0  # byte-identical pages between passes
    with SiteServer(site) as server:
        path = write_config(tmp_path, [{"name": "fx", "start_urls": [f"{server.base_url}/"]}])
        invoke = [*("--config", str(path), "--log-format", "json", "once")]
        assert len(events(CliRunner().invoke(monitor_cli, invoke).output, "story.new")) == 3
        site.requests.clear()
        CliRunner().invoke(monitor_cli, invoke)
        assert "/feed/" in site.requests


def test_sitemaps_named_in_robots_txt(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli as monitor_cli

    with SiteServer(sample_site(3)) as server:
        entry = {
            "name": "robots-news",
            "start_urls": [f"{server.base_url}/category/none/"],
            "sitemaps_from_robots": True,
            "sitemap_max_age": "3650d",
        }
        path = write_config(tmp_path, [entry])
        result = CliRunner().invoke(
            monitor_cli, ["--config", str(path), "--log-format", "json", "once"], catch_exceptions=False
        )
        assert "/news-sitemap.xml" in server.site.requests
    assert len(events(result.output, "story.new")) == 3


def test_a_discovered_link_to_a_private_address_is_refused(tmp_path: Path, news_server: SiteServer) -> None:
    """A story link to a loopback host other than the site's own (localhost vs 127.0.0.1) is never fetched."""
    from click.testing import CliRunner

    from monitor.cli import cli as monitor_cli

    port = news_server.base_url.rsplit(":", 1)[1]
    entry = {
        "name": "fx",
        "start_urls": [f"{news_server.base_url}/"],
        "allowed_domains": ["127.0.0.1", "localhost"],
        "include": ["internal"],
    }
    path = write_config(tmp_path, [entry])
    link = f'<a href="http://localhost:{port}/2025/10/21/internal-admin-story/">An internal story link</a>'

    class WithInternalLink(WordPressTheme):
        def listing(self, *args: Any) -> str:
            return super().listing(*args).replace("</body>", link + "</body>")

    news_server.site.theme = WithInternalLink()
    result = CliRunner().invoke(
        monitor_cli, ["--config", str(path), "--log-format", "json", "once"], catch_exceptions=False
    )
    assert len(events(result.output, "story.new")) == 5
    assert not any("internal-admin" in request for request in news_server.site.requests)


def test_recheck_all_reaches_every_story_whatever_the_batch_size(
    cli: CliCall, news_site: NewsSite, monkeypatch: Any
) -> None:
    """Rechecked stories get new next-check times; paging through "all" must not let them push others out."""
    import monitor.pipeline.recheck

    monkeypatch.setattr(monitor.pipeline.recheck, "RECHECK_BATCH", 2)
    assert cli("once").exit_code == 0
    for _ in range(2):
        done = events(cli("once", "--all").output, "pass.done")[0]
        assert (done["unchanged"], done["changed"], done["failed"]) == (len(news_site.stories), 0, 0)


def test_a_due_pass_checks_each_story_once_even_one_its_check_leaves_due(
    cli: CliCall, news_site: NewsSite, config_path: Path, monkeypatch: Any
) -> None:
    """Pages of two due stories: every story is rechecked once, and one whose mark leaves it due (a trigger
    puts its next check back) is not fetched again in the same pass, which still ends."""
    import monitor.pipeline.recheck

    monkeypatch.setattr(monitor.pipeline.recheck, "RECHECK_BATCH", 2)
    assert cli("once").exit_code == 0
    with db(config_path) as connection:
        connection.execute("UPDATE articles SET next_check_at = '2000-01-01T00:00:00Z'")
        stuck_id, stuck_url = connection.execute("SELECT id, url FROM articles ORDER BY id").fetchone()
        connection.execute(
            f"CREATE TRIGGER stays_due AFTER UPDATE OF next_check_at ON articles WHEN new.id = {stuck_id} "
            "BEGIN UPDATE articles SET next_check_at = '2000-01-01T00:00:00Z' "
            f"WHERE id = {stuck_id}; END"
        )
    requests_before = list(news_site.requests)
    done = events(cli("once").output, "pass.done")[0]
    assert (done["unchanged"], done["failed"]) == (len(news_site.stories), 0)
    story_paths = [story.path for story in news_site.stories.values()]
    fetched = [path for path in news_site.requests[len(requests_before) :] if path in story_paths]
    assert sorted(fetched) == sorted(story_paths)  # each story once, the stuck one too
    with db(config_path) as connection:
        still_due = connection.execute(
            "SELECT url FROM articles WHERE next_check_at <= '2000-01-01T00:00:00Z'"
        ).fetchall()
    assert still_due == [(stuck_url,)]


def test_a_recheck_pass_leaves_its_marks_in_the_database(
    cli: CliCall, news_site: NewsSite, config_path: Path
) -> None:
    """A daemon's recheck job writes its "unchanged" marks when the pass ends, not at some later write."""
    from monitor.config import load_config
    from monitor.pipeline import Runtime, recheck_stories
    from monitor.store import Store

    assert cli("once").exit_code == 0
    with db(config_path) as connection:
        connection.execute("UPDATE articles SET next_check_at = '2000-01-01T00:00:00Z'")
    config = load_config(config_path)
    store = Store(config.database_url)

    async def one_recheck_pass() -> tuple[int, int]:
        runtime = Runtime(config, store)
        try:
            unchanged = (await recheck_stories(runtime, config.sites)).unchanged
            with db(config_path) as connection:  # another connection, while the runtime is still open
                still_due = connection.execute(
                    "SELECT COUNT(*) FROM articles WHERE next_check_at = '2000-01-01T00:00:00Z'"
                ).fetchone()[0]
            return unchanged, still_due
        finally:
            await runtime.aclose()

    try:
        assert asyncio.run(one_recheck_pass()) == (len(news_site.stories), 0)
    finally:
        store.close()


def test_a_link_that_failed_waits_before_its_next_try(news_server: SiteServer, tmp_path: Path) -> None:
    """A listed link that answers 404 is fetched once, not again on every pass of the same daemon."""
    from monitor.config import load_config
    from monitor.pipeline import PassReport, Runtime, check_site
    from monitor.store import Store

    dead = news_server.site.add(
        Story(
            slug="listed-but-missing",
            title="Listed but missing",
            byline="Sam Writer",
            published="2025-10-09T08:00:00+00:00",
            paragraphs=["Nobody will ever read this paragraph."],
            dead_link=True,
        )
    )
    config = load_config(write_config(tmp_path, [site_entry(news_server.base_url)]))
    store = Store(config.database_url)
    store.upgrade()
    store.ensure_sites([config.sites[0].name])

    async def two_passes() -> list[PassReport]:
        runtime = Runtime(config, store)
        try:
            return [await check_site(runtime, config.sites[0]) for _ in range(2)]
        finally:
            await runtime.aclose()

    try:
        first, second = asyncio.run(two_passes())
    finally:
        store.close()
    assert (first.new, first.failed) == (5, 1)
    assert (second.new, second.failed) == (0, 0)
    assert news_server.site.requests.count(dead.path) == 1


def test_extraction_in_worker_processes_stores_the_same_stories(
    cli: CliCall, news_server: SiteServer, tmp_path: Path, monkeypatch: Any
) -> None:
    import yaml

    import monitor.pipeline.runtime

    pools: list[int] = []

    class CountedPool(monitor.pipeline.runtime.PageWorkers):
        def __init__(self, workers: int, deadline_s: float) -> None:
            pools.append(workers)
            super().__init__(workers, deadline_s)

    monkeypatch.setattr(monitor.pipeline.runtime, "PageWorkers", CountedPool)
    monkeypatch.setattr(monitor.pipeline.runtime, "EXTRACT_WORKERS_FROM", 1)
    stored = []
    for workers in (0, 2):  # in the main process, then in two worker processes
        folder = tmp_path / str(workers)
        folder.mkdir()
        config = write_config(folder, [site_entry(news_server.base_url)])
        config.write_text(f"extract_workers: {workers}\n" + config.read_text(), encoding="utf-8")
        assert yaml.safe_load(config.read_text())["extract_workers"] == workers
        assert cli("once", config=config).exit_code == 0
        with db(config) as connection:
            stored.append(
                connection.execute(
                    "SELECT a.url, v.title, v.byline, v.published_at, v.body, v.content_hash"
                    " FROM versions v JOIN articles a ON a.id = v.article_id ORDER BY a.url"
                ).fetchall()
            )
    assert pools == [2]  # no pool with extract_workers: 0
    assert len(stored[0]) == 5
    assert stored[0] == stored[1]


def test_small_pages_skip_the_worker_started_for_a_large_one(tmp_path: Path) -> None:
    """A worker started to put a large page under the deadline does not take every small page after it (a
    round trip costs more than it buys); workers started for many new stories take them all."""
    from monitor.config import load_config
    from monitor.extraction import extract
    from monitor.pipeline import Runtime
    from monitor.pipeline.runtime import EXTRACT_WORKERS_FROM, parse_bounded
    from monitor.pipeline.workers import BOUNDED_FROM_CHARS
    from monitor.store import Store

    config = load_config(write_config(tmp_path, [site_entry("https://news.example")]))
    page = "<html><body><article><h1>Small</h1><p>" + "A small story of one paragraph. " * 20 + "</p>"
    page += "</article></body></html>"

    async def check() -> None:
        runtime = Runtime(config, Store(config.database_url))
        try:
            assert runtime.workers_for(len(page)) is None
            workers = runtime.workers_for(BOUNDED_FROM_CHARS)  # a large page: a worker, for its deadline
            assert workers is not None
            assert runtime.workers_for(len(page)) is None  # a small one stays in the main process
            here = await parse_bounded(runtime, len(page), extract, page, "https://news.example/a")
            assert here.title == "Small"
            runtime.start_extract_workers(EXTRACT_WORKERS_FROM)  # many new stories: every page goes
            assert runtime.workers_for(len(page)) is workers
            there = await parse_bounded(runtime, len(page), extract, page, "https://news.example/a")
            assert there == here
        finally:
            await runtime.aclose()
            runtime.store.close()

    asyncio.run(check())
