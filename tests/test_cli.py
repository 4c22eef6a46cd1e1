"""The CLI contract: every command has help with an example, config errors exit 2 with locations."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import monitor
from monitor.errors import MonitorError
from testbed.newsite import NewsSite, SiteServer, Story
from tests.conftest import REPO_ROOT, CliCall, run_monitor, site_entry, write_config

COMMANDS = [
    ["run"],
    ["once"],
    ["check"],
    ["config", "validate"],
    ["db", "upgrade"],
    ["changes"],
    ["history"],
    ["diff"],
    ["status"],
    ["search"],
    ["demo"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command))
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "monitor " in result.output.split("Example:")[1]


def test_config_validate_reports_located_errors_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text(
        "sites:\n  - name: a\n    start_urls: [https://a.example/]\n    intervl: 5m\n  - name: b\n"
    )
    completed = run_monitor("--config", str(bad), "config", "validate")
    assert completed.returncode == 2
    assert "sites[0].intervl: unknown key (did you mean 'interval'?)" in completed.stderr
    assert "sites[1]: a site needs at least one of start_urls, feeds, sitemaps" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_config_validate_accepts_the_shipped_config() -> None:
    completed = run_monitor("--config", str(REPO_ROOT / "config.yaml"), "config", "validate")
    assert completed.returncode == 0, completed.stderr
    assert "OK" in completed.stdout


def test_python_dash_m_and_help_are_quick() -> None:
    started = time.perf_counter()
    completed = run_monitor("--help")
    assert completed.returncode == 0
    assert "once" in completed.stdout and "run" in completed.stdout
    assert time.perf_counter() - started < 30  # a sanity bound, not a benchmark (see benchmarks/)


def test_public_api_is_complete() -> None:
    from monitor import config, errors, extraction, models

    # the SPEC's Python API, each name the object its module defines (a lazy name resolves to the real one)
    expected = {
        "extract": extraction.extract,
        "load_config": config.load_config,
        "Config": config.Config,
        "Article": models.Article,
        "ArticleLink": models.ArticleLink,
        "FetchedPage": models.FetchedPage,
        "Selectors": models.Selectors,
        "MonitorError": errors.MonitorError,
        "ConfigError": errors.ConfigError,
        "DatabaseLockedError": errors.DatabaseLockedError,
        "FetchError": errors.FetchError,
        "StoreError": errors.StoreError,
    }
    assert sorted(monitor.__all__) == sorted(expected)
    assert {name: getattr(monitor, name) for name in monitor.__all__} == expected
    article = monitor.extract(
        "<html><head><title>T</title></head><body><article><p>"
        + "Word " * 60
        + "</p></article></body></html>"
    )
    assert isinstance(article, monitor.Article)


def test_check_file_prints_the_extraction(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>A headline</title></head><body><article><h1>A headline</h1>"
        + "".join(f"<p>Paragraph {i} of the story has enough words to count as text.</p>" for i in range(5))
        + "</article></body></html>"
    )
    completed = run_monitor("check", "--file", str(page), "--url", "https://example.com/a/", "--json")
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert data["title"] == "A headline"
    assert "Paragraph 4 of the story" in data["text"]


def test_unknown_site_is_a_clean_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("sites: [{name: a, start_urls: ['http://127.0.0.1:9/']}]\n")
    completed = run_monitor("--config", str(config), "once", "--site", "nope")
    assert completed.returncode == 2
    assert "no site named 'nope'" in completed.stderr


def test_search_finds_story_text(cli: CliCall, news_site: NewsSite) -> None:
    assert cli("once").exit_code == 0
    news_site.stories["story-number-1-about-something"].paragraphs.append("The minister praised the aquifer.")
    assert cli("once", "--all").exit_code == 0
    result = cli("search", "aquifer", "--json")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    hits = [json.loads(line) for line in lines if line.startswith("{") and '"url"' in line]
    assert [hit["version"] for hit in hits] == [2]
    assert "[aquifer]" in hits[0]["snippet"]
    assert cli("search", "timetable", "--json").output.count('"url"') == 5
    with pytest.raises(MonitorError, match="cannot search for"):
        cli("search", '"unclosed')


def test_status_reports_site_health(cli: CliCall, news_site: NewsSite) -> None:
    assert cli("once").exit_code == 0
    result = cli("status", "--json")
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith('{"name"')]
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "fixture-news" and row["articles"] == 5 and row["consecutive_failures"] == 0
    assert row["last_success_at"] is not None and row["stale"] is False
    assert row["complete_share"] == 1.0  # title, body and date extracted for every story
    news_site.down = True
    assert cli("once").exit_code == 0
    text = cli("status", log_format="text").output
    assert "fixture-news" in text and "unreachable" in text


def test_check_url_fetches_and_extracts(news_server: object, tmp_path: Path) -> None:
    base = news_server.base_url  # type: ignore[attr-defined]
    story = next(iter(news_server.site.stories.values()))  # type: ignore[attr-defined]
    completed = run_monitor("--config", str(tmp_path / "none.yaml"), "check", f"{base}{story.path}", "--json")
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert data["title"] == story.title
    assert data["byline"] == story.byline
    assert data["canonical_url"] == f"{base}{story.path}"
    assert story.paragraphs[-1] in data["text"]


def test_check_url_reads_the_page_as_its_site_does(news_server: SiteServer, tmp_path: Path) -> None:
    """The site whose start URL host matches lends its selectors and its patterns to `check`."""
    base = news_server.base_url
    stories = list(news_server.site.stories.values())
    site = site_entry(
        base, selectors={"remove": [".entry-content > p:first-child"]}, exclude=[stories[1].slug]
    )
    config = write_config(tmp_path, [site])

    def check(story: Story) -> dict[str, Any]:
        completed = run_monitor("--config", str(config), "check", f"{base}{story.path}", "--json")
        assert completed.returncode == 0, completed.stderr
        return dict(json.loads(completed.stdout))

    kept, excluded = check(stories[0]), check(stories[1])
    plain = json.loads(run_monitor("check", f"{base}{stories[0].path}", "--json").stdout)  # no site
    assert kept["site"] == "fixture-news" and stories[0].paragraphs[1] in kept["text"]
    assert stories[0].paragraphs[0] not in kept["text"]  # the site's selectors removed it
    assert plain["site"] is None and stories[0].paragraphs[0] in plain["text"]
    assert kept["skipped_because"] is None
    assert excluded["skipped_because"] == f"the site's exclude pattern {stories[1].slug!r} matches it"
    text = run_monitor("--config", str(config), "check", f"{base}{stories[1].path}").stdout
    assert f"discovery:     skips this URL: the site's exclude pattern {stories[1].slug!r}" in text
