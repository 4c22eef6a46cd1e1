"""`monitor serve` as a real process driven by a real browser (Debian's chromium through Selenium), its
escaping, its read-only database access, and its Atom feeds parsed back with feedparser."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from monitor.store import Store
from monitor.store.readonly import read_only_engine
from testbed.archive import EDITED_TITLE, INSERTED_SENTENCE, SCRIPT_TITLE, build_archive, serving
from tests.conftest import run_monitor

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="module")
def site_url(archive: Path) -> Iterator[str]:
    with serving(archive) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=412,915"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_click_from_the_changes_page_to_a_story_shows_the_marked_words(
    site_url: str, browser: object
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.get(f"{site_url}/?kind=changed")
    browser.find_element(By.LINK_TEXT, EDITED_TITLE).click()
    assert browser.current_url.startswith(f"{site_url}/story/")
    headline = browser.find_element(By.CSS_SELECTOR, "#v2 .headline-change")
    assert [node.text for node in headline.find_elements(By.TAG_NAME, "del")] == ["announce"]
    assert [node.text.strip() for node in headline.find_elements(By.TAG_NAME, "ins")] == ["unveil", "bold"]
    inserted = [node.text.strip() for node in browser.find_elements(By.CSS_SELECTOR, "#v2 .body ins")]
    assert inserted == ["rail", INSERTED_SENTENCE]
    assert browser.find_elements(By.CSS_SELECTOR, "#v1 .body ins") == []


def test_a_title_with_a_script_tag_renders_as_text(site_url: str, browser: object) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.get(f"{site_url}/")
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "Mayor")
    assert link.text == SCRIPT_TITLE
    link.click()
    assert browser.find_element(By.CSS_SELECTOR, "h1.story-title").text == SCRIPT_TITLE
    assert browser.find_elements(By.CSS_SELECTOR, "main b, main script") == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - the property raises when no alert is open


def test_a_byline_change_is_shown_as_such(site_url: str) -> None:
    page = httpx.get(f"{site_url}/?kind=changed&q=Story+number+2").text
    story_path = page.split('href="/story/')[1].split('"')[0]
    story = httpx.get(f"{site_url}/story/{story_path}").text
    assert '<p class="field-change byline-change"><strong>Byline changed:</strong>' in story
    byline = story.split("Byline changed:</strong>")[1].split("</p>")[0]
    assert byline.strip() == "Jane Reporter<ins>, Sam Editor</ins>", byline  # bylines are stored as a list


def test_pages_filter_search_and_show_site_health(site_url: str) -> None:
    changes = httpx.get(f"{site_url}/?kind=new").text
    assert changes.count('class="change kind-new"') == 3 and "kind-changed" not in changes
    assert httpx.get(f"{site_url}/?site=fixture-news&q=unveil").text.count('class="change ') == 1
    assert httpx.get(f"{site_url}/?site=no-such-site").text.count('class="change ') == 0
    found = httpx.get(f"{site_url}/search", params={"q": "bicycles"}).text
    assert EDITED_TITLE in found
    broken = httpx.get(f"{site_url}/search", params={"q": '"unbalanced'})
    assert broken.status_code == 200 and "cannot search" in broken.text
    sites = httpx.get(f"{site_url}/sites").text
    assert "fixture-news" in sites and "<td>3</td>" in sites
    response = httpx.get(f"{site_url}/")
    assert "script-src" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(f"{site_url}/story/99999").status_code == 404


def _changes(archive: Path) -> list[tuple[str, str, str]]:
    """(kind, url, detected_at) of every change event in the archive."""
    with sqlite3.connect(archive.parent / "monitor.db") as connection:
        rows = connection.execute(
            "SELECT c.kind, a.url, c.detected_at FROM changes c JOIN articles a ON a.id = c.article_id"
        )
        return [(str(row[0]), str(row[1]), str(row[2])) for row in rows]


def _assert_round_trip(document: bytes, changes: list[tuple[str, str, str]]) -> None:
    parsed = feedparser.parse(document)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    labels = {"new": "New", "changed": "Changed"}
    entries = []
    for entry in parsed.entries:
        assert entry.id.startswith("urn:uuid:") and entry.updated.endswith("+00:00")
        assert entry.summary and entry.content[0].type == "text/html"
        kind = next(kind for kind, label in labels.items() if entry.title.startswith(f"{label}: "))
        entries.append((kind, entry.link, time.strftime("%Y-%m-%dT%H:%M:%SZ", entry.updated_parsed)))
    assert sorted(entries) == sorted(changes)
    assert len({entry.id for entry in parsed.entries}) == len(changes)
    script_entry = next(entry for entry in parsed.entries if "Mayor" in entry.title)
    assert script_entry.title == f"New: {SCRIPT_TITLE}"
    edited = next(entry for entry in parsed.entries if entry.title == f"Changed: {EDITED_TITLE}")
    assert edited.summary.startswith("v2: title, body")
    assert "<ins>rail </ins>" in edited.content[0].value and "<del>announce</del>" in edited.content[0].value


def test_atom_feeds_parse_back_and_round_trip_every_entry(site_url: str, archive: Path) -> None:
    changes = _changes(archive)
    first = httpx.get(f"{site_url}/feeds/changes.atom")
    assert first.headers["content-type"].startswith("application/atom+xml")
    _assert_round_trip(first.content, changes)
    again = feedparser.parse(httpx.get(f"{site_url}/feeds/changes.atom").content)
    assert [entry.id for entry in again.entries] == [
        entry.id for entry in feedparser.parse(first.content).entries
    ]
    site_feed = feedparser.parse(httpx.get(f"{site_url}/feeds/sites/fixture-news.atom").content)
    assert len(site_feed.entries) == len(changes) and not site_feed.bozo
    assert feedparser.parse(httpx.get(f"{site_url}/feeds/sites/other.atom").content).entries == []
    story_feed = feedparser.parse(httpx.get(f"{site_url}/feeds/stories/2.atom").content)
    assert [entry.title for entry in story_feed.entries] == [
        f"Changed: {EDITED_TITLE}",
        "New: " + (story_feed.entries[1].title.removeprefix("New: ")),
    ]


def test_feeds_answer_conditional_gets_with_304(site_url: str) -> None:
    first = httpx.get(f"{site_url}/feeds/changes.atom")
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert httpx.get(f"{site_url}/feeds/changes.atom", headers={"If-None-Match": etag}).status_code == 304
    assert (
        httpx.get(f"{site_url}/feeds/changes.atom", headers={"If-Modified-Since": last_modified}).status_code
        == 304
    )
    assert httpx.get(f"{site_url}/feeds/changes.atom", headers={"If-None-Match": '"old"'}).status_code == 200
    other = httpx.get(f"{site_url}/feeds/sites/fixture-news.atom").headers["etag"]
    assert other != etag


def test_changes_format_atom_writes_the_same_feed(archive: Path) -> None:
    completed = run_monitor("--config", str(archive), "changes", "--since", "1d", "--format", "atom")
    assert completed.returncode == 0, completed.stderr
    _assert_round_trip(completed.stdout.encode(), _changes(archive))


def test_the_read_only_engine_cannot_write(database_url: str) -> None:
    store = Store(database_url)
    store.upgrade()
    store.ensure_sites(["example"])
    store.close()
    engine = read_only_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM sites")).scalar() == "example"
        with pytest.raises(DBAPIError), engine.begin() as connection:
            connection.execute(text("DELETE FROM sites"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM sites")).scalar() == 1
    finally:
        engine.dispose()


def test_serve_refuses_a_missing_database_with_a_clear_message(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///nothing-here.db\nsites: [{name: a, start_urls: ['https://example.com/']}]\n",
        encoding="utf-8",
    )
    completed = run_monitor("--config", str(config), "serve", "--port", "0")
    assert completed.returncode == 1
    assert "no database at" in completed.stderr
