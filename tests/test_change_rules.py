"""Change rules through the real pipeline: quarantine, flip-flops, date-only edits, moves, rechecks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from testbed.newsite import NewsSite
from tests.conftest import CliCall
from tests.test_pipeline import events

SLUG = "story-number-1-about-something"


def kinds(config_path: Path) -> list[tuple[str, int | None]]:
    with sqlite3.connect(config_path.parent / "monitor.db") as connection:
        return [
            tuple(row)
            for row in connection.execute("SELECT kind, version FROM changes WHERE kind != 'new' ORDER BY id")
        ]  # type: ignore[misc]


def test_paywalled_fetch_is_quarantined_until_confirmed(
    cli: CliCall, news_site: NewsSite, config_path: Path
) -> None:
    assert cli("once").exit_code == 0
    story = news_site.stories[SLUG]
    story.paywalled = True
    first = cli("once", "--all")
    assert events(first.output, "story.changed") == []  # one suspicious fetch alerts nothing
    quarantined = events(first.output, "story.quarantined")
    assert [(event["url"].endswith(story.path), event["reason"]) for event in quarantined] == [
        (True, "shrunk")
    ]
    story.paywalled = False
    back = cli("once", "--all")
    assert events(back.output, "story.changed") == []  # it was a hiccup: nothing ever stored
    assert kinds(config_path) == []
    story.paywalled = True
    cli("once", "--all")
    confirmed = cli("once", "--all")  # the same shrunken content twice in a row: now it is a version
    changed = events(confirmed.output, "story.changed")
    assert [event["version"] for event in changed] == [2]
    assert kinds(config_path) == [("changed", 2)]


def test_flip_flop_is_a_return_reported_once(cli: CliCall, news_site: NewsSite, config_path: Path) -> None:
    assert cli("once").exit_code == 0
    story = news_site.stories[SLUG]
    original_title = story.title
    outputs = []
    for title in [
        "Headline B for an A/B test",
        original_title,
        "Headline B for an A/B test",
        original_title,
        "Headline B for an A/B test",
    ]:
        story.title = title
        outputs.append(cli("once", "--all").output)
    changed = [event for output in outputs for event in events(output, "story.changed")]
    assert [(event["version"], event["fields"]) for event in changed] == [
        (2, ["title"]),
        (1, ["reverted"]),
        (2, ["reverted"]),
    ]
    with sqlite3.connect(config_path.parent / "monitor.db") as connection:
        assert connection.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 6  # 5 stories + B
        current = connection.execute(
            "SELECT title FROM latest_versions WHERE url LIKE ?", (f"%{SLUG}%",)
        ).fetchone()[0]
    assert current == "Headline B for an A/B test"
    assert kinds(config_path) == [
        ("changed", 2),
        ("reverted", 1),
        ("reverted", 2),
        ("reverted", 1),
        ("reverted", 2),
    ]


def test_date_only_change_is_stored_as_minor_without_alert(
    cli: CliCall, news_site: NewsSite, config_path: Path
) -> None:
    assert cli("once").exit_code == 0
    news_site.stories[SLUG].modified = "2025-10-02T12:00:00+00:00"
    result = cli("once", "--all")
    assert events(result.output, "story.changed") == []
    minor = events(result.output, "story.minor")
    assert [(event["version"], event["fields"]) for event in minor] == [(2, ["modified"])]
    with sqlite3.connect(config_path.parent / "monitor.db") as connection:
        row = connection.execute(
            "SELECT fields, minor, summary FROM changes WHERE kind = 'changed'"
        ).fetchone()
    assert row[0] == "modified" and row[1] == 1
    listed = cli("changes", "--minor", "--json").output
    assert '"minor": true' in listed
    assert '"minor": true' not in cli("changes", "--json").output


def test_redirect_to_a_new_url_is_a_move_of_the_same_story(
    cli: CliCall, news_site: NewsSite, config_path: Path
) -> None:
    assert cli("once").exit_code == 0
    story = news_site.stories[SLUG]
    story.moved_to = "/2025/10/02/story-number-1-renamed/"
    result = cli("once", "--all")
    moved = events(result.output, "story.moved")
    assert len(moved) == 1 and moved[0]["new_url"].endswith("/story-number-1-renamed/")
    assert events(result.output, "story.new") == [] and events(result.output, "story.changed") == []
    again = cli("once", "--all")
    assert events(again.output, "story.moved") == [] and events(again.output, "story.new") == []
    with sqlite3.connect(config_path.parent / "monitor.db") as connection:
        assert connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 5


def test_recheck_schedule_follows_age_and_edits(cli: CliCall, news_site: NewsSite, config_path: Path) -> None:
    from monitor.clock import from_iso

    assert cli("once").exit_code == 0
    with sqlite3.connect(config_path.parent / "monitor.db") as connection:
        first_seen, next_check = connection.execute(
            "SELECT first_seen_at, next_check_at FROM articles LIMIT 1"
        ).fetchone()
    gap = (from_iso(next_check) - from_iso(first_seen)).total_seconds()
    assert 14 * 60 <= gap <= 16 * 60  # a fresh story: every 15 minutes
    quiet = cli("once")  # nothing due yet: no story fetched again
    assert "story.changed" not in quiet.output
    assert not any(path.startswith("/2025/") for path in news_site.requests[-3:])
