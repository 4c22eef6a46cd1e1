"""Issue 14 speed, round 5: the shortcuts taken for speed give what the slower paths they replace gave."""

from __future__ import annotations

import json
import re

import pytest

from monitor.extraction import clean, extract, rules
from monitor.extraction.assembly import _flatten_by_kind, flatten
from monitor.extraction.rules import Caseless

STORY = (
    "The harbour council voted on Monday to rebuild the old pier, after a winter of storms left it closed "
    "to the fishing boats that have used it for a century, and the town's mayor promised work by spring."
)


def test_json_ld_whose_type_is_written_in_capitals_is_still_read() -> None:
    # lexbor matches script[type="application/ld+json"] whatever the case of the type: the scripts taken
    # from the one walk over all scripts must include it
    data = json.dumps(
        {"@type": "NewsArticle", "headline": "Pier to be rebuilt", "author": {"name": "Ann Lee"}}
    )
    html = (
        "<!DOCTYPE html><html><head>"
        f'<script type="Application/LD+JSON">{data}</script></head>'
        f"<body><p>{STORY}</p></body></html>"
    )
    article = extract(html)
    assert article.title == "Pier to be rebuilt"
    assert article.authors == ("Ann Lee",)


def test_next_data_whose_id_differs_in_case_follows_lexbor_in_a_quirks_page() -> None:
    # without a doctype the page is in quirks mode, where lexbor matches ids whatever their case
    state = json.dumps({"props": {"pageProps": {"story": {"body": STORY + " " + STORY}}}})
    html = f'<html><head><script id="__next_data__">{state}</script></head><body><p>Loading</p></body></html>'
    tree = clean.parse(html)
    code = clean.code_nodes(tree)
    found = clean.scripts_where(tree, code, "script#__NEXT_DATA__", "id", "__NEXT_DATA__")
    assert [node.text() for node in found] == [node.text() for node in tree.css("script#__NEXT_DATA__")]
    assert found
    assert "harbour council" in extract(html).text


def test_flatten_in_one_query_gives_the_text_of_one_query_per_kind() -> None:
    html = (
        "<body><div><h2>Heading</h2><p>First <a href=/x>link</a> and text.</p><ul><li>one</li><li>two"
        "<br>three</li></ul><table><tr><td>cell</td><th>head</th></tr></table><dl><dt>term</dt><dd>def</dd>"
        "</dl><blockquote>quoted</blockquote><h3><a href=/y>Linked heading</a></h3>tail</div></body>"
    )
    one, other = clean.parse(html).body, clean.parse(html).body
    assert one is not None and other is not None
    flat = flatten(one)
    assert flat == _flatten_by_kind(other)
    assert all(mark in flat for mark in rules.MARKS)


@pytest.mark.parametrize(
    "label",
    ["ArticleBody content", "SIDEBAR-widget", "comment-list", "Ko\u0301mment", "\u017fidebar", "plain"],
)
def test_caseless_search_matches_what_ignorecase_matches(label: str) -> None:
    pattern = re.compile(r"article|body|comment|sidebar|(?<![\w-])plain(?![\w-])", re.IGNORECASE)
    assert Caseless(pattern).search(label) == (pattern.search(label) is not None)


def test_caseless_refuses_a_pattern_with_capitals() -> None:
    with pytest.raises(ValueError):
        Caseless(re.compile("Article", re.IGNORECASE))


@pytest.mark.parametrize("siblings", [3, 200])  # under and over MAX_QUERIED_SUBTREES: both paths
def test_standfirst_candidates_before_the_story_are_what_the_whole_query_keeps(siblings: int) -> None:
    from monitor.extraction.parts import STANDFIRST_SELECTOR, _before, _matches_before

    filler = "".join(f'<div class="summary-card">Teaser {n}</div>' for n in range(siblings))
    html = (
        "<html><body><main id=wrap><header><h1>Pier to be rebuilt</h1>"
        '<p class="article-lead">The council voted to rebuild the pier after a winter of storms.</p></header>'
        f"{filler}<section><div id=story><p>{STORY}</p><p>{STORY}</p></div>"
        '<p class="lead-out">After the story: never its standfirst.</p></section>'
        '<aside class="intro-box">After it too.</aside></main></body></html>'
    )
    tree = clean.parse(html)
    wrapper, first = tree.css_first("#wrap"), tree.css_first("#story")
    assert wrapper is not None and first is not None
    holds_first = {node.mem_id for node in (first, first.parent, wrapper)}
    expected = [
        node.mem_id
        for node in wrapper.css(STANDFIRST_SELECTOR)
        if node.mem_id not in holds_first and _before(node, first, wrapper)
    ]
    found = _matches_before(wrapper, first)
    if siblings > 64:
        assert found is None  # one query of the wrapper instead
    else:
        assert found is not None and [node.mem_id for node in found] == expected
        assert len(expected) == 1 + siblings  # the lead and the teasers; nothing after the story's start


def test_years_found_without_a_lookbehind_are_those_the_lookbehind_finds() -> None:
    import random

    from monitor.extraction.locale_dates import _years

    with_lookbehind = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
    randomly = random.Random(14)
    texts = ["2019", "12019", "2019-2020", "x2020y", "٢2019", "202020", "a 1999, 2001 and 120034 2050"]
    texts += ["".join(randomly.choice("0129 a-٢") for _ in range(40)) for _ in range(500)]
    for text in texts:
        assert [year.span() for year in _years(text)] == [
            year.span() for year in with_lookbehind.finditer(text)
        ], text
