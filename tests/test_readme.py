"""The README's example SQL queries run against a real database filled by a real pass."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from testbed.newsite import NewsSite
from tests.conftest import REPO_ROOT, CliCall

QUERIES = re.findall(r"```sql\n(.*?)```", (REPO_ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_every_readme_query_is_named_once() -> None:
    """Each query opens with a `-- title` comment, the name the test below checks its answer by."""
    titles = [query.splitlines()[0] for query in QUERIES]
    assert QUERIES and all(title.startswith("-- ") for title in titles)
    assert len(set(titles)) == len(titles)


@pytest.fixture
def filled_database(cli: CliCall, news_site: NewsSite, config_path: Path) -> Path:
    assert cli("once").exit_code == 0
    news_site.stories["story-number-0-about-something"].title = "A new headline for story zero"
    news_site.stories["story-number-1-about-something"].paragraphs.append("An update paragraph.")
    news_site.stories["story-number-2-about-something"].gone = True
    assert cli("once", "--all").exit_code == 0
    assert cli("once", "--all").exit_code == 0
    return config_path.parent / "monitor.db"


def test_readme_queries_answer_on_a_real_database(filled_database: Path) -> None:
    answers = {}
    with sqlite3.connect(filled_database) as connection:
        for query in QUERIES:
            title = query.splitlines()[0].removeprefix("-- ")
            answers[title] = connection.execute(query).fetchall()
    assert len(answers["What changed today"]) == 5 + 2 + 1  # new, changed, removed
    assert len(answers["Most-edited stories"]) == 2
    assert {row[3] for row in answers["Headline changes: every title a story has had"]} == {
        "Story number 0: officials announce a new plan",
        "A new headline for story zero",
    }
    assert [row[3:] for row in answers["Headline edits, newest first, old and new side by side"]] == [
        ("Story number 0: officials announce a new plan", "A new headline for story zero")
    ]
    assert len(answers["Stories taken down"]) == 1
    assert len(answers["Edits that touched the body, with their summaries"]) == 1
    assert answers["Sites failing right now"] == []
