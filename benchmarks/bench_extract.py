"""Body F1 or snippet hits/leaks, speed and metadata accuracy of monitor.extract against trafilatura, one run.

Every development set in ../shared/data/extraction/ is scored: full-gold sets by the shingle F1, snippet-gold
sets by the share of must-contain strings found (hits) and of must-not-contain strings kept (leaks); title,
author and date accuracy on every set whose index has them; pages per CPU-second and the slowest page.
Speed is like for like: monitor's one pass gives body and metadata, so trafilatura is timed giving both too
(extract and extract_metadata); the ratio to trafilatura's body alone is printed beside it.

Usage: python benchmarks/bench_extract.py [--limit N] [--step K] [--worst N] [--sets a,b] [--no-reference]
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
from monitor.extraction.locale_dates import month_numbers  # noqa: E402
from testbed.metric import (  # noqa: E402
    DEVELOPMENT_SETS,
    Page,
    PageScore,
    Summary,
    gold_kind,
    load_pages,
    score_page,
    snippets_found,
    summarize,
)

_WORDS = re.compile(r"\w+")
_NOT_NAME = {"and", "by"}


@dataclass(frozen=True, slots=True)
class Meta:
    """The metadata fields the development sets have gold values for."""

    title: str | None
    author: str | None
    date: str | None
    modified: str | None = None  # a second date for extractors that keep published and modified apart


@dataclass(frozen=True, slots=True)
class Run:
    """One extractor over one data set: per-page outputs, scores and CPU times."""

    texts: list[str]
    scores: list[PageScore]
    seconds: list[float]  # the whole job per page: body and metadata
    metas: list[Meta]
    body_seconds: list[float]  # the body alone (monitor extracts both in one pass: the same as seconds)

    @property
    def summary(self) -> Summary:
        return summarize(self.scores)

    @property
    def pages_per_cpu_second(self) -> float:
        return _pages_per_second(self.seconds)

    @property
    def body_pages_per_cpu_second(self) -> float:
        return _pages_per_second(self.body_seconds)

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.seconds)
        return 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else 0.0

    @property
    def max_ms(self) -> float:
        return 1000 * max(self.seconds, default=0.0)

    def slowest(self, pages: list[Page]) -> str:
        if not self.seconds:
            return "-"
        index = max(range(len(self.seconds)), key=self.seconds.__getitem__)
        return pages[index].page_id[:24]


def _pages_per_second(seconds: list[float]) -> float:
    total = sum(seconds)
    return len(seconds) / total if total else float("inf")


def _monitor(page: Page) -> tuple[str, Meta]:
    article = extract(page.html, url=page.url)
    return article.text, Meta(article.title, article.byline, article.published, article.modified)


def _trafilatura_body(page: Page) -> str:
    import trafilatura

    return trafilatura.extract(page.html, url=page.url) or ""


def _trafilatura_meta(page: Page) -> Meta:
    import trafilatura

    document = trafilatura.extract_metadata(page.html, default_url=page.url)
    if document is None:
        return Meta(None, None, None)
    return Meta(document.title, document.author, document.date)


def _trafilatura(page: Page) -> tuple[str, None]:
    return _trafilatura_body(page), None


def _run(
    pages: list[Page],
    extractor: Callable[[Page], tuple[str, Meta | None]],
    meta: Callable[[Page], Meta] | None,
) -> Run:
    """Time `extractor` on every page (CPU time), and `meta` with it when the extractor gives no metadata:
    both extractors are timed doing the same job, a page's body and its title, author and dates."""
    texts, scores, seconds, metas, body_seconds = [], [], [], [], []
    for page in pages:
        started = time.process_time()
        text, found = extractor(page)
        body_done = time.process_time()
        if found is None and meta is not None:
            found = meta(page)
        body_seconds.append(body_done - started)
        seconds.append(time.process_time() - started)
        texts.append(text)
        scores.append(score_page(text, page.gold_text))
        if found is not None:
            metas.append(found)
    return Run(texts, scores, seconds, metas, body_seconds)


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


def _body_row(name: str, data_set: str, run: Run) -> str:
    summary = run.summary
    return (
        f"| {data_set} | {name} | {summary.f1:.3f} | {summary.precision:.3f} | {summary.recall:.3f} | "
        f"{summary.empty} |"
    )


def snippet_scores(pages: list[Page], texts: list[str]) -> tuple[tuple[int, int], tuple[int, int]]:
    """(found, total) of the must-contain strings and (leaked, total) of the must-not-contain ones."""
    hits = leaks = wanted = unwanted = 0
    for page, text in zip(pages, texts, strict=True):
        found, total = snippets_found(text, page.meta.get("must_contain"))
        hits, wanted = hits + found, wanted + total
        found, total = snippets_found(text, page.meta.get("must_not_contain"))
        leaks, unwanted = leaks + found, unwanted + total
    return (hits, wanted), (leaks, unwanted)


