"""Tests for monitor.compare: normalisation, hashes, fields, paragraph alignment, diffs, suspicion."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.compare import (
    Comparison,
    Snapshot,
    compare,
    content_hash,
    normalise_date,
    normalise_text,
    render_diff,
    snapshot,
    snapshot_from_json,
    snapshot_to_json,
    suspicion,
    text_hash,
    word_diff,
    wordless,
)
from monitor.models import Article

CASES_PATH = Path(__file__).parent / "data" / "compare" / "normalise_cases.json"
NORMALISE_CASES = json.loads(CASES_PATH.read_text(encoding="utf-8"))
ANSI_ESCAPE = "\x1b["

PARAGRAPHS = (
    "The city council voted on Tuesday to approve the new budget for the coming year.",
    "The budget includes funding for three new schools and a library in the east of the city.",
    "Opposition members said the plan would raise taxes for families on modest incomes.",
    "The mayor said the vote was a victory for every resident of the city.",
    "The budget takes effect on January 1 after a final reading next month.",
)
BASE = Snapshot(
    title="Council approves budget",
    byline="Jane Doe",
    published="2024-03-01T10:00:00+00:00",
    modified="2024-03-01T10:00:00+00:00",
    paragraphs=PARAGRAPHS,
)


def _with_paragraphs(*paragraphs: str) -> Snapshot:
    return replace(BASE, paragraphs=paragraphs)


def _article(**overrides: object) -> Article:
    fields: dict[str, object] = {
        "title": "Council approves budget",
        "byline": "Jane Doe",
        "published": "2024-03-01T10:00:00Z",
        "modified": "2024-03-01T10:00:00Z",
        "text": "\n\n".join(PARAGRAPHS),
    }
    fields.update(overrides)
    return Article(**fields)  # type: ignore[arg-type]


# --- normalisation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", NORMALISE_CASES["same"], ids=lambda case: case["id"])
def test_invisible_differences_normalise_equal(case: dict[str, str]) -> None:
    assert normalise_text(case["old"]) == normalise_text(case["new"])


@pytest.mark.parametrize("case", NORMALISE_CASES["different"], ids=lambda case: case["id"])
def test_real_edits_survive_normalisation(case: dict[str, str]) -> None:
    assert normalise_text(case["old"]) != normalise_text(case["new"])


def test_normalise_text_is_idempotent() -> None:
    for case in NORMALISE_CASES["same"] + NORMALISE_CASES["different"]:
        once = normalise_text(case["old"])
        assert normalise_text(once) == once


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("2024-03-01T12:00:00+02:00", "2024-03-01T10:00:00Z"),
        ("2024-03-01T10:00:00.000Z", "2024-03-01T10:00:00+00:00"),
        (" 2024-03-01 ", "2024-03-01"),
    ],
    ids=["same-instant-other-offset", "milliseconds-and-z", "date-only-whitespace"],
)
def test_equal_instants_normalise_equal(old: str, new: str) -> None:
    assert normalise_date(old) == normalise_date(new)


def test_unparseable_date_is_kept_as_text() -> None:
    assert normalise_date("March\u00a01, 2024") == "March 1, 2024"
    assert normalise_date(None) == ""


def test_snapshot_from_article_normalises_every_field() -> None:
    article = _article(
        title="Council\u00a0approves \u201cbudget\u201d",
        byline=None,
        authors=("Jane Doe", "John Roe"),
        text="First  paragraph.\n\n \n\nSecond\nparagraph \u2014 here.",
    )
    snap = snapshot(article)
    assert snap.title == 'Council approves "budget"'
    assert snap.byline == "Jane Doe, John Roe"
    assert snap.published == "2024-03-01T10:00:00+00:00"
    assert snap.paragraphs == ("First paragraph.", "Second paragraph-here.")
    assert snap.body_text == "First paragraph.\n\nSecond paragraph-here."


def test_markup_reflow_of_an_article_is_no_change() -> None:
    reflowed = _article(
        title="  Council approves\nbudget ",
        text="\n\n".join(f"  {paragraph.replace(' ', chr(0xA0), 2)}\n" for paragraph in PARAGRAPHS),
    )
    assert not compare(snapshot(_article()), snapshot(reflowed)).changed


# --- hashes and storage ----------------------------------------------------------------------------------


def test_content_hash_covers_every_field_and_text_hash_ignores_dates() -> None:
    bumped = replace(BASE, modified="2024-03-02T08:00:00+00:00")
    assert content_hash(BASE) != content_hash(bumped)
    assert text_hash(BASE) == text_hash(bumped)
    for name, value in [("title", "X"), ("byline", "X"), ("paragraphs", ("X",))]:
        edited = replace(BASE, **{name: value})
        assert content_hash(edited) != content_hash(BASE)
        assert text_hash(edited) != text_hash(BASE)


def test_hash_keeps_field_boundaries() -> None:
    assert content_hash(replace(BASE, title="ab", byline="c")) != content_hash(
        replace(BASE, title="a", byline="bc")
    )


def test_hashes_are_stable_across_processes() -> None:
    script = (
        "from monitor.compare import Snapshot, content_hash, text_hash\n"
        "snap = Snapshot('T\u00e9', 'B', '2024-01-01', '', ('p1', 'p2'))\n"
        "print(content_hash(snap), text_hash(snap))\n"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(__file__).parent.parent)},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1
    content, text = runs.pop().split()
    assert len(content) == 64 and content != text


def test_hash_regression_value() -> None:
    # A change here means every stored hash changes: bump HASH_SCHEME and say so in the release notes.
    snap = Snapshot("T", "B", "2024-01-01", "", ("p1", "p2"))
    assert content_hash(snap) == "f2969a0ad8c062497b0f0d44e734639f07d82d400cc9f900208463605f2141f1"


def test_paragraph_resplit_is_no_change() -> None:
    merged = _with_paragraphs(PARAGRAPHS[0] + " " + PARAGRAPHS[1], *PARAGRAPHS[2:])
    assert not compare(BASE, merged).changed
    assert content_hash(BASE) == content_hash(merged)


def test_snapshot_json_round_trip() -> None:
    serialised = snapshot_to_json(BASE)
    assert snapshot_from_json(serialised) == BASE
    assert serialised == snapshot_to_json(snapshot_from_json(serialised))


@pytest.mark.parametrize(
    "serialised",
    ["[]", '{"title": 3}', '{"paragraphs": "text"}', '{"paragraphs": [1]}'],
    ids=["not-object", "title-not-string", "paragraphs-not-list", "paragraph-not-string"],
)
def test_snapshot_from_json_rejects_bad_input(serialised: str) -> None:
    with pytest.raises(ValueError):
        snapshot_from_json(serialised)


# --- fields ----------------------------------------------------------------------------------------------


def test_identical_snapshots_are_no_change() -> None:
    result = compare(BASE, BASE)
    assert result == Comparison(
        changed=False, minor=False, fields=(), added=0, removed=0, edited=0, summary="no change", diff=""
    )


@pytest.mark.parametrize(
    ("overrides", "fields", "summary"),
    [
        ({"title": "Council rejects budget"}, ("title",), "title"),
        ({"byline": "John Roe"}, ("byline",), "byline"),
        ({"title": "X", "byline": "Y"}, ("title", "byline"), "title, byline"),
        ({"modified": "2024-03-02T09:00:00+00:00"}, ("modified",), "modified (date only)"),
        (
            {"published": "2024-02-29T10:00:00+00:00", "modified": "2024-03-02T09:00:00+00:00"},
            ("published", "modified"),
            "published, modified (date only)",
        ),
        (
            {"title": "Council rejects budget", "modified": "2024-03-02T09:00:00+00:00"},
            ("title", "modified"),
            "title, modified",
        ),
    ],
    ids=["title", "byline", "title-and-byline", "modified-only", "both-dates", "title-and-date"],
)
def test_each_field_is_detected(overrides: dict[str, str], fields: tuple[str, ...], summary: str) -> None:
    result = compare(BASE, replace(BASE, **overrides))
    assert result.changed
    assert result.fields == fields
    assert result.summary == summary
    assert (result.added, result.removed, result.edited) == (0, 0, 0)


def test_date_only_change_is_minor() -> None:
    result = compare(BASE, replace(BASE, modified="2024-03-02T09:00:00+00:00"))
    assert result.minor
    assert "== modified ==\n- 2024-03-01T10:00:00+00:00\n+ 2024-03-02T09:00:00+00:00" == result.diff


def test_text_change_with_date_is_not_minor() -> None:
    result = compare(BASE, replace(BASE, title="New", modified="2024-03-02T09:00:00+00:00"))
    assert result.changed and not result.minor


def test_fields_follow_fixed_order() -> None:
    new = Snapshot("T2", "B2", "2020-01-01", "2020-01-02", ("other body",))
    assert compare(BASE, new).fields == ("title", "byline", "published", "modified", "body")


# --- body paragraphs -------------------------------------------------------------------------------------


def _counts(new: Snapshot) -> tuple[int, int, int]:
    result = compare(BASE, new)
    assert result.fields == ("body",)
    return result.added, result.removed, result.edited


def test_insertion_at_top_counts_one_added() -> None:
    new = _with_paragraphs("Update: the budget was later challenged in court by two residents.", *PARAGRAPHS)
    assert _counts(new) == (1, 0, 0)
    assert compare(BASE, new).summary == "body +1 -0 ~0 paragraphs"


def test_headline_echo_in_the_body_follows_the_title_not_the_body() -> None:
    """A title edit can make the headline show up in (or vanish from) the body's first paragraph, when the
    extractor's title stops (or starts) containing it: one title edit, not a body edit."""
    echoed = replace(BASE, paragraphs=("Council approves new budget", *PARAGRAPHS))
    retitled = replace(BASE, title="Breaking: Council approves new budget")
    assert compare(echoed, retitled).fields == ("title",)
    assert compare(retitled, echoed).fields == ("title",)
    same_title = compare(BASE, replace(BASE, paragraphs=("Council approves budget", *PARAGRAPHS)))
    assert not same_title.changed and same_title.summary == "no change"


