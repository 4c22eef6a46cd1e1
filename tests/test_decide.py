"""decide() and decide_first_sight() from tables of cases: pure functions, no HTTP and no database."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from monitor.config import Site, load_config
from monitor.models import (
    Article,
    FetchedPage,
    GoneStage,
    StoredVersion,
    StoryStatus,
    TrackedArticle,
    Validators,
)
from monitor.pipeline.decide import (
    NO_STORY,
    UNSURE_NOTE,
    Changed,
    Decision,
    Extracted,
    Failed,
    Gone,
    Known,
    Minor,
    Moved,
    New,
    Quarantined,
    Restored,
    Reverted,
    Unchanged,
    decide,
    decide_first_sight,
    needs_content,
    new_version,
)

URL = "https://news.example/2025/10/01/story/"
HOME = "https://news.example/"
STORED_BYTES = b"<html>the stored page</html>"
NEW_BYTES = b"<html>another page</html>"
PARAGRAPHS = [
    "The council approved the new budget on Monday after a long debate that lasted into the night.",
    "Opponents said the plan cut too deeply into the services that residents rely on every day.",
    "The mayor said the city would review the spending again in the spring and report back.",
]
STORED = Article(
    title="Council approves the budget",
    byline="Jane Reporter",
    published="2025-10-01T08:00:00+00:00",
    text="\n\n".join(PARAGRAPHS),
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    config_path = Path(tmp_path_factory.mktemp("decide")) / "config.yaml"
    config_path.write_text(f"sites:\n  - name: news\n    start_urls: ['{HOME}', '{HOME}world/']\n")
    return load_config(config_path).sites[0]


def story(**changes: object) -> TrackedArticle:
    tracked = TrackedArticle(
        id=1,
        site="news",
        url=URL,
        canonical_url=URL,
        first_seen_at="2025-10-01T08:00:00Z",
        last_changed_at=None,
        status=StoryStatus.ACTIVE,
        current_version=1,
        etag='"v1"',
        last_modified=None,
        body_sha256=FetchedPage(url=URL, final_url=URL, status=200, body=STORED_BYTES).body_sha256,
        consecutive_failures=0,
        pending_hash=None,
        pending_reason=None,
    )
    return dataclasses.replace(tracked, **changes)  # type: ignore[arg-type]


def page(
    *, status: int | None = 200, body: bytes = NEW_BYTES, final_url: str = URL, **changes: object
) -> FetchedPage:
    fetched = FetchedPage(url=URL, final_url=final_url, status=status, body=body, etag='"v2"')
    return dataclasses.replace(fetched, **changes)  # type: ignore[arg-type]


def edited(**changes: object) -> Article:
    return dataclasses.replace(STORED, **changes)  # type: ignore[arg-type]


def paragraphs(*texts: str) -> str:
    return "\n\n".join(texts)


@dataclass(frozen=True)
class Content:
    """What the extracted page holds, what is stored, and what the story's history says."""

    article: Article
    current: Article | None = STORED
    earlier_version: int | None = None
    earlier_reported: bool = False
    pending_is_this: bool = False  # the story's quarantined hash is this very content
    unsure_story: bool = False  # the gate took the page for a story on weak evidence (Verdict.unsure)


def extracted(content: Content) -> Extracted:
    version = new_version(URL, content.article, URL)
    current = None
    if content.current is not None:
        current = StoredVersion(content.current, new_version(URL, content.current, URL).content_hash)
    return Extracted(
        version, current, content.earlier_version, content.earlier_reported, content.unsure_story
    )


def figures_only(*, unsure: bool) -> Content:
    """A page whose figures moved and whose lines reordered, not one word written (a service page's
    counters, a docs page's version numbers), the headline's year included."""
    return Content(
        edited(
            title="Council approves the 2026 budget",
            text=paragraphs(PARAGRAPHS[2], PARAGRAPHS[1], PARAGRAPHS[0] + " Open 9 to 5, 3 offices."),
        ),
        current=edited(
            title="Council approves the 2025 budget",
            text=paragraphs(PARAGRAPHS[0] + " Open 8 to 4, 2 offices.", PARAGRAPHS[1], PARAGRAPHS[2]),
        ),
        unsure_story=unsure,
    )


@dataclass(frozen=True)
class Case:
    story: dict[str, object] = field(default_factory=dict)
    page: dict[str, object] = field(default_factory=dict)
    content: Content | None = None
    expected: tuple[type, ...] = ()
    alert_minor: bool = False


