"""The article-extraction-benchmark body metric (4-token shingles) and the development-set loader."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "extraction"
DATA_SETS = ("scrapinghub", "wcxb-articles-dev")
SHINGLE_SIZE = 4
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Page:
    """One development page: raw bytes, gold body text and gold metadata when known."""

    page_id: str
    url: str
    html: bytes
    gold_text: str
    meta: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PageScore:
    """Shingle counts for one page; `precision`/`recall` are None when left out of the mean."""

    tp: int
    fp: int
    fn: int
    predicted_empty: bool
    gold_empty: bool

    @property
    def precision(self) -> float | None:
        return None if self.predicted_empty else _ratio(self.tp, self.fp, self.fn)

    @property
    def recall(self) -> float | None:
        return None if self.gold_empty else _ratio(self.tp, self.fn, self.fp)

    @property
    def f1(self) -> float:
        precision, recall = self.precision or 0.0, self.recall or 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _ratio(tp: int, wrong: int, other_wrong: int) -> float:
    if wrong == 0 and other_wrong == 0:
        return 1.0
    if tp == 0 and wrong == 0:
        return 0.0
    return tp / (tp + wrong)


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """The multiset of 4-token shingles of a text (1-3 tokens make one shingle, 0 tokens none)."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < SHINGLE_SIZE:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + SHINGLE_SIZE]) for i in range(len(tokens) - SHINGLE_SIZE + 1))


def score_page(predicted: str, gold: str) -> PageScore:
    """Compare one predicted body text with its gold text."""
    predicted_counts, gold_counts = shingles(predicted), shingles(gold)
    tp = sum((predicted_counts & gold_counts).values())
    fp = sum((predicted_counts - gold_counts).values())
    fn = sum((gold_counts - predicted_counts).values())
    return PageScore(tp, fp, fn, not predicted_counts, not gold_counts)


@dataclass(frozen=True, slots=True)
class Summary:
    """Mean precision, recall, their F1, and the number of empty predictions over a set of pages."""

    precision: float
    recall: float
    f1: float
    empty: int
    pages: int


def summarize(scores: Iterable[PageScore]) -> Summary:
    """Average page scores the way the benchmark does (empty predictions leave the precision mean)."""
    score_list = list(scores)
    precisions = [s.precision for s in score_list if s.precision is not None]
    recalls = [s.recall for s in score_list if s.recall is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    empty = sum(1 for s in score_list if s.predicted_empty)
    return Summary(precision, recall, f1, empty, len(score_list))


def load_pages(data_set: str, limit: int | None = None, step: int = 1) -> Iterator[Page]:
    """Yield the pages of one development set in index order (every `step`-th, at most `limit`)."""
    root = DATA_DIR / data_set
    with open(root / "index.jsonl", encoding="utf-8") as index:
        entries = [json.loads(line) for line in index if line.strip()]
    selected = entries[::step]
    if limit is not None:
        selected = selected[:limit]
    for entry in selected:
        page_id = str(entry["id"])
        html = gzip.decompress((root / "pages" / f"{page_id}.html.gz").read_bytes())
        gold = (root / "gold" / f"{page_id}.txt").read_text(encoding="utf-8")
        yield Page(page_id, str(entry.get("url", "")), html, gold, entry)


# --- every development set, and the snippet gold of the sets that have no full body ---------------------
DEVELOPMENT_SETS = (
    "scrapinghub",
    "wcxb-articles-dev",
    "newspaper4k-pages",
    "trafilatura-eval",
    "mercury-news",
    "goose3-news",
)


def gold_kind(data_set: str) -> str:
    """ "full" (a gold body to score with F1) or "snippets" (must-contain / must-not-contain strings)."""
    set_file = DATA_DIR / data_set / "set.json"
    if not set_file.exists():
        return "full"
    return str(json.loads(set_file.read_text(encoding="utf-8")).get("gold", "full"))


def _token_line(text: str) -> str:
    return " " + " ".join(_TOKEN.findall(text.casefold())) + " "


def snippets_found(text: str, snippets: object) -> tuple[int, int]:
    """How many snippets occur in the text (each as a contiguous run of case-folded tokens), of how many."""
    if not isinstance(snippets, list):
        return 0, 0
    line = _token_line(text)
    keys = [key for key in (_token_line(str(snippet)) for snippet in snippets) if key.strip()]
    return sum(1 for key in keys if key in line), len(keys)