def test_a_new_first_paragraph_that_only_shares_words_with_the_title_is_a_body_edit() -> None:
    lede = "Council approves budget after a long night of debate, with two members abstaining."
    result = compare(BASE, replace(BASE, title="Council approves the budget", paragraphs=(lede, *PARAGRAPHS)))
    assert result.fields == ("title", "body") and result.summary == "title, body +1 -0 ~0 paragraphs"


def test_appended_paragraph_counts_one_added() -> None:
    assert _counts(_with_paragraphs(*PARAGRAPHS, "Correction: an earlier version misstated the date.")) == (
        1,
        0,
        0,
    )


def test_removed_paragraph_counts_one_removed() -> None:
    assert _counts(_with_paragraphs(*PARAGRAPHS[:2], *PARAGRAPHS[3:])) == (0, 1, 0)


def test_sentence_edit_counts_one_edited() -> None:
    edited = PARAGRAPHS[2].replace("modest incomes", "low incomes")
    assert _counts(_with_paragraphs(*PARAGRAPHS[:2], edited, *PARAGRAPHS[3:])) == (0, 0, 1)


def test_rewritten_paragraph_counts_removed_and_added() -> None:
    rewritten = "Several hundred protesters gathered outside city hall before the meeting began."
    assert _counts(_with_paragraphs(*PARAGRAPHS[:2], rewritten, *PARAGRAPHS[3:])) == (1, 1, 0)


