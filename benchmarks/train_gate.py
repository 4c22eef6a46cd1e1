"""Train the article gate's weights (monitor/gate_weights.json) and report them held out (issue 12).

Every labelled page: the 688 non-articles of ../shared/data/pages/wcxb-nonarticles-dev and the article pages
of ../shared/data/extraction (wcxb-articles-dev, scrapinghub, mercury-news, goose3-news, newspaper4k-pages;
not trafilatura-eval, whose pages are not all stories). Each page is extracted as the daemon does, its
features are monitor.gate_features.features(), and a logistic regression weighs them, corrected by a small
gradient-boosted model of shallow trees fitted to what the regression gets wrong (--model lr: the regression
alone; --model trees: the trees alone, which held out did no better and, unlike the regression, call a page
with no evidence at all a story; both for comparison).

Held out means grouped cross-validation: 5 folds grouped by registered domain, so no site is in both the
training and the test fold. The threshold is the highest log-odds at which the held-out articles are kept at
--recall or more, and every article set at 99% or more (article recall first: losing a story is worse than
tracking a service page; no set of stories pays for the others); the report
prints, at that threshold, the held-out share stored per page type and per article set. The shipped weights
are then fitted on every page (but those structured data alone rejects: monitor.gate.hard_non_story).
numpy and scikit-learn are needed here only (the `bench` extra); the daemon walks the exported trees in pure
Python (monitor/gate.py), each node carrying its value so that every verdict splits into per-feature reasons.

Usage: python benchmarks/train_gate.py [--recall 0.995] [--model hybrid|trees|lr] [--c 1.0] [--dry-run]
       [--show-errors N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from monitor.extraction import extract
from monitor.gate import hard_non_story
from monitor.gate_features import REASONS, features
from monitor.models import PageSignals

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
NON_ARTICLES = DATA / "pages" / "wcxb-nonarticles-dev"
ARTICLE_SETS = ("wcxb-articles-dev", "scrapinghub", "mercury-news", "goose3-news", "newspaper4k-pages")
WEIGHTS = REPO / "monitor" / "gate_weights.json"
FOLDS = 5
OPERATING_POINTS = (0.95, 0.97, 0.98, 0.99, 0.995)
SET_RECALL = 0.99  # the shipped threshold also keeps at least this share of every article set
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu"})
# 40 trees of depth 3 on top of the regression, with at least 10 pages a leaf, a subsample of pages and half
# the features per tree: held out, 100 or 300 trees did no better on unseen sites, and each tree costs the
# daemon ~1 us a page.
TREES = {
    "n_estimators": 40, "max_depth": 3, "learning_rate": 0.2, "subsample": 0.7, "min_samples_leaf": 10,
    "max_features": 0.5,
}  # fmt: skip


@dataclass
class Labelled:
    group: str  # the data set: wcxb-nonarticles-dev or an article set
    page_type: str  # "article" or the non-article label
    url: str
    vector: list[float]
    hard_non_story: bool  # decided by structured data before any weight (monitor.gate.hard_non_story)


def domain(url: str) -> str:
    """The registered domain, near enough for grouping (`news.bbc.co.uk` -> `bbc.co.uk`)."""
    labels = (urlsplit(url).hostname or "").removeprefix("www.").split(".")
    keep = 3 if len(labels) > 2 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def load(folder: Path, page_type: str | None) -> list[Labelled]:
    pages = []
    for line in (folder / "index.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        file = folder / "pages" / f"{row['id']}.html.gz"
        if not file.exists():
            continue
        url = row.get("url") or f"https://unknown-{row['id']}.example/{row['id']}"
        article = extract(gzip.decompress(file.read_bytes()), url=url)
        found = features(article, url)
        vector = [found[name] for name in REASONS]
        hard = hard_non_story(article.signals or PageSignals()) is not None
        pages.append(Labelled(folder.name, page_type or row["page_type"], url, vector, hard))
    return pages


def fit(
    x: np.ndarray, y: np.ndarray, model: str, c: float
) -> GradientBoostingClassifier | LogisticRegression:
    regression = LogisticRegression(C=c, max_iter=5000)
    if model == "lr":
        return regression.fit(x, y)
    init = regression if model == "hybrid" else None
    return GradientBoostingClassifier(**TREES, init=init, random_state=0).fit(x, y)  # type: ignore[arg-type]


def held_out(pages: list[Labelled], model: str, c: float) -> np.ndarray:
    """Each page's log-odds from a model that never saw its site."""
    x = np.array([page.vector for page in pages])
    y = np.array([page.page_type == "article" for page in pages])
    groups = np.array([domain(page.url) for page in pages])
    scores = np.zeros(len(pages))
    hard = np.array([page.hard_non_story for page in pages])
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        weighed = train[~hard[train]]  # the gate rejects the others before weighing anything
        scores[test] = fit(x[weighed], y[weighed], model, c).decision_function(x[test])
    scores[hard] = -np.inf
    return scores