CASES = {
    "a 404 is suspected first": Case(page={"status": 404, "error": "http_404"}, expected=(Gone,)),
    "a second 410 is a removal": Case(
        story={"pending_reason": "gone"}, page={"status": 410, "error": "http_410"}, expected=(Gone,)
    ),
    "a redirect to the front page is gone": Case(page={"final_url": HOME}, expected=(Gone,)),
    "a redirect to a start page is gone": Case(page={"final_url": HOME + "world/"}, expected=(Gone,)),
    "a timeout is a failed check": Case(page={"status": None, "error": "timeout"}, expected=(Failed,)),
    "a 500 is a failed check": Case(page={"status": 500, "error": "http_500"}, expected=(Failed,)),
    "a 304 is unchanged without parsing": Case(
        page={"status": 304, "body": b"", "not_modified": True}, expected=(Unchanged,)
    ),
    "the same bytes are unchanged without parsing": Case(page={"body": STORED_BYTES}, expected=(Unchanged,)),
    "a removed story answering again is restored": Case(
        story={"status": StoryStatus.REMOVED}, page={"body": STORED_BYTES}, expected=(Restored, Unchanged)
    ),
    "a redirect to another story URL is a move": Case(
        page={"body": STORED_BYTES, "final_url": "https://news.example/2025/10/01/renamed/"},
        expected=(Moved, Unchanged),
    ),
    "new bytes, same story: unchanged": Case(content=Content(STORED), expected=(Unchanged,)),
    "nothing stored yet: unchanged": Case(content=Content(STORED, current=None), expected=(Unchanged,)),
    "a body edit is a change": Case(
        content=Content(edited(text=paragraphs(*PARAGRAPHS, "Update: the vote was 7 to 2."))),
        expected=(Changed,),
    ),
    "a headline edit is a change": Case(
        content=Content(edited(title="Council passes the budget after a long night")), expected=(Changed,)
    ),
    "a date-only edit is minor": Case(
        content=Content(edited(modified="2025-10-02T09:00:00+00:00")), expected=(Minor,)
    ),
    "a date-only edit alerts when the site asks": Case(
        content=Content(edited(modified="2025-10-02T09:00:00+00:00")), expected=(Changed,), alert_minor=True
    ),
    "a shrunken body is quarantined": Case(
        content=Content(edited(text=PARAGRAPHS[0])), expected=(Quarantined,)
    ),
    "a shrunken body seen twice is a change": Case(
        content=Content(edited(text=PARAGRAPHS[0]), pending_is_this=True), expected=(Changed,)
    ),
    "a return to an earlier version is a revert": Case(
        content=Content(edited(title="Headline B"), earlier_version=1), expected=(Reverted,)
    ),
    "a removed story back with an edit": Case(
        story={"status": StoryStatus.REMOVED},
        content=Content(edited(text=paragraphs(*PARAGRAPHS, "Update: the vote was 7 to 2."))),
        expected=(Restored, Changed),
    ),
    "figures only, on a sure story: a change": Case(content=figures_only(unsure=False), expected=(Changed,)),
    "figures only, on an unsure story: minor": Case(content=figures_only(unsure=True), expected=(Minor,)),
    "figures only, on an unsure story, alert_minor: a change": Case(
        content=figures_only(unsure=True), expected=(Changed,), alert_minor=True
    ),
    "a word written on an unsure story: a change": Case(
        content=Content(
            edited(text=paragraphs(*PARAGRAPHS, "Update: the vote was 7 to 2.")), unsure_story=True
        ),
        expected=(Changed,),
    ),
    "only the headline's echo in the body came: unchanged": Case(
        content=Content(edited(text=paragraphs("Council approves the budget", *PARAGRAPHS))),
        expected=(Unchanged,),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_recheck_decisions(case: Case, site: Site) -> None:
    site = dataclasses.replace(site, alert_minor=case.alert_minor)
    tracked = story(**case.story)
    fetched = page(**case.page)
    content = extracted(case.content) if case.content is not None else None
    if case.content is not None and case.content.pending_is_this:
        assert content is not None
        tracked = dataclasses.replace(tracked, pending_hash=content.version.content_hash)
    assert needs_content(tracked, fetched, site) == (case.content is not None)
    decisions = decide(tracked, fetched, content, site)
    assert tuple(type(decision) for decision in decisions) == case.expected


def test_an_unsure_storys_figures_only_change_says_why_it_is_minor(site: Site) -> None:
    decision = only(decide(story(), page(), extracted(figures_only(unsure=True)), site))
    assert isinstance(decision, Minor)
    assert decision.comparison.fields == ("title", "body")
    assert decision.comparison.summary.endswith(UNSURE_NOTE)
    assert "2025" in decision.comparison.diff and "2026" in decision.comparison.diff  # the history is exact


def only(decisions: tuple[Decision, ...]) -> Decision:
    assert len(decisions) == 1
    return decisions[0]


@pytest.mark.parametrize(
    ("story_changes", "stage"),
    [
        ({}, GoneStage.SUSPECTED),
        ({"pending_reason": "gone"}, GoneStage.CONFIRMED),
        ({"status": StoryStatus.REMOVED}, GoneStage.STILL_REMOVED),
        ({"status": StoryStatus.REMOVED, "pending_reason": "gone"}, GoneStage.STILL_REMOVED),
        ({"pending_reason": "shrunk"}, GoneStage.SUSPECTED),
    ],
    ids=["first", "confirmed", "still removed", "still removed, pending", "other quarantine"],
)
def test_gone_stages(story_changes: dict[str, object], stage: GoneStage, site: Site) -> None:
    decision = only(decide(story(**story_changes), page(status=404, error="http_404"), None, site))
    assert decision == Gone(stage)


def test_decisions_carry_what_apply_needs(site: Site) -> None:
    not_modified = only(decide(story(), page(status=304, body=b"", not_modified=True), None, site))
    assert not_modified == Unchanged(None)  # the stored validators stay
    fetched = page()
    same = only(decide(story(), fetched, extracted(Content(STORED)), site))
    assert same == Unchanged(Validators('"v2"', None, fetched.body_sha256))
    moved = decide(story(), page(body=STORED_BYTES, final_url=URL.replace("story", "renamed")), None, site)
    assert moved[0] == Moved(URL.replace("story", "renamed"))
    revert = only(decide(story(), fetched, extracted(Content(edited(title="B"), earlier_version=3)), site))
    assert isinstance(revert, Reverted) and revert.version_number == 3 and revert.report
    reported = Content(edited(title="B"), earlier_version=3, earlier_reported=True)
    again = only(decide(story(), fetched, extracted(reported), site))
    assert isinstance(again, Reverted) and not again.report
    shrunk = only(decide(story(), fetched, extracted(Content(edited(text=PARAGRAPHS[0]))), site))
    assert isinstance(shrunk, Quarantined) and shrunk.reason == "shrunk"
    change = only(decide(story(), fetched, extracted(Content(edited(title="New title here"))), site))
    assert isinstance(change, Changed) and change.comparison.fields == ("title",)
    assert change.version.article.title == "New title here"


def test_deciding_without_the_needed_content_is_an_error(site: Site) -> None:
    with pytest.raises(ValueError, match="needs its extracted content"):
        decide(story(), page(), None, site)


FIRST_SIGHTS = {
    "a failed fetch": (page(status=None, error="connect"), STORED, False, Failed),
    "a 404": (page(status=404, error="http_404"), STORED, False, Failed),
    "a page without a story": (page(), Article(), False, Failed),
    "a story": (page(), STORED, False, New),
    "a story tracked under its canonical URL": (page(), edited(canonical_url=URL + "amp/"), True, Known),
}


@pytest.mark.parametrize(
    ("fetched", "article", "tracked", "expected"), FIRST_SIGHTS.values(), ids=FIRST_SIGHTS
)
def test_first_sight_decisions(fetched: FetchedPage, article: Article, tracked: bool, expected: type) -> None:
    link_url = URL
    canonical = article.canonical_url or link_url
    version = new_version(link_url, article, canonical) if fetched.ok else None
    decision = decide_first_sight(link_url, fetched, version, tracked)
    assert type(decision) is expected
    if isinstance(decision, Failed) and fetched.ok:
        assert decision.error == NO_STORY
    if isinstance(decision, New):
        assert decision.validators == Validators('"v2"', None, fetched.body_sha256)


def test_a_first_sight_under_its_own_url_is_new_even_when_tracked() -> None:
    version = new_version(URL, STORED, URL)
    assert isinstance(decide_first_sight(URL, page(), version, True), New)