def test_mixed_changes_pair_edits_in_order() -> None:
    new = _with_paragraphs(
        "Breaking: the vote was close.",
        PARAGRAPHS[0].replace("Tuesday", "Wednesday"),
        PARAGRAPHS[1],
        PARAGRAPHS[3].replace("every resident", "all residents"),
        PARAGRAPHS[4],
    )
    result = compare(BASE, new)
    assert (result.added, result.removed, result.edited) == (1, 1, 2)
    assert result.summary == "body +1 -1 ~2 paragraphs"


def test_huge_rewrite_pairs_by_position() -> None:
    old = _with_paragraphs(*(f"Paragraph {index} says something about item {index}." for index in range(150)))
    new = _with_paragraphs(
        *(f"Paragraph {index} says something about thing {index}." for index in range(150))
    )
    result = compare(old, new)
    assert (result.added, result.removed, result.edited) == (0, 0, 150)


def test_body_from_nothing_counts_all_added() -> None:
    result = compare(_with_paragraphs(), BASE)
    assert (result.added, result.removed, result.edited) == (len(PARAGRAPHS), 0, 0)
    assert "@@ -0,0 +1,5 @@" in result.diff


# --- diff text -------------------------------------------------------------------------------------------


def test_word_diff_markup() -> None:
    assert word_diff("the quick brown fox", "the slow brown fox") == "the [-quick-]{+slow+} brown fox"
    assert word_diff("a b c", "a c") == "a [-b-] c"
    assert word_diff("a c", "a b c") == "a {+b+} c"
    assert word_diff("He resigned.", "He resigned?") == "He [-resigned.-]{+resigned?+}"


