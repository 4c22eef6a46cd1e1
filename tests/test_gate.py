"""The article gate (monitor/gate.py) on pages of each class, and the page signals extraction collects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor import gate
from monitor.extraction import extract
from monitor.gate_features import REASONS, features
from monitor.models import Article, PageSignals

DATA = Path(__file__).parent / "data"
CASES: list[dict[str, Any]] = yaml.safe_load((DATA / "gate_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{case['file']}-{'+'.join(case.get('kinds', ['default']))}" for case in CASES]
)
def test_gate_verdict_on_each_class_of_page(case: dict[str, Any]) -> None:
    article = extract((DATA / "gate" / case["file"]).read_bytes(), url=case["url"])
    verdict = gate.judge(article, case["url"], kinds=tuple(case.get("kinds", ("article",))))
    assert (verdict.is_story, verdict.kind) == (case["story"], case["kind"]), verdict.reasons
    assert verdict.reasons  # a verdict always says why


def test_signals_are_read_before_extraction_strips_the_tree() -> None:
    article = extract((DATA / "gate" / "product.html").read_bytes(), url="https://example.com/p/shoe")
    assert article.signals is not None
    assert "Product" in article.signals.structured_types
    assert article.signals.og_type == "product"
    microdata = extract(
        '<div itemscope itemtype="https://schema.org/Product"><h1>Shoe</h1><div itemprop="offers" itemscope '
        'itemtype="https://schema.org/Offer"><span itemprop="price">12</span></div></div>'
    )
    assert microdata.signals is not None and microdata.signals.commerce_marks == 2
    assert {"Product", "Offer"} <= set(microdata.signals.structured_types)
    listing = extract((DATA / "gate" / "listing.html").read_bytes(), url="https://example.com/news/")
    assert listing.signals is not None
    assert listing.signals.linked_headings == 14 and listing.signals.pagination


def test_forced_either_way_by_the_site() -> None:
    product = extract((DATA / "gate" / "product.html").read_bytes(), url="https://example.com/p/shoe")
    assert gate.judge(product, "https://example.com/p/shoe", forced_story=True).is_story
    story = extract((DATA / "gate" / "news-article.html").read_bytes(), url="https://example.com/a/")
    forced = gate.judge(story, "https://example.com/a/", forced_not_story=True)
    assert not forced.is_story and forced.reasons == ("config: not_stories pattern",)


def test_a_story_on_weak_evidence_is_unsure() -> None:
    story = extract((DATA / "gate" / "news-article.html").read_bytes(), url="https://example.com/a/")
    verdict = gate.judge(story, "https://example.com/a/")
    assert verdict.is_story and verdict.score >= gate.UNSURE_BELOW and not verdict.unsure
    weak = gate.Verdict(True, "article", gate.UNSURE_BELOW - 1, ("+3 a publication date",))
    assert weak.unsure
    assert not gate.Verdict(False, "listing", -5, ("-5 teaser cards",)).unsure  # no story at all
    product = extract((DATA / "gate" / "product.html").read_bytes(), url="https://example.com/p/shoe")
    forced = gate.judge(product, "https://example.com/p/shoe", forced_story=True)
    assert forced.forced and forced.score < gate.UNSURE_BELOW and not forced.unsure  # the site said story


@pytest.mark.parametrize(
    ("signals", "expected_kind"),
    [
        (PageSignals(structured_types=("LiveBlogPosting",)), "liveblog"),
        (PageSignals(structured_types=("NewsArticle", "VideoObject")), "article"),
        (PageSignals(structured_types=("VideoObject",)), "video"),
        (PageSignals(og_type="video.other"), "video"),
        (PageSignals(structured_types=("PodcastEpisode",)), "podcast"),
        (PageSignals(structured_types=("ImageGallery",)), "gallery"),
        (PageSignals(), "article"),
    ],
)
def test_story_kind(signals: PageSignals, expected_kind: str) -> None:
    assert gate.story_kind(signals) == expected_kind


@pytest.mark.parametrize(
    ("file", "url"),
    [
        ("listing.html", "https://example.com/news/local-news-from-the-city/"),
        ("docs.html", "https://example.com/docs/client/install"),
    ],
)
def test_listing_and_docs_pages_weigh_less_than_every_story(file: str, url: str) -> None:
    # At the shipped operating point (99% of held-out articles kept) these classes are often stored: a
    # listing with a story-like slug and a prose-heavy docs page (benchmarks/README.md, train_gate.py). What
    # the weights must still do is rank them below the stories.
    page = gate.judge(extract((DATA / "gate" / file).read_bytes(), url=url), url)
    for case in CASES:
        if case["story"]:
            html = (DATA / "gate" / case["file"]).read_bytes()
            story = gate.judge(extract(html, url=case["url"]), case["url"])
            assert page.score < story.score, (page.reasons, story.reasons)


def test_no_evidence_is_no_story() -> None:
    verdict = gate.judge(Article(title="Home", text="Welcome."), "https://example.com/start")
    assert not verdict.is_story and verdict.score < gate.STORY_THRESHOLD


def test_the_shipped_model_tests_only_named_features() -> None:
    assert set(gate.model().weights) == set(REASONS)  # the regression weighs every feature
    assert set(gate.model().names) <= set(REASONS)
    assert len(gate.model().names) >= 20  # the trees weigh many classes of evidence, not a few
    found = features(Article(title="A title", text="Some text."), "https://example.com/a/b")
    assert set(found) == set(REASONS)


@pytest.mark.parametrize(
    ("signals", "prose", "expected_kind"),
    [
        (PageSignals(structured_types=("ImageGallery",)), 6, "article"),  # a story with a photo strip
        (PageSignals(structured_types=("ImageGallery", "NewsArticle")), 0, "article"),
        (PageSignals(structured_types=("VideoObject",)), 5, "article"),  # a story with an embedded clip
        (PageSignals(og_type="video.other", structured_types=("NewsArticle",)), 1, "article"),
        (PageSignals(structured_types=("LiveBlogPosting", "NewsArticle")), 9, "liveblog"),
    ],
)
def test_media_kinds_need_a_media_page(signals: PageSignals, prose: int, expected_kind: str) -> None:
    assert gate.story_kind(signals, prose) == expected_kind


def test_the_voice_of_the_text_counts_whole_words() -> None:
    service = features(
        Article(text="At Acme we build sites. Our team helps you grow your business."), "https://e.x/"
    )
    report = features(
        Article(text="The mayor said the bridge opens in May, users told reporters."), "https://e.x/"
    )
    assert service["we_words"] > 0 and service["you_words"] > 0 and service["reported_speech"] == 0
    assert report["we_words"] == 0 and report["reported_speech"] > 0  # "users" is not "us"


def test_signals_count_forms_buttons_times_tables_articles_and_subheadings() -> None:
    article = extract(
        "<html><body><h1>Acme</h1><form><input name=q><select><option>1</option></select>"
        "<textarea></textarea><button>Search</button></form>"
        "<article><h2><a href=/a>First</a></h2><time>May 1</time></article>"
        "<article><h2>Second</h2><time>May 2</time></article><h3>More</h3><table><tr><td>1</td></tr></table>"
        "<p>Text of the page, long enough to be a paragraph of prose for the extraction to keep.</p>"
        "</body></html>"
    )
    signals = article.signals
    assert signals is not None
    counted = (signals.forms, signals.form_fields, signals.buttons, signals.time_elements, signals.tables)
    assert counted == (1, 3, 1, 2, 1)
    assert (signals.article_elements, signals.subheadings, signals.linked_headings) == (2, 3, 1)


def test_the_reasons_add_up_to_the_score() -> None:
    url = "https://example.com/news/2026/11/20/council-approves-bridge/"
    article = extract((DATA / "gate" / "news-article.html").read_bytes(), url=url)
    trained = gate.model()
    shares = gate.contributions(features(article, url), trained)
    verdict = gate.judge(article, url)
    log_odds = trained.intercept + sum(shares.values())
    assert verdict.score == round((log_odds - trained.threshold) * gate.POINTS)
    assert sum(1 for share in shares.values() if share) >= 10  # many features weighed in, not a few


def test_title_and_text_words_name_classes_of_page() -> None:
    docs = features(Article(title="Installation guide", text="Run the installer."), "https://e.x/a")
    forum = features(
        Article(title="Router drops - Forum", text="Posted by ann. Reply quote: same here, joined 2019."),
        "https://e.x/t/1",
    )
    story = features(
        Article(title="Council approves the bridge", text="The mayor said it opens."), "https://e.x/"
    )
    assert docs["title_docs"] == 1 and docs["title_forum"] == 0
    assert forum["title_forum"] == 1 and forum["thread_words"] > 0
    assert not any(story[name] for name in ("title_docs", "title_forum", "title_listing", "title_service"))
    assert story["thread_words"] == 0
