"""Listing churn (monitor/compare/churn.py, issue 12): a page the gate took for a story whose items reorder
and whose counters move is stored as a minor version, not alerted, and marked not_story after 3 such changes;
a prose story's edits (figures included) and a real paragraph among the churn still alert; figures moving on
a page the gate is unsure of are minor. The comparisons on snapshots, then through the real CLI against pages
served from 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.compare import Snapshot, compare
from monitor.compare.churn import churn_or_why
from monitor.gate import UNSURE_BELOW
from monitor.pipeline.decide import UNSURE_NOTE
from tests.conftest import CliCall, write_config
from tests.sites.pages import Page, PagesServer, news_story, pages_site

TEASERS = tuple(
    f"Council item {word} moves ahead"
    for word in ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
)
INTRO = (
    "Every update from the council, the river works and the district's schools, as the stories come in "
    "through the day and the night."
)
PROSE = (
    "The count showed 1,204 votes for the plan and 877 against, with 12 districts still to report.",
    "Turnout reached 41 per cent by noon, the highest for a local vote since 2009, officials said.",
    "In the east, 3,310 residents backed the plan while 2,950 opposed it, a margin of 360 votes.",
    "The river works would cost 18 million, of which the state would pay 11 million over 6 years.",
    "Opponents said 4 of the 9 councillors had not read the final report before the vote.",
)
STORY_URL_PATH = "/news/2026/11/02/latest-from-the-river-district/"


def listing_page(order: tuple[str, ...], comments: int, extra: str = "") -> str:
    """A page the gate takes for a story (NewsArticle, byline, date, a news URL) whose body is a list of
    teasers with comment counters: its items reorder and its counters move between fetches."""
    items = "".join(
        f'<li><h3>{teaser}</h3><span class="count">{comments + index} comments</span></li>'
        for index, teaser in enumerate(order)
    )
    return _page("Latest from the river district", f"<p>{INTRO}</p>{extra}<ul>{items}</ul>")


def prose_story(paragraphs: tuple[str, ...]) -> str:
    return _page("Council plan wins the vote", "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs))


def _page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{title}",
"datePublished":"2026-11-02T09:00:00Z","author":{{"@type":"Person","name":"Ann Writer"}}}}</script></head>
<body><article><h1>{title}</h1><p class="byline">By Ann Writer</p>{body}</article></body></html>"""


def _snapshot(*paragraphs: str) -> Snapshot:
    return Snapshot(
        title="Latest", byline="Ann Writer", published="2026-11-02", modified="", paragraphs=paragraphs
    )


def _items(order: tuple[str, ...], comments: int) -> tuple[str, ...]:
    return tuple(f"{teaser} {comments + index} comments" for index, teaser in enumerate(order))


# -- the comparison ----------------------------------------------------------------------------------------


def test_items_reordered_and_counters_moved_are_listing_churn() -> None:
    old = _snapshot(INTRO, *_items(TEASERS, 10))
    new = _snapshot(INTRO, *_items(TEASERS[::-1], 11))
    found = compare(old, new)
    assert found.changed and found.minor and found.churn
    assert found.summary.startswith("listing churn: ") and "items reordered" in found.summary


def test_counters_alone_are_minor_but_never_listing_churn() -> None:
    old = _snapshot(*PROSE, "Replies: 76")
    found = compare(old, replace(old, paragraphs=(*PROSE, "Replies: 77")))
    assert found.minor and not found.churn
    assert found.summary == "counter churn: 1 counters moved"


@pytest.mark.parametrize("changed", [1, 4, 5], ids=["one-sentence", "four-sentences", "every-sentence"])
def test_a_prose_story_whose_figures_change_is_an_edit(changed: int) -> None:
    # The danger the churn rule must avoid: an election-results or live-figures story updated by its figures.
    old = _snapshot(*PROSE)
    updated = tuple(
        paragraph.replace("1", "2").replace("3", "4") if index < changed else paragraph
        for index, paragraph in enumerate(PROSE)
    )
    found = compare(old, replace(old, paragraphs=updated))
    assert found.changed and not found.minor and not found.churn, found.summary


def test_a_results_table_in_a_story_is_an_edit_when_its_figures_change() -> None:
    table = ("Smith 45,123 52%", "Jones 38,020 44%", "Brown 3,300 4%")
    old = _snapshot(*PROSE, *table)
    new = replace(old, paragraphs=(*PROSE, "Smith 47,500 51%", "Jones 40,210 45%", "Brown 3,480 4%"))
    found = compare(old, new)
    assert not found.minor, found.summary