def test_body_diff_is_paragraph_unified_with_word_markup() -> None:
    edited = PARAGRAPHS[2].replace("modest incomes", "low incomes")
    result = compare(
        BASE, _with_paragraphs("New first paragraph here.", *PARAGRAPHS[:2], edited, *PARAGRAPHS[3:])
    )
    assert result.diff.split("\n") == [
        "== body +1 -0 ~1 paragraphs ==",
        "@@ -1,4 +1,5 @@",
        "+ New first paragraph here.",
        "  " + PARAGRAPHS[0],
        "  " + PARAGRAPHS[1],
        "~ Opposition members said the plan would raise taxes for families on [-modest-]{+low+} incomes.",
        "  " + PARAGRAPHS[3],
    ]


def test_distant_changes_make_separate_hunks() -> None:
    new = _with_paragraphs("Top.", *PARAGRAPHS, "Bottom.")
    hunks = [line for line in compare(BASE, new).diff.split("\n") if line.startswith("@@")]
    assert hunks == ["@@ -1,1 +1,2 @@", "@@ -5,1 +6,2 @@"]


def test_field_sections_precede_body() -> None:
    result = compare(BASE, replace(BASE, title="Council rejects budget", paragraphs=PARAGRAPHS[:4]))
    lines = result.diff.split("\n")
    assert lines[:3] == ["== title ==", "- Council approves budget", "+ Council rejects budget"]
    assert lines[3] == "== body +0 -1 ~0 paragraphs =="
    assert "- " + PARAGRAPHS[4] in lines


def test_render_diff_plain_is_unchanged_and_colour_uses_ansi() -> None:
    edited = PARAGRAPHS[0].replace("Tuesday", "Wednesday")
    result = compare(BASE, replace(BASE, title="New title", paragraphs=(edited, *PARAGRAPHS[1:], "Added.")))
    plain = render_diff(result.diff, color=False)
    assert plain == result.diff and ANSI_ESCAPE not in plain
    coloured = render_diff(result.diff, color=True)
    assert "\x1b[1m== title ==\x1b[0m" in coloured
    assert "\x1b[31m- Council approves budget\x1b[0m" in coloured
    assert "\x1b[32m+ Added.\x1b[0m" in coloured
    assert "\x1b[36m@@" in coloured
    assert "\x1b[31mTuesday\x1b[0m\x1b[32mWednesday\x1b[0m" in coloured
    assert "[-" not in coloured and "{+" not in coloured


# --- suspicion -------------------------------------------------------------------------------------------


def test_suspicion_empty_body() -> None:
    assert suspicion(BASE, _with_paragraphs()) == "empty"


def test_suspicion_shrunk_body() -> None:
    teaser = _with_paragraphs(PARAGRAPHS[0], "Subscribe to continue reading.")
    assert suspicion(BASE, teaser) == "shrunk"


def test_suspicion_respects_ratio() -> None:
    three_of_five = _with_paragraphs(*PARAGRAPHS[2:])  # not a prefix: an edit that removed the opening
    assert suspicion(BASE, three_of_five) is None
    assert suspicion(BASE, three_of_five, shrink_ratio=0.7) == "shrunk"


@pytest.mark.parametrize(
    "new",
    [BASE, _with_paragraphs(*PARAGRAPHS, "More text."), _with_paragraphs(*PARAGRAPHS[1:])],
    ids=["same", "grown", "one-paragraph-removed"],
)
def test_suspicion_none_for_normal_versions(new: Snapshot) -> None:
    assert suspicion(BASE, new) is None


def test_suspicion_none_when_stored_body_was_empty() -> None:
    assert suspicion(_with_paragraphs(), _with_paragraphs()) is None
    assert suspicion(_with_paragraphs(), BASE) is None


