"""Body F1, speed and metadata accuracy of monitor.extract against trafilatura, measured in the same run.

Usage: python benchmarks/bench_extract.py [--limit N] [--step K] [--worst N]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.extraction import extract  # noqa: E402
from testbed.metric import DATA_SETS, Page, PageScore, Summary, load_pages, score_page, summarize  # noqa: E402

_WORDS = re.compile(r"\w+")
_NOT_NAME = {"and", "by"}


@dataclass(frozen=True, slots=True)
class Meta:
    """The three metadata fields with gold values in wcxb-articles-dev."""

    title: str | None
    author: str | None
    date: str | None
    modified: str | None = None  # a second date for extractors that keep published and modified apart


@dataclass(frozen=True, slots=True)
class Run:
    """One extractor over one data set: per-page outputs, scores and CPU times."""

    texts: list[str]
    scores: list[PageScore]
    seconds: list[float]
    metas: list[Meta]

    @property
    def summary(self) -> Summary:
        return summarize(self.scores)

    @property
    def pages_per_cpu_second(self) -> float:
        total = sum(self.seconds)
        return len(self.seconds) / total if total else float("inf")

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.seconds)
        return 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else 0.0


def _monitor_body(page: Page) -> str:
    return extract(page.html, url=page.url).text


def _monitor_meta(page: Page) -> Meta:
    article = extract(page.html, url=page.url)
    return Meta(article.title, article.byline, article.published, article.modified)


def _trafilatura_body(page: Page) -> str:
    import trafilatura

    return trafilatura.extract(page.html, url=page.url) or ""


def _trafilatura_meta(page: Page) -> Meta:
    import trafilatura

    document = trafilatura.extract_metadata(page.html, default_url=page.url)
    if document is None:
        return Meta(None, None, None)
    return Meta(document.title, document.author, document.date)


def _run(pages: list[Page], body: Callable[[Page], str], meta: Callable[[Page], Meta] | None) -> Run:
    texts, scores, seconds = [], [], []
    for page in pages:
        started = time.process_time()
        text = body(page)
        seconds.append(time.process_time() - started)
        texts.append(text)
        scores.append(score_page(text, page.gold_text))
    metas = [meta(page) for page in pages] if meta is not None else []
    return Run(texts, scores, seconds, metas)


def _same_title(predicted: str | None, gold: str) -> bool:
    return bool(predicted) and _WORDS.findall(str(predicted).lower()) == _WORDS.findall(gold.lower())


def _same_author(predicted: str | None, gold: str) -> bool:
    def names(text: str) -> set[str]:
        return set(_WORDS.findall(text.lower())) - _NOT_NAME

    return bool(predicted) and names(str(predicted)) == names(gold)


def _same_date(predicted: str | None, gold: str) -> bool:
    return bool(predicted) and str(predicted)[:10] == gold[:10]


def _same_any_date(predicted: str | None, gold: str) -> bool:
    return any(_same_date(date, gold) for date in str(predicted or "").split("|"))


def _predicted(meta: Meta, name: str) -> str | None:
    if name == "date_any":
        return "|".join(date for date in (meta.date, meta.modified) if date) or None
    return getattr(meta, name)  # type: ignore[no-any-return]


def metadata_accuracy(pages: list[Page], metas: list[Meta]) -> dict[str, tuple[int, int]]:
    """Correct and total counts per field, over the pages whose gold has that field."""
    checks = {"title": _same_title, "author": _same_author, "date": _same_date, "date_any": _same_any_date}
    result = {}
    for name, same in checks.items():
        field = "date" if name == "date_any" else name
        graded = [
            (_predicted(meta, name), page.meta.get(field)) for page, meta in zip(pages, metas, strict=True)
        ]
        graded = [(predicted, gold) for predicted, gold in graded if isinstance(gold, str) and gold]
        result[name] = (sum(1 for predicted, gold in graded if same(predicted, gold)), len(graded))
    return result


def _row(name: str, data_set: str, run: Run) -> str:
    summary = run.summary
    return (
        f"| {data_set} | {name} | {summary.f1:.3f} | {summary.precision:.3f} | {summary.recall:.3f} | "
        f"{summary.empty} | {run.p99_ms:.1f} | {run.pages_per_cpu_second:.0f} |"
    )


def _print_worst(data_set: str, pages: list[Page], run: Run, count: int) -> None:
    ranked = sorted(zip(pages, run.scores, strict=True), key=lambda item: item[1].f1)[:count]
    for page, score in ranked:
        print(
            f"  worst {data_set} {page.page_id[:12]} f1={score.f1:.3f} P={score.precision} R={score.recall}"
        )


def main() -> None:
    """Run both extractors over the development sets and print one table."""
    warnings.simplefilter("ignore")
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--limit", type=int, default=None, help="pages per data set")
    options.add_argument("--step", type=int, default=1, help="take every K-th page")
    options.add_argument("--worst", type=int, default=0, help="list the N worst pages of monitor")
    options.add_argument("--no-reference", action="store_true", help="skip trafilatura")
    args = options.parse_args()

    body_rows, meta_rows, speed_rows = [], [], []
    for data_set in DATA_SETS:
        pages = list(load_pages(data_set, args.limit, args.step))
        with_gold_meta = data_set == "wcxb-articles-dev"
        runs = {"monitor": _run(pages, _monitor_body, _monitor_meta if with_gold_meta else None)}
        if not args.no_reference:
            runs["trafilatura"] = _run(
                pages, _trafilatura_body, _trafilatura_meta if with_gold_meta else None
            )
        for name, run in runs.items():
            body_rows.append(_row(name, data_set, run))
            if run.metas:
                accuracy = metadata_accuracy(pages, run.metas)
                cells = " | ".join(f"{ok / total:.3f} ({ok}/{total})" for ok, total in accuracy.values())
                meta_rows.append(f"| {data_set} | {name} | {cells} |")
        if "trafilatura" in runs:
            ratio = runs["monitor"].pages_per_cpu_second / runs["trafilatura"].pages_per_cpu_second
            speed_rows.append(f"{data_set}: monitor is {ratio:.1f}x trafilatura's pages per CPU-second")
        if args.worst:
            _print_worst(data_set, pages, runs["monitor"], args.worst)

    print("| data set | extractor | F1 | precision | recall | empty | p99 ms | pages/CPU-s |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(body_rows))
    print()
    print("| data set | extractor | title | author | date (published) | date (published or modified) |")
    print("|---|---|---|---|---|---|")
    print("\n".join(meta_rows))
    print()
    print("\n".join(speed_rows))


if __name__ == "__main__":
    main()
