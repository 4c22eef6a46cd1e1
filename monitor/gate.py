"""The article gate: is an extracted page a story (and of which kind), from the evidence it carries.

Pure functions over an Article and its PageSignals; the pipeline records the verdict (store/links.py). No
single rule decides: every class of evidence (monitor/gate_features.py: structured data, og:type, dates,
byline, headline, URL shape, prose and its share of the page, teaser cards, posts, prices, code, forms) is a
feature, weighed by a logistic regression and a small model of shallow boosted trees that corrects it, both
trained offline on labelled pages with grouped cross-validation (benchmarks/train_gate.py) and shipped as
monitor/gate_weights.json; here that is a dot product and a walk down each tree in pure Python, every step
along a page's path credited to the feature it tested, so the verdict's reasons add up to its score. A
site's own include / not_stories patterns decide before any evidence.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from monitor.gate_features import ARTICLE_TYPES, NON_STORY_TYPES, REASONS, features, text_counts
from monitor.models import Article, PageSignals

__all__ = [
    "ARTICLE_TYPES", "NON_STORY_TYPES", "STORY_KINDS", "Verdict", "hard_non_story", "judge", "story_kind"
]  # fmt: skip

WEIGHTS_FILE = Path(__file__).with_name("gate_weights.json")
KIND_TYPES = (  # first match wins: a live blog is also an Article
    ("liveblog", frozenset({"LiveBlogPosting"})),
    ("podcast", frozenset({"PodcastEpisode"})),
    ("gallery", frozenset({"ImageGallery"})),
)
# the Article types that say "a written story" (an ImageGallery or PodcastEpisode type does not)
WRITTEN_TYPES = ARTICLE_TYPES - {"ImageGallery", "PodcastEpisode", "LiveBlogPosting"}
HARD_KINDS = ("product", "forum")  # structured types that decide alone (see hard_non_story)
STORY_KINDS = ("article", "liveblog", "video", "gallery", "podcast")
STORY_THRESHOLD = 0  # a score (tenths of log-odds above the trained threshold) of 0 or more is a story
# A story scored under this (4 log-odds above the threshold) stands on weak evidence: most pages that are not
# stories and still pass score there (bench_gate.py: every false CHANGED came from a page under 50). Its
# changes that write no word (figures moved, lines reordered) are stored as minor versions, not alerted.
UNSURE_BELOW = 40
FORCED_STORY = "config: include pattern"
FORCED_NOT_STORY = "config: not_stories pattern"
MEDIA_KIND_MAX_PROSE = 2  # a gallery or video page with more paragraphs of prose is an article with media
REASONS_SHOWN = 8
POINTS = 10  # score units per log-odds: reasons read "+14 a publication date"
BASELINE = "the baseline every page starts from"
_TYPED_REASONS = {f"structured_{kind}": types for kind, types in NON_STORY_TYPES.items()}
_TYPED_REASONS["structured_article"] = ARTICLE_TYPES


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gate's decision on one page: story or not, its kind, and every reason that weighed in."""

    is_story: bool
    kind: str  # a story kind (STORY_KINDS), or what the page is: listing, product, forum, service, page
    score: int  # tenths of log-odds above the story threshold: >= 0 is a story
    reasons: tuple[str, ...]
    forced: bool = False  # the site's include or not_stories patterns decided, not the evidence

    @property
    def label(self) -> str:
        return "story" if self.is_story else "not_story"

    @property
    def unsure(self) -> bool:
        """A story on weak evidence (scored under UNSURE_BELOW), unless the site's include patterns say so."""
        return self.is_story and self.score < UNSURE_BELOW and not self.forced


@dataclass(frozen=True, slots=True)
class Tree:
    """One tree as flat node lists; `feature` indexes Model.names, -1 at a leaf. `value`: the node's
    log-odds (a leaf's is the model's; an inner node's the mean of its leaves: a path's steps add up to its
    leaf)."""

    feature: list[int]
    threshold: list[float]
    left: list[int]
    right: list[int]
    value: list[float]


@dataclass(frozen=True, slots=True)
class Model:
    """The trained model: log-odds = intercept + sum(weight * feature) + each tree's steps from its root; a
    story from `threshold` up."""

    intercept: float
    threshold: float
    weights: dict[str, float]
    names: tuple[str, ...]  # the features the trees test
    trees: tuple[Tree, ...]


@cache
def model() -> Model:
    """The shipped model, read on the first verdict (never at import: `monitor --help` stays cheap)."""
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    names = tuple(sorted({name for tree in data["trees"] for name in tree["feature"] if name is not None}))
    index = {name: position for position, name in enumerate(names)}
    trees = tuple(
        Tree(
            [-1 if name is None else index[name] for name in tree["feature"]],
            tree["threshold"],
            tree["left"],
            tree["right"],
            tree["value"],
        )  # fmt: skip
        for tree in data["trees"]
    )
    weights = {name: float(weight) for name, weight in data.get("weights", {}).items()}
    return Model(float(data["intercept"]), float(data["threshold"]), weights, names, trees)