def test_suspicion_truncated_body_is_a_prefix() -> None:
    boilerplate = tuple(
        f"Related story number {index} with several words in its title." for index in range(8)
    )
    stored = _with_paragraphs(*boilerplate, *PARAGRAPHS)
    cut_short = _with_paragraphs(*boilerplate, PARAGRAPHS[0], PARAGRAPHS[1][:40])
    assert suspicion(stored, cut_short) == "truncated"


def test_suspicion_small_tail_loss_is_not_truncation() -> None:
    long_story = _with_paragraphs(*PARAGRAPHS, *PARAGRAPHS, *PARAGRAPHS)
    assert suspicion(long_story, _with_paragraphs(*long_story.paragraphs[:-1])) is None


def test_suspicion_wall_phrase_new_in_a_shorter_body() -> None:
    boilerplate = tuple(
        f"Related story number {index} with several words in its title." for index in range(8)
    )
    stored = _with_paragraphs(*boilerplate, *PARAGRAPHS)
    walled = _with_paragraphs(*boilerplate, PARAGRAPHS[0], PARAGRAPHS[1], "Subscribe to continue reading.")
    assert suspicion(stored, walled) == "wall"


def test_suspicion_wall_that_hides_the_story_behind_longer_other_text() -> None:
    # The story's paragraphs are gone behind a wall; the extractor now takes the page's testimonials instead,
    # which are longer than the story was: still a wall, not a new version.
    # Subheadings stay: half of the paragraphs survive, but the words of the story are gone.
    headings = ("Budget", "Schools", "Taxes", "Vote")
    stored = _with_paragraphs(*(text for pair in zip(headings, PARAGRAPHS, strict=False) for text in pair))
    testimonials = tuple(
        f"Customer {index} said the service was excellent and fast, {PARAGRAPHS[0]}" for index in range(6)
    )
    walled = _with_paragraphs(PARAGRAPHS[0][:40], "Subscribe to continue reading.", *headings, *testimonials)
    assert walled.body_words > stored.body_words
    assert suspicion(stored, walled) == "wall"


def test_suspicion_new_wall_phrase_in_a_growing_story_that_keeps_its_paragraphs_is_normal() -> None:
    stored = _with_paragraphs(*PARAGRAPHS)
    quoted = _with_paragraphs(
        *PARAGRAPHS, 'The paper asked readers to "subscribe to continue" funding the inquiry.'
    )
    assert suspicion(stored, quoted) is None


def test_suspicion_wall_phrase_already_present_is_normal() -> None:
    stored = _with_paragraphs(*PARAGRAPHS, "Subscribe to continue reading our newsletter.")
    assert suspicion(stored, _with_paragraphs(*PARAGRAPHS[1:], stored.paragraphs[-1])) is None


# --- benchmark mutations: noise never touches story text -------------------------------------------------

_STORY_SENTENCES = [
    f"Paragraph {index} of the story says the council met on Tuesday and voted on the new budget plan."
    for index in range(4)
]
_STORY_PAGE = (
    "<html><head><title>Council votes</title></head><body>"
    '<nav><ul><li><a href="/">Home page</a></li><li><a href="/world">World news</a></li></ul></nav>'
    "<article><h1>Council votes</h1>"
    + "".join(f"<p>{sentence}</p>" for sentence in _STORY_SENTENCES)
    + '<ul><li>Residents can <a href="/form">read the full budget</a> online before the meeting.</li></ul>'
    '<blockquote class="twitter-tweet"><p>The budget passed with a narrow majority tonight.</p>'
    '— Jane Reporter (@janereporter) <a href="https://t.co/x">November 18, 2019</a></blockquote>'
    '<div class="faq"><span class="faq-count">01.</span> What does the budget change for residents?</div>'
    "</article>"
    '<aside class="related"><a href="/a">Another story about the weather</a>'
    '<div><a href="/authors/jane-reporter">Jane Reporter</a></div>'
    '<a href="/b">Sports results from the weekend</a><span class="view-count">1200 views</span></aside>'
    "</body></html>"
)
_STORY_GOLD = "\n".join(
    [
        *_STORY_SENTENCES,
        "- Residents can read the full budget online before the meeting.",
        "The budget passed with a narrow majority tonight.",
        "— Jane Reporter (@janereporter) November 18, 2019",
        "01. What does the budget change for residents?",
    ]
)


