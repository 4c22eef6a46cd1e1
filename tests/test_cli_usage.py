"""The CLI as a new user types it: options anywhere, read-only reports, empty results and pasted URLs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig

from monitor.errors import MonitorError
from monitor.store.engine import migrations_dir
from monitor.store.lookup import url_spellings
from testbed.newsite import NewsSite
from tests.conftest import CliCall, run_monitor
from tests.test_cli import COMMANDS

ZERO = "story-number-0-about-something"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command))
def test_every_command_lists_the_global_options(command: list[str]) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    for option in ("--config", "--log-format", "--log-level"):
        assert option in result.output


def test_global_options_work_after_the_command(tmp_path: Path, config_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    once = run_monitor("once", "--config", str(config_path), "--log-format", "json", cwd=elsewhere)
    assert once.returncode == 0, once.stderr
    assert [json.loads(line)["event"] for line in once.stderr.splitlines()].count("story.new") == 5
    validate = run_monitor("config", "validate", "--config", str(config_path), cwd=elsewhere)
    assert validate.returncode == 0 and "OK, 1 site(s)" in validate.stdout
    status = run_monitor("status", "--log-level", "debug", "--config", str(config_path), cwd=elsewhere)
    assert status.returncode == 0 and "fixture-news" in status.stdout
    # the value after the command wins over the one before it
    both = run_monitor(
        "--config", "missing.yaml", "db", "upgrade", "--config", str(config_path), cwd=elsewhere
    )
    assert both.returncode == 0, both.stderr


def test_read_only_commands_never_create_or_upgrade_the_database(tmp_path: Path, config_path: Path) -> None:
    database = config_path.parent / "monitor.db"
    for command_line in (["status"], ["changes"], ["search", "plan"], ["history", "https://x.example/a/"]):
        completed = run_monitor("--config", str(config_path), *command_line)
        assert completed.returncode == 2, completed.stderr
        assert f"no database at {database} yet" in completed.stderr
    assert not database.exists()
    alembic = AlembicConfig()
    alembic.set_main_option("script_location", str(migrations_dir()))
    alembic.attributes["database_url"] = f"sqlite:///{database}"
    command.upgrade(alembic, "0001")
    completed = run_monitor("--config", str(config_path), "changes")
    assert completed.returncode == 2
    assert "is at schema revision 0001; run `monitor db upgrade`" in completed.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)


def test_empty_results_say_so(cli: CliCall, news_site: NewsSite) -> None:
    assert cli("db", "upgrade").exit_code == 0
    assert "no changes in the last 24h" in cli("changes").stderr
    assert "no site has been checked yet" in cli("status").stderr
    assert cli("once").exit_code == 0
    assert cli("changes", "--since", "10m").stderr == ""  # five new stories: nothing to excuse
    with pytest.raises(MonitorError, match="no site named 'nope'; sites: fixture-news"):
        cli("changes", "--site", "nope")
    assert "no story matches 'zeppelin'" in cli("search", "zeppelin").stderr


def test_history_and_diff_take_the_url_as_pasted(cli: CliCall, news_site: NewsSite) -> None:
    assert cli("once").exit_code == 0
    story = news_site.stories[ZERO]
    stored = json.loads(next(line for line in cli("changes", "--json").stdout.splitlines() if ZERO in line))[
        "url"
    ]
    for pasted in (stored.rstrip("/"), f"{stored}?utm_source=newsletter&fbclid=abc", f"{stored}#comments"):
        result = cli("history", pasted)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(stored) and story.title in result.stdout
        assert "next recheck 20" in result.stdout
        assert cli("diff", pasted).exit_code == 0
    with pytest.raises(MonitorError, match=rf"is not a tracked story; did you mean {stored}\?"):
        cli("history", stored.replace("something", "somethin"))


def test_pasted_spellings_cover_www_and_the_trailing_slash() -> None:
    spellings = url_spellings("https://www.news.example/a/b?utm_campaign=x")
    assert "https://news.example/a/b/" in spellings and "https://www.news.example/a/b" in spellings


def test_search_syntax_errors_are_explained_and_snippets_are_one_line(
    cli: CliCall, news_site: NewsSite
) -> None:
    assert cli("once").exit_code == 0
    with pytest.raises(MonitorError, match="the query ends with an operator") as caught:
        cli("search", "bridge AND")
    assert "fts5" not in str(caught.value)
    with pytest.raises(MonitorError, match=r"a quote \(\"\) is not closed"):
        cli("search", '"unclosed')
    # "promised" ends a paragraph: its snippet runs into the next one
    hits = [json.loads(line) for line in cli("search", "promised", "--json").stdout.splitlines()]
    assert hits and all("\n" not in hit["snippet"] for hit in hits)
    text = cli("search", "promised", log_format="text").stdout.splitlines()
    assert len(text) == 2 * len(hits)


def test_status_on_day_one_and_the_next_checks(cli: CliCall, news_site: NewsSite) -> None:
    assert cli("once").exit_code == 0
    (row,) = [json.loads(line) for line in cli("status", "--json").stdout.splitlines()]
    assert row["stories_per_day"] == 5.0  # five stories on the first day, not 5 / 7
    assert row["next_check_at"] > row["last_checked_at"]  # interval 5m after the last check
    assert row["rechecks_scheduled"] == 5 and row["next_recheck_at"] > row["last_checked_at"]
    text = cli("status", log_format="text").stdout
    assert "next check" in text and row["next_check_at"] in text