def test_a_new_paragraph_among_churn_is_an_edit() -> None:
    old = _snapshot(INTRO, *_items(TEASERS, 10))
    paragraph = "The council later said the vote would be held again on Friday after a complaint."
    new = _snapshot(INTRO, paragraph, *_items(TEASERS[::-1], 11))
    assert not compare(old, new).minor
    assert str(churn_or_why(old, new)).startswith("a sentence entered")


@pytest.mark.parametrize(
    "new_paragraphs",
    [
        PROSE[:2] + PROSE[3:],  # a paragraph removed
        (PROSE[0], PROSE[1] + " " + PROSE[2], *PROSE[3:]),  # two paragraphs merged and one word written
        (PROSE[0], "Officials say more results are due.", *PROSE[1:]),  # a short sentence added
    ],
    ids=["paragraph-removed", "merged-and-edited", "short-sentence-added"],
)
def test_edits_of_prose_are_never_churn(new_paragraphs: tuple[str, ...]) -> None:
    old = _snapshot(*PROSE)
    assert not compare(old, replace(old, paragraphs=new_paragraphs)).churn


def test_a_listicle_that_loses_a_sentence_is_edited() -> None:
    # Mostly items (a listing's shape), but nothing moved: the sentence was cut by an editor.
    old = _snapshot(INTRO, *TEASERS, PROSE[0])
    assert str(churn_or_why(old, replace(old, paragraphs=(INTRO, *TEASERS)))).startswith("a sentence left")


def test_a_headline_edit_with_the_items_is_an_edit() -> None:
    old = _snapshot(INTRO, *_items(TEASERS, 10))
    new = replace(_snapshot(INTRO, *_items(TEASERS[::-1], 10)), title="Latest news")
    assert not compare(old, new).minor


# -- through the CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def churn_server() -> PagesServer:
    site = pages_site()
    site.add(Page(STORY_URL_PATH, "Latest from the river district", listing_page(TEASERS, 10)))
    site.add(
        Page("/news/2026/11/02/council-plan-wins-the-vote/", "Council plan wins the vote", prose_story(PROSE))
    )
    with PagesServer(site) as server:
        yield server


def _config(directory: Path, server: PagesServer) -> Path:
    return write_config(
        directory,
        [{"name": "pages", "start_urls": [f"{server.base_url}/"], "feeds": [f"{server.base_url}/feed/"]}],
    )