def test_noise_mutations_leave_story_lists_tweets_and_faq_numbers_alone() -> None:
    from testbed.mutations import mutate

    mutations = {mutation.kind: mutation.html for mutation in mutate(_STORY_PAGE, _STORY_GOLD, seed=3)}
    for kind in ("boilerplate_churn", "counters"):
        html = mutations[kind]
        assert '<a href="/form">read the full budget</a>' in html, kind
        assert ">November 18, 2019</a>" in html, kind
        assert ">01.</span>" in html, kind
        assert '<a href="/authors/jane-reporter">Jane Reporter</a>' in html, kind  # a byline, not a link
    # ... while the text outside the story does churn: the noise is still there.
    assert "1200 views" not in mutations["counters"]
    churned = mutations["boilerplate_churn"]
    assert ">Another story about the weather</a>" not in churned or ">Home page</a>" not in churned


def test_a_re_saved_update_stamp_in_the_story_is_a_minor_change_of_the_extracted_body() -> None:
    from monitor.extraction import extract
    from testbed.mutations import STAMP_AFTER, STAMP_BEFORE, mutate

    bump = next(mutation for mutation in mutate(_STORY_PAGE, _STORY_GOLD) if mutation.kind == "stamp_bump")
    assert bump.before is not None and STAMP_BEFORE in bump.before and STAMP_AFTER in bump.html
    old, new = snapshot(extract(bump.before)), snapshot(extract(bump.html))
    assert STAMP_BEFORE in old.body_text and STAMP_AFTER in new.body_text  # the stamp is in the body
    result = compare(old, new)
    assert result.minor and "body" in result.fields  # the page's only date: "published" moves with it


def test_headline_byline_and_date_mutations_rewrite_every_statement() -> None:
    from testbed.mutations import HEADLINE_PREFIX, NEW_AUTHOR, mutate

    page = (
        "<html><head>"
        "<svg><title>Search icon</title></svg><title>Council votes</title>"
        '<meta name="og:title" content="Council votes">'
        '<meta property="Twitter:Title" content="Council votes">'
        '<meta name="article:modified_time" content="2025-10-08T21:33:14.140Z">'
        '<script type="application/ld+json">{"headline": "Council votes",'
        ' "description": "line one\nline two",'
        ' "author": {"name": "Jane Reporter"}}</script>'
        "</head><body><article><h1>Council votes</h1>"
        + "".join(f"<p>{sentence}</p>" for sentence in _STORY_SENTENCES)
        + "<p>The budget passed with a narrow majority tonight.</p></article></body></html>"
    )
    mutations = {mutation.kind: mutation.html for mutation in mutate(page, _STORY_GOLD, seed=1)}
    headline = mutations["edit_headline"]
    assert headline.count(HEADLINE_PREFIX + "Council votes") == 5  # <title>, 2 meta, JSON-LD, <h1>
    assert "<title>Search icon</title>" in headline
    assert NEW_AUTHOR in mutations["edit_byline"] and "Jane Reporter" not in mutations["edit_byline"]
    assert "2025-10-08T21:50:14.140000+00:00" in mutations["date_bump"]


def test_the_same_paragraphs_in_another_order_are_a_minor_change_not_an_edit() -> None:
    # a list page or a kept "most read" block reshuffled: every word is the same, only the order moved
    reshuffled = compare(BASE, _with_paragraphs(*reversed(PARAGRAPHS)))
    assert reshuffled.changed and reshuffled.minor
    assert reshuffled.fields == ("body",)
    assert reshuffled.summary == "body reordered (no words changed)"
    # one word written while the paragraphs move is an edit, alerted as any other
    edited = compare(
        BASE, _with_paragraphs(*reversed(PARAGRAPHS[1:]), PARAGRAPHS[0].replace("Tuesday", "Monday"))
    )
    assert edited.changed and not edited.minor
    # the order kept and a title changed beside it: not minor either
    assert not compare(BASE, replace(BASE, title="Council rejects budget", paragraphs=PARAGRAPHS[::-1])).minor
    # a paragraph repeated in the new order is a word added, not a reorder
    assert not compare(BASE, _with_paragraphs(*PARAGRAPHS, PARAGRAPHS[0])).minor