def threshold_for(scores: np.ndarray, is_article: np.ndarray, recall: float) -> float:
    """The highest log-odds that keeps at least `recall` of the articles."""
    article_scores = np.sort(scores[is_article])
    lost = int(math.floor((1 - recall) * len(article_scores)))
    return float(article_scores[lost])


def report(pages: list[Labelled], scores: np.ndarray, threshold: float) -> dict[str, dict[str, float]]:
    kept: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for page, score in zip(pages, scores, strict=True):
        key = page.group if page.page_type == "article" else page.page_type
        total[key] += 1
        kept[key] += bool(score >= threshold)
    articles = [key for key in total if key in ARTICLE_SETS]
    summary = {}
    print(f"held out ({FOLDS} folds grouped by domain), threshold {threshold:+.3f} log-odds")
    print(f"{'pages':<22}{'count':>7}{'stored':>8}{'share':>8}")
    for key in sorted(total, key=lambda name: (name in ARTICLE_SETS, name)):
        print(f"{key:<22}{total[key]:>7}{kept[key]:>8}{kept[key] / total[key]:>8.1%}")
        summary[key] = {"pages": total[key], "stored": kept[key]}
    non_total = sum(total[key] for key in total if key not in ARTICLE_SETS)
    non_kept = sum(kept[key] for key in total if key not in ARTICLE_SETS)
    art_total = sum(total[key] for key in articles)
    art_kept = sum(kept[key] for key in articles)
    print(f"{'all non-articles':<22}{non_total:>7}{non_kept:>8}{non_kept / non_total:>8.1%}  (target <= 1%)")
    print(f"{'all articles':<22}{art_total:>7}{art_kept:>8}{art_kept / art_total:>8.1%}  (target >= 99.5%)")
    return summary


def show_errors(pages: list[Labelled], scores: np.ndarray, threshold: float, count: int) -> None:
    order = np.argsort(scores)
    lost = [index for index in order if pages[index].page_type == "article" and scores[index] < threshold]
    taken = [
        index for index in order[::-1] if pages[index].page_type != "article" and scores[index] >= threshold
    ]
    for title, chosen in (("articles lost", lost), ("non-articles stored", taken)):
        print(f"-- {title} (held out)")
        for index in chosen[:count]:
            print(f"{scores[index]:+.2f} {pages[index].page_type:<14} {pages[index].url[:110]}")


