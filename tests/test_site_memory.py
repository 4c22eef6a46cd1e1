"""Site memory (issue 13): furniture learned across a site's stories, template changes recorded once,
learning that never alerts; through the real CLI against a fixture site on 127.0.0.1, and the pure rules."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.compare.furniture import (
    assumed_previous,
    block_events,
    comparison_drops,
    fingerprint,
    previous_fetch,
    story_blocks,
    template_events,
)
from testbed.newsite import NewsSite, SiteServer, Story
from tests.conftest import CliCall, site_entry, write_config
from tests.test_pipeline import events

ABOUT = "Daily Fixture is an independent newsroom covering the region since 1998, funded by its readers."
BIO = "Jane Reporter covers city hall and transport for Daily Fixture and has reported from four continents."
RIGHTS = "Copyright 2025 Daily Fixture Media Group. Republication of this story needs our written permission."
RIGHTS_2026 = RIGHTS.replace("2025", "2026")
STORIES = 6


def own_paragraphs(index: int) -> list[str]:
    return [
        f"The council of district {index} voted on Monday to rebuild the old bridge over the river.",
        f"Work on bridge {index} starts in spring and should take about {index + 2} years to finish.",
        f"Residents of district {index} said the crossing had been closed to lorries since the floods.",
        f"The mayor of district {index} promised that the ferry would keep running during the works.",
    ]


def fixture_site() -> NewsSite:
    site = NewsSite()
    for index in range(STORIES):
        own = own_paragraphs(index)
        site.add(
            Story(
                slug=f"bridge-story-{index}",
                title=f"District {index} will rebuild its bridge",
                byline="Jane Reporter",
                published=f"2025-10-{index + 1:02d}T08:00:00+00:00",
                paragraphs=[own[0], own[1], ABOUT, own[2], own[3], BIO, RIGHTS],
            )
        )
    return site


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer(fixture_site()) as served:
        yield served


@pytest.fixture
def site_config(tmp_path: Path, server: SiteServer) -> Path:
    return write_config(tmp_path, [site_entry(server.base_url)])


def rows(config: Path, query: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(config.parent / "monitor.db") as connection:
        return connection.execute(query, parameters).fetchall()


def bodies_by_first_sight(config: Path) -> list[str]:
    return [row[0] for row in rows(config, "SELECT body FROM latest_versions ORDER BY article_id")]


def test_blocks_on_three_stories_are_left_out_of_the_stories_stored_after(
    cli: CliCall, site_config: Path
) -> None:
    assert cli("once", config=site_config).exit_code == 0
    bodies = bodies_by_first_sight(site_config)
    assert len(bodies) == STORIES
    assert all(ABOUT in body and BIO in body for body in bodies[:2])  # not learned yet
    assert all(ABOUT not in body and BIO not in body and RIGHTS not in body for body in bodies[2:])
    for index, body in enumerate(reversed(bodies)):  # the story text itself is all kept (newest first)
        assert all(paragraph in body for paragraph in own_paragraphs(index))
    furniture = rows(
        site_config,
        "SELECT sample_text, stories_seen FROM site_furniture WHERE site = ? AND furniture ORDER BY 1",
        "fixture-news",
    )
    assert furniture == sorted([(ABOUT, STORIES), (BIO, STORIES), (RIGHTS, STORIES)])


def test_template_change_on_every_story_is_one_record_and_a_real_edit_still_alerts(
    cli: CliCall, site_config: Path, server: SiteServer
) -> None:
    assert cli("once", config=site_config).exit_code == 0
    edited = server.site.stories["bridge-story-4"]
    for story in server.site.stories.values():  # the site rewords its copyright line everywhere at once
        story.paragraphs[story.paragraphs.index(RIGHTS)] = RIGHTS_2026
        story.paragraphs.insert(5, "Read more: our guide to every bridge closure in the region this winter.")
    edited.paragraphs[3] = "Residents of district 4 said the crossing had been shut to all traffic since May."
    result = cli("once", "--all", config=site_config)
    assert result.exit_code == 0, result.output
    changed = events(result.output, "story.changed")
    assert [(event["url"].endswith(edited.path), event["fields"]) for event in changed] == [(True, ["body"])]
    assert changed[0]["summary"] == "body +0 -0 ~1 paragraphs"
    template = events(result.output, "site.template_changed")
    assert len(template) == 1 and template[0]["stories"] == STORIES
    assert template[0]["removed"] == [RIGHTS[:120]]
    assert sorted(template[0]["added"]) == sorted(
        [RIGHTS_2026[:120], "Read more: our guide to every bridge closure in the region this winter."]
    )
    [(before, after, stories)] = rows(
        site_config, "SELECT blocks_before, blocks_after, stories FROM template_changes"
    )
    assert before == RIGHTS and RIGHTS_2026 in after and stories == STORIES
    [body] = [row[0] for row in rows(site_config, "SELECT body FROM versions WHERE version = 2")]
    assert "shut to all traffic" in body and RIGHTS_2026 not in body and "Read more" not in body
    # pass 3: nothing changes (the pages' bytes still differ: the view counter) -> nothing at all
    again = cli("once", "--all", config=site_config)
    assert events(again.output, "story.changed") == events(again.output, "site.template_changed") == []
    assert rows(site_config, "SELECT COUNT(*) FROM template_changes") == [(1,)]


def test_a_template_change_seen_again_after_a_crash_is_not_recorded_twice(
    cli: CliCall, site_config: Path, server: SiteServer
) -> None:
    assert cli("once", config=site_config).exit_code == 0
    for story in server.site.stories.values():
        story.paragraphs[story.paragraphs.index(RIGHTS)] = RIGHTS_2026
    assert len(events(cli("once", "--all", config=site_config).output, "site.template_changed")) == 1
    # as if killed after the template change was recorded, before the stories' blocks were saved
    with sqlite3.connect(site_config.parent / "monitor.db") as connection:
        connection.execute("DELETE FROM story_blocks")
    again = cli("once", "--all", config=site_config)
    assert events(again.output, "story.changed") == events(again.output, "site.template_changed") == []
    assert rows(site_config, "SELECT COUNT(*) FROM template_changes") == [(1,)]
    assert rows(site_config, "SELECT COUNT(*) FROM versions WHERE version > 1") == [(0,)]


def test_shared_text_added_to_one_story_is_still_an_edit(
    cli: CliCall, site_config: Path, server: SiteServer
) -> None:
    notice = "Correction: an earlier version of this story misstated the length of the works."
    for index in (0, 1, 2):
        server.site.stories[f"bridge-story-{index}"].paragraphs.append(notice)
    assert cli("once", config=site_config).exit_code == 0
    assert rows(site_config, "SELECT furniture FROM site_furniture WHERE sample_text = ?", notice) == [(1,)]
    story = server.site.stories["bridge-story-5"]
    story.paragraphs.append(notice)
    result = cli("once", "--all", config=site_config)
    changed = events(result.output, "story.changed")
    assert [(event["url"].endswith(story.path), event["summary"]) for event in changed] == [
        (True, "body +1 -0 ~0 paragraphs")
    ]
    # and taking it away from that one story is an edit too
    story.paragraphs.remove(notice)
    removed = events(cli("once", "--all", config=site_config).output, "story.changed")
    assert [event["summary"] for event in removed] == ["body +0 -1 ~0 paragraphs"]


def test_config_forces_furniture_and_keeps_a_block_that_is_not(tmp_path: Path, server: SiteServer) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli as monitor_cli

    own_first = own_paragraphs(0)[0]
    entry = site_entry(server.base_url, furniture_never=[BIO], furniture_always=[own_first])
    config = write_config(tmp_path, [entry])
    result = CliRunner().invoke(monitor_cli, ["--config", str(config), "once"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    bodies = bodies_by_first_sight(config)
    assert len(bodies) == STORIES
    assert all(BIO in body for body in bodies)  # never furniture, however many stories show it
    assert all(own_first not in body for body in bodies)  # always furniture, from the first story on
    assert all(ABOUT not in body for body in bodies[2:])


def test_min_stories_is_configurable(tmp_path: Path, server: SiteServer) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli as monitor_cli

    config = write_config(tmp_path, [site_entry(server.base_url, furniture_min_stories=10)])
    result = CliRunner().invoke(monitor_cli, ["--config", str(config), "once"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    bodies = bodies_by_first_sight(config)
    assert len(bodies) == STORIES and all(ABOUT in body for body in bodies)  # 6 stories < 10
    assert rows(config, "SELECT COUNT(*) FROM site_furniture WHERE furniture") == [(0,)]


# -- the pure rules --------------------------------------------------------------------------------------


def test_fingerprint_ignores_spacing_and_case_only() -> None:
    assert fingerprint(" The  END\n of it. ") == fingerprint("the end of it.")
    assert fingerprint("The end.") != fingerprint("The end!")
    assert fingerprint("It\u2019s") != fingerprint("It's")
    assert story_blocks(["One.", "   ", "Two."])[1].text == "Two."


def test_template_events_need_several_stories_or_a_known_change() -> None:
    by_story = {1: frozenset({"-a", "+b"}), 2: frozenset({"-a", "+b", "+c"}), 3: frozenset({"-a", "+b"})}
    assert template_events(by_story, min_stories=3, stories_fetched=5) == {"-a", "+b"}
    assert template_events(by_story, min_stories=3, stories_fetched=5, known={"+c"}) == {"-a", "+b", "+c"}
    assert template_events({1: frozenset({"-a"})}, min_stories=3, stories_fetched=1) == frozenset()
    # the same text added to 3 of the 40 stories fetched is an edit of each, not the template
    assert template_events(by_story, min_stories=3, stories_fetched=40) == frozenset()
    assert block_events(["x", "y"], ["y", "z"]) == {"-x", "+z"}


def test_drops_keep_furniture_that_comes_or_goes_in_one_story() -> None:
    furniture = {"f", "g"}
    drops = comparison_drops(
        old_raw=["a", "f", "h"],
        old_stored=["a"],
        new_raw=["a", "f", "h", "g"],
        furniture=furniture,
        template=(),
    )
    assert drops == {
        "f",
        "h",
    }  # shared furniture on both sides; "h" was left out of the stored body and stays
    assert "g" not in drops  # furniture added to this story alone is an edit
    template = comparison_drops(
        old_raw=["a", "t"], old_stored=["a"], new_raw=["a", "u"], furniture=(), template={"t", "u"}
    )
    assert template == {"t", "u"}


def test_previous_fetch_puts_left_out_blocks_back_from_the_samples() -> None:
    stored = story_blocks(["Own one.", "Own two."])
    old_raw = [stored[0].fingerprint, fingerprint("Promo."), stored[1].fingerprint]
    assert previous_fetch(stored, old_raw, {fingerprint("Promo."): "Promo."}) == [
        "Own one.",
        "Promo.",
        "Own two.",
    ]
    # a stored block the previous fetch no longer had (it left with a template change) is not put back
    assert previous_fetch(stored, old_raw[:1], {}) == ["Own one."]
    # no blocks recorded: the stored body plus the furniture this fetch shows (left out when stored)
    assert assumed_previous(["a", "b"], ["a", "f", "b", "x"], {"f", "g"}) == ["a", "b", "f"]


def test_forgetting_the_furniture_alerts_nothing(cli: CliCall, site_config: Path) -> None:
    assert cli("once", config=site_config).exit_code == 0
    with sqlite3.connect(site_config.parent / "monitor.db") as connection:
        connection.execute("DELETE FROM site_furniture")  # as if not seen for furniture_forget
    result = cli("once", "--all", config=site_config)
    assert result.exit_code == 0, result.output
    assert events(result.output, "story.changed") == []
    assert rows(site_config, "SELECT COUNT(*) FROM versions WHERE version > 1") == [(0,)]