def _events(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def _rows(config: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(config.parent / "monitor.db") as connection:
        return connection.execute(query).fetchall()


def test_a_listing_that_keeps_churning_is_marked_not_story_once_and_stops_alerting(
    cli: CliCall, tmp_path: Path, churn_server: PagesServer
) -> None:
    config = _config(tmp_path, churn_server)
    assert cli("once", config=config).exit_code == 0
    listing = churn_server.site.pages[STORY_URL_PATH]
    url = churn_server.base_url + STORY_URL_PATH
    not_story_lines = 0
    for turn in range(1, 6):  # items reorder, counters move: churn on every fetch
        order = TEASERS[turn:] + TEASERS[:turn]
        listing.body = listing_page(order if turn % 2 else order[::-1], 10 + turn)
        result = cli("once", "--all", config=config)
        assert result.exit_code == 0, result.output
        events = [event for event in _events(result.output) if event.get("url") == url]
        assert not any(event["event"] == "story.changed" for event in events), events
        not_story_lines += sum(event["event"] == "story.not_story" for event in events)
        if turn <= 3:
            assert any(event["event"] == "story.minor" for event in events), events
        else:  # marked: silent, nothing stored
            assert events == [], events
    assert not_story_lines == 1
    assert _rows(config, f"SELECT status FROM articles WHERE url = '{url}'") == [("not_story",)]
    changes = _rows(
        config,
        "SELECT c.kind, c.minor, c.summary FROM changes c JOIN articles a ON a.id = c.article_id"
        f" WHERE a.url = '{url}' ORDER BY c.id",
    )
    assert [kind for kind, _, _ in changes] == ["new", "changed", "changed", "changed", "not_story"]
    assert all(minor and str(summary).startswith("listing churn: ") for _, minor, summary in changes[1:4])
    assert str(changes[4][2]).startswith("not a story: its last 3 changes were listing churn")
    # discovery still lists it: it is neither re-added nor announced as new
    result = cli("once", config=config)
    assert '"story.new"' not in result.output
    assert _rows(config, f"SELECT COUNT(*) FROM articles WHERE url = '{url}'") == [(1,)]


def test_real_edits_still_alert_beside_churn(cli: CliCall, tmp_path: Path, churn_server: PagesServer) -> None:
    config = _config(tmp_path, churn_server)
    assert cli("once", config=config).exit_code == 0
    story_path = "/news/2026/11/02/council-plan-wins-the-vote/"
    updated = tuple(paragraph.replace("1", "2") for paragraph in PROSE)  # every figure of the story moves
    churn_server.site.pages[story_path].body = prose_story(updated)
    paragraph = (
        "<p>The council later said the vote would be held again on Friday after a complaint was filed.</p>"
    )
    churn_server.site.pages[STORY_URL_PATH].body = listing_page(TEASERS[::-1], 11, extra=paragraph)
    result = cli("once", "--all", config=config)
    assert result.exit_code == 0, result.output
    changed = {str(event["url"]) for event in _events(result.output) if event["event"] == "story.changed"}
    assert changed == {churn_server.base_url + story_path, churn_server.base_url + STORY_URL_PATH}


GUIDE_PATH = "/garden-design-costs/"


def guide_page(visit: int, planting: int) -> str:
    """A page the gate takes for a story on weak evidence: prose, an <h1>, no structured data, date or byline,
    og:type website (a shop's or a service's guide). Its prices move between fetches."""
    paragraphs = "".join(
        f"<p>{text}</p>"
        for text in (
            "A small town garden needs a plan before it needs plants: light, soil and the way people walk "
            "through it decide the rest.",
            f"A design visit costs about {visit} pounds in most towns and takes two hours, with samples, "
            "a tape and a camera.",
            f"Planting days start at {planting} pounds for a team of two, with plants at trade prices and "
            "the old turf taken away.",
            "Most gardens are finished within a month of the first visit, weather allowing, and look settled "
            "by the next summer.",
        )
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>What a small garden design costs</title><meta property="og:type" content="website"></head><body>
<header><nav><a href="/">Home</a> <a href="/guides/">Guides</a></nav></header><main>
<h1>What a small garden design costs</h1>{paragraphs}</main><footer>Green Rooms Ltd</footer></body></html>"""


def test_figures_moving_on_an_unsure_story_are_stored_as_minor_while_a_news_storys_alert(
    cli: CliCall, tmp_path: Path
) -> None:
    site = pages_site()
    site.add(Page(GUIDE_PATH, "What a small garden design costs", guide_page(120, 450)))
    story = news_story(1)
    site.add(story)
    with PagesServer(site) as server:
        config = _config(tmp_path, server)
        assert cli("once", config=config).exit_code == 0
        scores = dict(_rows(config, "SELECT url, score FROM discovered_links WHERE state = 'stored'"))
        guide_url, story_url = server.base_url + GUIDE_PATH, server.base_url + story.path
        assert 0 <= int(scores[guide_url]) < UNSURE_BELOW <= int(scores[story_url]), scores  # the premise
        checked = cli("check", guide_url, config=config, log_format="text")
        assert "story (article, score" in checked.output and "unsure" in checked.output, checked.output
        assert "unsure" not in cli("check", story_url, config=config, log_format="text").output
        site.pages[GUIDE_PATH].body = guide_page(125, 460)
        site.pages[story.path].body = story.body.replace("delayed 2 earlier", "delayed 5 earlier")
        result = cli("once", "--all", config=config)
    assert result.exit_code == 0, result.output
    by_url = {str(event.get("url")): event for event in _events(result.output) if "url" in event}
    assert by_url[story_url]["event"] == "story.changed"  # a news story's figure edit is an edit
    assert by_url[guide_url]["event"] == "story.minor"
    assert str(by_url[guide_url]["summary"]).endswith(UNSURE_NOTE)
    stored = _rows(
        config,
        "SELECT c.minor, c.diff FROM changes c JOIN articles a ON a.id = c.article_id"
        f" WHERE a.url = '{guide_url}' AND c.kind = 'changed'",
    )
    assert len(stored) == 1 and stored[0][0] == 1 and "{+125+}" in str(stored[0][1])  # the history is exact