def export_trees(model: GradientBoostingClassifier) -> tuple[float, dict[str, float], list[dict[str, list]]]:
    """The intercept, the regression's weights (none for --model trees) and every tree as flat node lists:
    feature name (None at a leaf), threshold, children and the node's value in log-odds. A leaf's value is
    the model's own (learning rate applied); an inner node's is the mean of its leaves weighed by training
    pages, so that the steps along a page's path add up to its leaf and each step is the share of the verdict
    its feature earned. The roots go into the intercept."""
    names = list(REASONS)
    rate = float(model.learning_rate)
    weights: dict[str, float] = {}
    if isinstance(model.init_, LogisticRegression):  # the trees start from the regression's log-odds
        intercept = float(model.init_.intercept_[0])
        weights = {
            name: round(float(weight), 6) for name, weight in zip(names, model.init_.coef_[0], strict=True)
        }
    else:
        prior = float(model.init_.predict_proba(np.zeros((1, len(names))))[0, 1])
        intercept = math.log(prior / (1 - prior))
    exported = []
    for (estimator,) in model.estimators_:
        tree = estimator.tree_
        values = [0.0] * tree.node_count
        for node in reversed(range(tree.node_count)):  # children come after their parent
            left, right = int(tree.children_left[node]), int(tree.children_right[node])
            if left < 0:
                values[node] = rate * float(tree.value[node].ravel()[0])
            else:
                weight_left = float(tree.weighted_n_node_samples[left])
                weight_right = float(tree.weighted_n_node_samples[right])
                values[node] = (values[left] * weight_left + values[right] * weight_right) / (
                    weight_left + weight_right
                )
        intercept += values[0]
        exported.append({
            "feature": [names[int(f)] if f >= 0 else None for f in tree.feature],
            "threshold": [round(float(t), 6) for t in tree.threshold],
            "left": [int(node) for node in tree.children_left],
            "right": [int(node) for node in tree.children_right],
            "value": [round(value, 6) for value in values],
        })  # fmt: skip
    return intercept, weights, exported


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recall", type=float, default=0.995, help="held-out article recall kept")
    parser.add_argument("--model", choices=("hybrid", "trees", "lr"), default="hybrid")
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 regularisation strength")
    parser.add_argument("--dry-run", action="store_true", help="report only, leave gate_weights.json alone")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N")
    options = parser.parse_args()
    started = time.perf_counter()
    pages = load(NON_ARTICLES, None)
    for name in ARTICLE_SETS:
        pages.extend(load(DATA / "extraction" / name, "article"))
    print(f"{len(pages)} pages, {len({domain(page.url) for page in pages})} domains, "
          f"extracted in {time.perf_counter() - started:.0f} s")  # fmt: skip
    is_article = np.array([page.page_type == "article" for page in pages])
    hard = [page for page in pages if page.hard_non_story]
    articles_hard = sum(page.page_type == "article" for page in hard)
    print(f"{len(hard)} pages rejected by structured data alone ({articles_hard} of them articles)")
    scores = held_out(pages, options.model, options.c)
    threshold = threshold_for(scores, is_article, options.recall)
    for name in ARTICLE_SETS:  # no set of stories may pay for the others
        in_set = np.array([page.group == name for page in pages])
        threshold = min(threshold, threshold_for(scores[in_set], is_article[in_set], SET_RECALL))
    print("held-out operating points (articles kept -> non-articles stored): " + ", ".join(
        f"{recall:.1%} -> {np.mean(scores[~is_article] >= threshold_for(scores, is_article, recall)):.1%}"
        for recall in OPERATING_POINTS
    ))  # fmt: skip
    summary = report(pages, scores, threshold)
    if options.show_errors:
        show_errors(pages, scores, threshold, options.show_errors)
    weighed = [page for page in pages if not page.hard_non_story]
    x = np.array([page.vector for page in weighed])
    model = fit(x, np.array([page.page_type == "article" for page in weighed]), options.model, options.c)
    if options.model == "lr":
        shown = ", ".join(
            f"{name} {weight:+.2f}" for name, weight in zip(REASONS, model.coef_[0], strict=True)
        )
        print(f"weights (fitted on every page the structured data does not decide): {shown}")
        return  # the daemon runs the regression with its trees
    intercept, weights, trees = export_trees(model)
    shipped_scores = np.array([_walk(trees, intercept, weights, vector) for vector in x])
    drift = float(np.max(np.abs(shipped_scores - model.decision_function(x))))
    print(f"{len(trees)} trees; exported against fitted log-odds, largest difference {drift:.2e}")
    importance = sorted(zip(model.feature_importances_, REASONS, strict=True), reverse=True)
    print("importance: " + ", ".join(f"{name} {share:.3f}" for share, name in importance if share >= 0.005))
    if not options.dry_run:
        shipped = {
            "about": "monitor/gate.py model: log-odds of a story = intercept + sum(weight * feature) + each "
            "tree's steps from its root to the leaf it sends the page to; written by "
            "benchmarks/train_gate.py, held-out figures from grouped cross-validation",
            "threshold": round(threshold, 4),
            "intercept": round(intercept, 6),
            "weights": weights,
            "trees": trees,
            "held_out": {"folds": FOLDS, "grouped_by": "domain", "recall_asked": options.recall, **summary},
        }
        WEIGHTS.write_text(json.dumps(shipped, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS.relative_to(REPO)}")


def _walk(
    trees: list[dict[str, list]], intercept: float, weights: dict[str, float], vector: list[float]
) -> float:
    """The exported model's log-odds, computed as monitor/gate.py does (checks the export)."""
    found = dict(zip(REASONS, vector, strict=True))
    total = intercept + sum(weight * found[name] for name, weight in weights.items())
    for tree in trees:
        node = 0
        while tree["feature"][node] is not None:
            value = found[tree["feature"][node]]
            node = tree["left"][node] if value <= tree["threshold"][node] else tree["right"][node]
        total += tree["value"][node] - tree["value"][0]
    return total


if __name__ == "__main__":
    main()