def contributions(found: dict[str, float], trained: Model) -> dict[str, float]:
    """Each feature's share of the page's log-odds above the intercept: its weight times its value, plus
    the sum of its trees' steps."""
    vector = [found[name] for name in trained.names]
    gained = [0.0] * len(vector)
    for tree in trained.trees:
        feature, threshold, left, right, value = (
            tree.feature,
            tree.threshold,
            tree.left,
            tree.right,
            tree.value,
        )
        node = 0
        tested = feature[0]
        while tested >= 0:
            child = left[node] if vector[tested] <= threshold[node] else right[node]
            gained[tested] += value[child] - value[node]
            node = child
            tested = feature[node]
    shares = {name: weight * found[name] for name, weight in trained.weights.items()}
    for name, share in zip(trained.names, gained, strict=True):
        shares[name] = shares.get(name, 0.0) + share
    return shares


def judge(
    article: Article,
    url: str,
    *,
    forced_story: bool = False,
    forced_not_story: bool = False,
    kinds: Sequence[str] = STORY_KINDS,
) -> Verdict:
    """Weigh the page's evidence; a site's own patterns (include / not_stories) decide first."""
    signals = article.signals or PageSignals()
    counts = text_counts(article.text)
    prose = counts.prose
    kind = story_kind(signals, prose)
    if forced_not_story:
        return Verdict(False, "page", 0, (FORCED_NOT_STORY,), forced=True)
    if forced_story:
        return Verdict(True, kind, 0, (FORCED_STORY,), forced=True)
    hard = hard_non_story(signals)
    if hard is not None:
        named = ", ".join(sorted(set(signals.structured_types) & NON_STORY_TYPES[hard]))
        reason = f"structured data of a {hard}: {named} (no Article type)"
        return Verdict(False, hard, -POINTS * 10, (reason,))
    trained = model()
    found = features(article, url, counts)
    gained = contributions(found, trained)
    log_odds = trained.intercept + sum(gained.values())
    score = round((log_odds - trained.threshold) * POINTS)
    ranked = [(share, name) for name, share in gained.items()]
    reasons = _reasons([*ranked, (trained.intercept - trained.threshold, BASELINE)], found, signals)
    if score < STORY_THRESHOLD:
        return Verdict(False, _non_story_kind(signals), score, reasons)
    if kind not in kinds:
        return Verdict(False, kind, score, (*reasons, f"kind {kind} is not in the site's kinds"))
    return Verdict(True, kind, score, reasons)


def hard_non_story(signals: PageSignals) -> str | None:
    """ "product" or "forum" when the page's structured data says so and names no Article type.

    No story of the labelled sets carries one (benchmarks/train_gate.py); a listing or service type is
    only weighed (stories carry those too)."""
    types = set(signals.structured_types)
    if types & ARTICLE_TYPES:
        return None
    for kind in HARD_KINDS:
        if types & NON_STORY_TYPES[kind]:
            return kind
    return None


def story_kind(signals: PageSignals, prose: int = 0) -> str:
    """article, liveblog, video, gallery or podcast, from structured data and og:type.

    A live blog or podcast type is strong evidence; a gallery or video needs its type on a page with almost
    no prose of its own, and no written-story type: an article with a photo strip or an embedded clip is an
    article.
    """
    types = set(signals.structured_types)
    for kind, kind_types in KIND_TYPES:
        if types & kind_types:
            if kind != "gallery" or _media_page(types, prose):
                return kind
    og_type = signals.og_type or ""
    if (og_type.startswith("video") or "VideoObject" in types) and _media_page(types, prose):
        return "video"
    return "article"


def _media_page(types: set[str], prose: int) -> bool:
    return not types & WRITTEN_TYPES and prose <= MEDIA_KIND_MAX_PROSE


def _reasons(
    contributions: list[tuple[float, str]], found: dict[str, float], signals: PageSignals
) -> tuple[str, ...]:
    """The features that weighed most, strongest first, each with its share of the score ("none": the
    page lacks that evidence, and the lack weighed)."""
    ranked = sorted(contributions, key=lambda item: -abs(item[0]))
    shown = []
    for contribution, name in ranked[:REASONS_SHOWN]:
        points = round(contribution * POINTS)
        if points == 0:
            break
        reason = REASONS.get(name, name)
        typed = _TYPED_REASONS.get(name)
        if found.get(name, 1.0) == 0.0:
            reason += " (none)"
        elif typed is not None:
            reason += ": " + ", ".join(sorted(set(signals.structured_types) & typed))
        shown.append(f"{points:+d} {reason}")
    return tuple(shown) or ("no evidence either way",)


def _non_story_kind(signals: PageSignals) -> str:
    types = set(signals.structured_types)
    for kind, kind_types in NON_STORY_TYPES.items():
        if types & kind_types:
            return kind
    if signals.commerce_marks >= 2:
        return "product"
    if signals.forum_posts >= 3:
        return "forum"
    if signals.linked_headings >= 10 or signals.pagination:
        return "listing"
    return "page"