STORY_LINES = (
    "The council approved the new budget on Monday after a long debate that lasted into the night.",
    "Opponents said the plan cut too deeply into the services that residents rely on every day.",
)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Updated March 19, 2025", "Updated March 20, 2025"),
        ("Stand: 05.10.2023 14:32 Uhr", "Stand: 06.10.2023 09:15 Uhr"),
        ("Published 11:11 PM EST Nov 19, 2019", "Published 2:16 AM EST Nov 20, 2019"),
        ("Zuletzt aktualisiert am 05.10.2023", "Zuletzt aktualisiert am 06.10.2023"),
        ("Mis à jour le 3 octobre 2024", "Mis à jour le 4 octobre 2024"),
    ],
)
def test_a_re_saved_date_stamp_in_the_body_is_a_minor_change(before: str, after: str) -> None:
    old = replace(BASE, paragraphs=(before, *STORY_LINES))
    new = replace(BASE, paragraphs=(after, *STORY_LINES), modified="2024-03-02T09:00:00+00:00")
    result = compare(old, new)
    assert result.changed and result.minor, result.summary
    assert result.summary.endswith("(date only)")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # a sentence that holds a date is the story's fact
        ("The vote is set for March 19, 2025.", "The vote is set for March 26, 2025."),
        # a stamp changed with a sentence beside it: an edit
        ("Updated March 19, 2025", "Updated March 20, 2025\nThe mayor resigned on Tuesday night."),
        # a column of dates (a timeline, a table) changes as the story's facts do
        ("1/1/2013\n2/1/2013\n3/1/2013", "1/1/2014\n2/1/2014\n3/1/2014"),
        # figures that are no date
        ("Rated 9.7/10", "Rated 9.1/10"),
        ("Unemployment 4.20%", "Unemployment 4.35%"),
        ("Mayor 12 votes", "Mayor 15 votes"),
        # a time or a date beside words that are no publication label: the story's line
        ("Suspect arrested 14:32", "Suspect released 14:32"),
        ("Final score 21:14", "Final score 21:17"),
        ("Biden wins Nov 5", "Trump wins Nov 5"),
        ("Updated March 19, 2025", "Deadline March 20, 2025"),
        ("3 dead, 12 hurt at 14:30", "30 dead, 120 hurt at 14:30"),
        ("Born May 5, 1950", "Born May 6, 1950"),
    ],
)
def test_dates_in_the_story_s_sentences_and_tables_are_edits(before: str, after: str) -> None:
    old = replace(BASE, paragraphs=(before, *STORY_LINES))
    new = replace(BASE, paragraphs=(after, *STORY_LINES))
    result = compare(old, new)
    assert result.changed and not result.minor, result.summary


def test_a_change_that_writes_no_word_is_wordless() -> None:
    old = replace(BASE, paragraphs=("Backlog 8", "Todo 71 ENG-926", *STORY_LINES))
    figures = replace(BASE, paragraphs=(*STORY_LINES, "Todo 72 ENG-927", "Backlog 9", "3"))
    assert wordless(old, figures)  # figures moved, lines reordered, a bare number came
    posts = ("Ann Lee: forums still matter.", "Bo Chan: they never did.")
    thread = replace(BASE, byline="Ann Lee", paragraphs=posts)
    reordered = replace(BASE, byline="Bo Chan", paragraphs=posts[::-1])
    assert wordless(thread, reordered)  # the byline is another poster the thread lists
    assert not wordless(thread, replace(thread, byline=""))  # a byline that went, though the text names it


@pytest.mark.parametrize(
    "edited",
    [
        replace(BASE, paragraphs=(*PARAGRAPHS, "A new sentence.")),
        replace(BASE, paragraphs=(PARAGRAPHS[0].replace("budget", "plan"), *PARAGRAPHS[1:])),
        replace(BASE, byline="Someone Else"),  # a byline no version names
    ],
    ids=["sentence-added", "word-changed", "byline-edited"],
)
def test_a_change_that_writes_a_word_is_not_wordless(edited: Snapshot) -> None:
    assert compare(BASE, edited).changed and not wordless(BASE, edited)


def test_a_line_with_a_time_added_beside_the_story_is_an_edit() -> None:
    old = replace(BASE, paragraphs=STORY_LINES)
    new = replace(BASE, paragraphs=("14:32 Minister resigns", *STORY_LINES))  # a live blog's new entry
    result = compare(old, new)
    assert result.changed and not result.minor
