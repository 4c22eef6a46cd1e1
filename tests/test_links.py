"""Through the real CLI on real loopback servers: the article gate in a pass (verdicts recorded, rejected
pages not refetched, config forcing), and durable discovered links (503 first sights retried on their own
schedule, a kill -9 mid-pass loses no story)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.store import links as link_store
from tests.conftest import REPO_ROOT, CliCall, write_config
from tests.sites.pages import Page, PagesServer, news_story, pages_site

DATA = Path(__file__).parent / "data" / "gate"


@pytest.fixture
def pages_server() -> Iterator[PagesServer]:
    site = pages_site()
    for number in range(3):
        site.add(news_story(number))
    for name in ("product", "forum-thread"):
        page_html = (DATA / f"{name}.html").read_text(encoding="utf-8")
        site.add(Page(f"/pages/{name}/", f"The {name} page", page_html))
    with PagesServer(site) as server:
        yield server


def pages_config(directory: Path, server: PagesServer, **extra: object) -> Path:
    entry = {"name": "pages", "start_urls": [f"{server.base_url}/"], "feeds": [f"{server.base_url}/feed/"]}
    entry.update(extra)
    return write_config(directory, [entry])


def rows(config_path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(config_path.parent / "monitor.db") as connection:
        return connection.execute(query).fetchall()


def test_non_stories_listed_in_a_feed_are_not_stored_and_not_refetched(
    cli: CliCall, tmp_path: Path, pages_server: PagesServer
) -> None:
    config = pages_config(tmp_path, pages_server)
    result = cli("once", config=config)
    assert result.exit_code == 0, result.output
    stored = {row[0] for row in rows(config, "SELECT url FROM articles")}
    assert stored == {pages_server.base_url + news_story(number).path for number in range(3)}
    query = "SELECT url, verdict || ':' || kind FROM discovered_links WHERE state = 'rejected'"
    verdicts = dict(rows(config, query))
    base = pages_server.base_url
    assert verdicts == {
        f"{base}/pages/product/": "not_story:product",
        f"{base}/pages/forum-thread/": "not_story:forum",
    }
    reasons = rows(config, f"SELECT reasons FROM discovered_links WHERE url = '{base}/pages/product/'")[0][0]
    assert any("Product" in reason for reason in json.loads(str(reasons)))
    assert cli("once", config=config).exit_code == 0
    assert pages_server.site.requests_of("/pages/product/") == 1  # the verdict is remembered
    assert rows(config, "SELECT COUNT(*) FROM articles") == [(3,)]


def test_config_forces_either_way(cli: CliCall, tmp_path: Path, pages_server: PagesServer) -> None:
    config = pages_config(tmp_path, pages_server, include=["/pages/product/"], not_stories=["/2026/11/02/"])
    assert cli("once", config=config).exit_code == 0
    urls = rows(config, "SELECT url FROM articles")
    stored = {str(row[0]).removeprefix(pages_server.base_url) for row in urls}
    assert "/pages/product/" in stored
    assert news_story(1).path not in stored and news_story(0).path in stored


def test_a_503_first_sight_is_retried_without_the_listing_changing(
    cli: CliCall, tmp_path: Path, pages_server: PagesServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = pages_server.site.pages[news_story(2).path]
    broken.status = 503
    config = pages_config(tmp_path, pages_server)
    assert cli("once", config=config).exit_code == 0
    assert rows(config, "SELECT state, attempts FROM discovered_links WHERE url LIKE '%plan-number-2/'") == [
        ("failed", 1)
    ]
    assert cli("once", config=config).exit_code == 0  # not due yet: no new fetch
    assert pages_server.site.requests_of(broken.path) == 1
    broken.status = 200
    monkeypatch.setattr(link_store, "FIRST_RETRY_S", 0.0)
    rows_before = rows(config, "SELECT body_sha256 FROM sources ORDER BY url")
    rows(config, "UPDATE discovered_links SET next_try_at = '2000-01-01T00:00:00Z' WHERE state = 'failed'")
    result = cli("once", config=config)
    assert result.exit_code == 0, result.output
    assert rows(config, "SELECT body_sha256 FROM sources ORDER BY url") == rows_before  # same listing bytes
    assert rows(config, "SELECT COUNT(*) FROM articles") == [(3,)]
    state = rows(config, "SELECT state FROM discovered_links WHERE url LIKE '%plan-number-2/'")
    assert state == [("stored",)]


def test_kill_minus_nine_mid_pass_then_clean_passes_store_every_story(tmp_path: Path) -> None:
    site = pages_site(page_delay_s=0.4)
    for number in range(12):
        site.add(news_story(number))
    with PagesServer(site) as server:
        config = write_config(tmp_path, [{"name": "pages", "start_urls": [f"{server.base_url}/"]}])
        with subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "--log-format", "json", "once"],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=os.environ.copy(),
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:  # kill as soon as the first story is stored
                if '"story.new"' in line:
                    os.kill(process.pid, signal.SIGKILL)
                    break
            process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL
        stored_before = rows(config, "SELECT COUNT(*) FROM articles")[0][0]
        assert isinstance(stored_before, int) and 1 <= stored_before < 12
        site.page_delay_s = 0.0
        for _ in range(2):
            done = subprocess.run(
                [sys.executable, "-m", "monitor", "--config", str(config), "once"],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
        assert rows(config, "SELECT COUNT(*) FROM articles") == [(12,)]
        assert rows(config, "SELECT COUNT(*) FROM changes WHERE kind = 'new'") == [(12,)]


def test_check_prints_the_recorded_verdict(cli: CliCall, tmp_path: Path, pages_server: PagesServer) -> None:
    config = pages_config(tmp_path, pages_server)
    assert cli("once", config=config).exit_code == 0
    result = cli("check", f"{pages_server.base_url}/pages/forum-thread/", config=config, log_format="text")
    assert result.exit_code == 0, result.output
    assert "verdict:" in result.output and "not_story (forum" in result.output
    assert "recorded:" in result.output and "rejected" in result.output


def test_pending_links_wait_in_the_table_with_their_shape(tmp_path: Path) -> None:
    site = pages_site()
    site.add(news_story(5))
    with PagesServer(site) as server:
        site.pages[news_story(5).path].status = 500
        config = write_config(tmp_path, [{"name": "pages", "start_urls": [f"{server.base_url}/"]}])
        done = subprocess.run(
            [sys.executable, "-m", "monitor", "--config", str(config), "once"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    assert rows(config, "SELECT url_shape, state, last_error FROM discovered_links") == [
        ("/news/{yyyy}/{mm}/{dd}/{slug}/", "failed", "http_5xx")
    ]


def test_a_story_that_turns_into_a_forum_thread_is_marked_once_and_never_alerts(
    cli: CliCall, tmp_path: Path, pages_server: PagesServer
) -> None:
    config = pages_config(tmp_path, pages_server)
    assert cli("once", config=config).exit_code == 0
    story = pages_server.site.pages[news_story(0).path]
    thread_html = (DATA / "forum-thread.html").read_text(encoding="utf-8")
    for turn in range(3):  # the thread's counters move on every fetch
        story.body = thread_html.replace("</body>", f"<p>{turn + 40} members online</p></body>")
        result = cli("once", "--all", config=config)
        assert result.exit_code == 0, result.output
        assert '"story.changed"' not in result.output
        assert ('"story.not_story"' in result.output) == (turn == 0)
    url = pages_server.base_url + news_story(0).path
    assert rows(config, f"SELECT status FROM articles WHERE url = '{url}'") == [("not_story",)]
    kinds = rows(
        config, f"SELECT c.kind FROM changes c JOIN articles a ON a.id = c.article_id WHERE a.url = '{url}'"
    )
    assert kinds == [("new",), ("not_story",)]


def test_story_shapes_learned_from_the_feed_apply_to_listing_links(cli: CliCall, tmp_path: Path) -> None:
    site = pages_site()
    for number, slug in enumerate(("best-ssds", "best-tvs")):
        site.add(news_story(number, path=f"/reviews/{slug}/", title=f"The Best {slug[5:].upper()}"))
    only_listed = site.add(news_story(7, path="/reviews/best-mice/", title="The Best Mice"))
    only_listed.in_feed = False
    with PagesServer(site) as server:
        config = pages_config(tmp_path, server)
        assert cli("once", config=config).exit_code == 0
        assert rows(config, "SELECT COUNT(*) FROM articles") == [
            (2,)
        ]  # "/reviews/best-mice/" looks like a hub
        assert rows(config, "SELECT shape, stories, not_stories FROM url_shapes") == [
            ("/reviews/{slug}/", 2, 0)
        ]
        site.add(
            Page("/about/", "About us", "<html><body><p>About</p></body></html>")
        )  # the front page changes
        assert cli("once", config=config).exit_code == 0
    stored = {str(row[0]).removeprefix(server.base_url) for row in rows(config, "SELECT url FROM articles")}
    assert "/reviews/best-mice/" in stored


@pytest.mark.parametrize("announce", [False, True])
def test_live_blog_entries_are_stored_but_not_announced_unless_asked(
    cli: CliCall, tmp_path: Path, announce: bool
) -> None:
    site = pages_site()
    live_html = (DATA / "liveblog.html").read_text(encoding="utf-8")
    live = site.add(Page("/live/2026/11/03/election-night-live/", "Election night live", live_html))
    with PagesServer(site) as server:
        config = pages_config(tmp_path, server, kinds=["article", "liveblog"], liveblog_updates=announce)
        assert cli("once", config=config).exit_code == 0
        entry = "<div><p>Update 9: the last district has reported and the count is complete now.</p></div>"
        live.body = live_html.replace("<main>", "<main>" + entry)
        result = cli("once", "--all", config=config)
    assert result.exit_code == 0, result.output
    assert ('"story.changed"' in result.output) == announce
    assert rows(config, "SELECT COUNT(*) FROM versions") == [(2,)]
    assert rows(config, "SELECT kind FROM discovered_links") == [("liveblog",)]


def test_link_store_on_each_database(database_url: str) -> None:
    from monitor.models import ArticleLink
    from monitor.store import Store
    from monitor.store.links import LinkStore

    store = Store(database_url)
    store.upgrade()
    store.ensure_sites(["site-a"])
    links = LinkStore(store)
    try:
        found = [
            ArticleLink(url=f"https://e.com/2026/11/0{n}/story-{n}-about-it/", source="feed")
            for n in (1, 2, 3)
        ]
        links.remember("site-a", found)
        links.remember("site-a", found[:1])  # known links keep their state
        due = links.due("site-a", limit=10)
        assert [link.url for link in due] == [link.url for link in found]
        links.failed(found[0].url, due[0].attempts, "http_503")
        links.rejected(found[1].url, due[1].attempts, score=-2, kind="listing", reasons=("-2 pagination",))
        links.stored(found[2].url, score=7, kind="article", reasons=("+3 structured data: NewsArticle",))
        assert (
            links.due("site-a", limit=10) == []
        )  # the failed one waits for its retry, the rejected one longer
        verdict = links.verdict_of(found[1].url)
        assert verdict is not None and (verdict.state, verdict.verdict, verdict.kind) == (
            "rejected",
            "not_story",
            "listing",
        )
        assert verdict.reasons == ("-2 pagination",)
        for link in found:
            links.learn_shape("site-a", link.url, is_story=True)
        links.learn_shape("site-a", "https://e.com/hub/climate-news", is_story=False)
        assert links.shape_counts("site-a") == {"/{yyyy}/{mm}/{dd}/{slug}/": (3, 0), "/hub/{slug}": (0, 1)}
    finally:
        store.close()