def _share(counts: tuple[int, int]) -> str:
    found, total = counts
    return f"{found / total:.3f} ({found}/{total})" if total else "-"


def _snippet_row(name: str, data_set: str, pages: list[Page], run: Run) -> str:
    hits, leaks = snippet_scores(pages, run.texts)
    empty = sum(1 for text in run.texts if not text.strip())
    return f"| {data_set} | {name} | {_share(hits)} | {_share(leaks)} | {empty} |"


def _speed_row(name: str, data_set: str, pages: list[Page], run: Run) -> str:
    return (
        f"| {data_set} | {name} | {run.pages_per_cpu_second:.0f} | {run.p99_ms:.1f} | {run.max_ms:.1f} | "
        f"{run.slowest(pages)} |"
    )


def _print_worst(data_set: str, pages: list[Page], run: Run, count: int) -> None:
    if gold_kind(data_set) == "full":
        ranked = sorted(zip(pages, run.scores, strict=True), key=lambda item: item[1].f1)[:count]
        for page, score in ranked:
            print(
                f"  worst {data_set} {page.page_id[:24]} f1={score.f1:.3f} P={score.precision} "
                f"R={score.recall}"
            )
        return
    misses = []
    for page, text in zip(pages, run.texts, strict=True):
        found, total = snippets_found(text, page.meta.get("must_contain"))
        leaked, _ = snippets_found(text, page.meta.get("must_not_contain"))
        if found < total or leaked:
            misses.append((found - total - leaked, page.page_id, found, total, leaked))
    for _, page_id, found, total, leaked in sorted(misses)[:count]:
        print(f"  worst {data_set} {page_id[:24]} hits={found}/{total} leaks={leaked}")


def _table(header: str, rows: list[str]) -> None:
    if not rows:
        return
    cells = header.count("|") - 1
    print(header)
    print("|" + "---|" * cells)
    print("\n".join(rows))
    print()


def main() -> None:
    """Run both extractors over the development sets and print the tables."""
    warnings.simplefilter("ignore")
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--limit", type=int, default=None, help="pages per data set")
    options.add_argument("--step", type=int, default=1, help="take every K-th page")
    options.add_argument("--worst", type=int, default=0, help="list the N worst pages of monitor")
    options.add_argument("--sets", default=",".join(DEVELOPMENT_SETS), help="comma-separated data sets")
    options.add_argument("--no-reference", action="store_true", help="skip trafilatura")
    args = options.parse_args()

    # one untimed page each first: lazy one-time loads (monitor's CLDR month names, trafilatura's own) are
    # process start-up, not a page's cost
    warm_up = next(load_pages(args.sets.split(",")[0], 1))
    _monitor(warm_up)
    month_numbers()  # loaded on the first page with a month name in another language
    if not args.no_reference:
        _trafilatura(warm_up)
    body_rows, snippet_rows, meta_rows, speed_rows, ratio_rows = [], [], [], [], []
    for data_set in args.sets.split(","):
        pages = list(load_pages(data_set, args.limit, args.step))
        runs = {"monitor": _run(pages, _monitor, None)}
        if not args.no_reference:
            runs["trafilatura"] = _run(pages, _trafilatura, _trafilatura_meta)
        for name, run in runs.items():
            if gold_kind(data_set) == "full":
                body_rows.append(_body_row(name, data_set, run))
            else:
                snippet_rows.append(_snippet_row(name, data_set, pages, run))
            speed_rows.append(_speed_row(name, data_set, pages, run))
            accuracy = metadata_accuracy(pages, run.metas)
            if any(total for _, total in accuracy.values()):
                cells = " | ".join(_share(counts) for counts in accuracy.values())
                meta_rows.append(f"| {data_set} | {name} | {cells} |")
        if "trafilatura" in runs:
            ours, reference = runs["monitor"], runs["trafilatura"]
            ratio = ours.pages_per_cpu_second / reference.pages_per_cpu_second
            body_ratio = ours.pages_per_cpu_second / reference.body_pages_per_cpu_second
            ratio_rows.append(
                f"{data_set}: monitor is {ratio:.1f}x trafilatura's pages per CPU-second, both extracting "
                f"body and metadata ({body_ratio:.1f}x trafilatura's body alone)"
            )
        if args.worst:
            _print_worst(data_set, pages, runs["monitor"], args.worst)

    _table("| data set | extractor | F1 | precision | recall | empty |", body_rows)
    _table("| data set | extractor | must-contain hits | must-not-contain leaks | empty |", snippet_rows)
    _table(
        "| data set | extractor | title | author | date (published) | date (published or modified) |",
        meta_rows,
    )
    _table("| data set | extractor | pages/CPU-s | p99 ms | max ms | slowest page |", speed_rows)
    print("\n".join(ratio_rows))


if __name__ == "__main__":
    main()
