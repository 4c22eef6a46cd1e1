"""Offline change-detection benchmark: mutate real pages, extract both versions, compare, score alerts.

Run: python benchmarks/bench_changes_offline.py [--pages-per-set 40] [--show-failures 10] [--extractor X]

Every page of the development sets whose story can be located gets every mutation of testbed/mutations.py.
A mutation alerts when compare() reports a non-minor change and suspicion() does not quarantine it. Printed:
edit recall, field attribution accuracy, false alerts by noise kind, and, as a reference measured in the same
run, how often a naive comparator (un-normalised extracted fields) would have alerted.
The real daemon runs the same mutations through fetch → extract → compare → store (pipeline benchmark).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.compare import compare, snapshot, suspicion  # noqa: E402
from monitor.extraction import extract  # noqa: E402
from monitor.models import Article  # noqa: E402
from testbed.mutations import (  # noqa: E402
    BOILERPLATE_SELECTOR,
    JSON_LD_SELECTOR,
    MINOR_KINDS,
    MODIFIED_META_SELECTOR,
    NOISE_KINDS,
    REAL_EDIT_KINDS,
    VISIBLE_BYLINE_SELECTOR,
    Mutation,
    benchmark_cases,
    is_byline_sized,
    json_ld_author_names,
    page_text,
)

DEFAULT_PAGES_PER_SET = 40
STANDIN_META_LINE_MAX_WORDS = 20
PUBLISHED_META_SELECTOR = 'meta[property="article:published_time"], meta[itemprop="datePublished"]'
# Expected body paragraph counts (added, removed, edited) of the body edits.
EXPECTED_BODY_COUNTS = {"edit_sentence": (0, 0, 1), "append_update": (1, 0, 0)}
# The stand-in treats a boilerplate-looking container as boilerplate only when it holds less than this share
# of the page's paragraph words (some sites put the whole page in <div class="has-sidebar">).
STANDIN_BOILERPLATE_MAX_SHARE = 0.4


def standin_extract(html: str, url: str | None = None) -> Article:
    """Floor extractor until monitor.extract lands: <title>, author, dates, all <p> outside boilerplate."""
    del url
    tree = LexborHTMLParser(html)
    metadata_byline = _meta(tree, 'meta[name="author"]') or _json_ld_author(tree)
    published = _meta(tree, PUBLISHED_META_SELECTOR) or _json_ld_value(tree, "datePublished")
    modified = _meta(tree, MODIFIED_META_SELECTOR) or _json_ld_value(tree, "dateModified")
    tree.strip_tags(["script", "style", "noscript", "template"])
    title_node = tree.css_first("title")
    paragraphs = [node for node in tree.css("body p") if node.text(deep=True).strip()]
    total_words = sum(len(node.text().split()) for node in paragraphs) or 1
    skipped: set[int] = set()
    for container in tree.css(BOILERPLATE_SELECTOR):
        inner = container.css("p")
        if sum(len(node.text().split()) for node in inner) < STANDIN_BOILERPLATE_MAX_SHARE * total_words:
            skipped.update(node.mem_id for node in inner)
    bylines = [node for node in tree.css(VISIBLE_BYLINE_SELECTOR) if is_byline_sized(node)]
    for byline_node in bylines:
        skipped.update(node.mem_id for node in [byline_node, *byline_node.css("p")])
        # A post-meta line ("by Jane Doe | May 19, 2024") is a <p> around the byline, not story text.
        meta_line = next((node for node in _ancestors(byline_node) if node.tag == "p"), None)
        if meta_line is not None and len(meta_line.text(deep=True).split()) <= STANDIN_META_LINE_MAX_WORDS:
            skipped.add(meta_line.mem_id)
    body = [node.text(deep=True) for node in paragraphs if node.mem_id not in skipped]
    return Article(
        title=title_node.text() if title_node is not None else None,
        byline=metadata_byline or (bylines[0].text(deep=True) if bylines else None),
        published=published,
        modified=modified,
        text="\n\n".join(body),
    )


def _ancestors(node: LexborNode) -> Iterator[LexborNode]:
    current = node.parent
    while current is not None:
        yield current
        current = current.parent


def _meta(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    return node.attrs.get("content") if node is not None else None


def _json_ld_value(tree: LexborHTMLParser, key: str) -> str | None:
    for script in tree.css(JSON_LD_SELECTOR):
        match = re.search(rf'"{key}"\s*:\s*("(?:[^"\\]|\\.)+")', script.text())
        if match:
            try:
                return str(json.loads(match.group(1)))  # JSON escapes: "\u002b00:00" is "+00:00"
            except ValueError:
                return match.group(1).strip('"')
    return None


def _json_ld_author(tree: LexborHTMLParser) -> str | None:
    for script in tree.css(JSON_LD_SELECTOR):
        names = json_ld_author_names(script.text())
        if names:
            return ", ".join(names)
    return None


# The real extractor by default; `--extractor standin` measures the comparison alone against the floor above.
EXTRACTORS: dict[str, Callable[..., Article]] = {"real": extract, "standin": standin_extract}
extract_fn: Callable[..., Article] = extract


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the compare stage judged one mutation."""

    page: str
    kind: str
    expected_fields: tuple[str, ...] | None
    suspicious_expected: bool
    fields: tuple[str, ...]
    counts: tuple[int, int, int]
    alerted: bool
    minor: bool
    quarantined: str | None
    naive_alerted: bool
    page_text_changed: bool  # the visible page text differs: the mutation did change what a reader sees
    summary: str


def judge(page: str, original_html: str, mutation: Mutation) -> Outcome:
    old_article, new_article = extract_fn(original_html), extract_fn(mutation.html)
    old, new = snapshot(old_article), snapshot(new_article)
    comparison = compare(old, new)
    flag = suspicion(old, new)
    naive_fields = ("title", "byline", "published", "modified", "text")
    naive = any(getattr(old_article, name) != getattr(new_article, name) for name in naive_fields)
    return Outcome(
        page=page,
        kind=mutation.kind,
        expected_fields=mutation.expected_fields,
        suspicious_expected=mutation.suspicious,
        fields=comparison.fields,
        counts=(comparison.added, comparison.removed, comparison.edited),
        alerted=comparison.changed and not comparison.minor and flag is None,
        minor=comparison.minor,
        quarantined=flag,
        naive_alerted=naive,
        page_text_changed=page_text(original_html) != page_text(mutation.html),
        summary=comparison.summary,
    )


def run(pages_per_set: int) -> tuple[list[Outcome], Counter[str]]:
    outcomes: list[Outcome] = []
    pages_used: Counter[str] = Counter()
    for case in benchmark_cases(pages_per_set):
        pages_used[case.page.split("/")[0]] += 1
        outcomes.extend(
            judge(case.page, mutation.before or case.original_html, mutation) for mutation in case.mutations
        )
    return outcomes, pages_used


def failures(outcome: Outcome) -> list[str]:
    """Why an outcome is wrong (empty when it is right)."""
    problems = []
    if outcome.expected_fields is not None:
        if not outcome.alerted:
            problems.append("missed")
        if outcome.fields != outcome.expected_fields:
            problems.append(f"fields {list(outcome.fields)}")
        expected_counts = EXPECTED_BODY_COUNTS.get(outcome.kind)
        if expected_counts and outcome.counts != expected_counts:
            problems.append(f"counts {outcome.counts}")
    else:
        if outcome.alerted:
            problems.append("false alert")
        if outcome.suspicious_expected and outcome.quarantined is None and outcome.fields:
            problems.append("not quarantined")
        if not outcome.suspicious_expected and outcome.quarantined is not None:
            problems.append(f"quarantined {outcome.quarantined}")
        expected_minor = MINOR_KINDS.get(outcome.kind)
        # the fields named, and dates besides: a page dated only by its stamp moves its date with it
        allowed = {*(expected_minor or ()), "published", "modified"}
        if expected_minor and not (outcome.minor and set(expected_minor) <= set(outcome.fields) <= allowed):
            problems.append(f"not minor {list(outcome.fields)}")
    return problems


def report(outcomes: list[Outcome], pages_used: Counter[str], elapsed: float, show_failures: int) -> None:
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.kind].append(outcome)
    print(
        f"pages: {dict(pages_used)}  mutations: {len(outcomes)}  time: {elapsed:.1f}s  "
        f"extractor: {_extractor()}"
    )
    print()
    print(
        f"{'kind':<18} {'n':>4} {'alerts':>7} {'fields ok':>10} {'counts ok':>10} {'quarant.':>9} "
        f"{'minor':>6} {'naive alerts':>13} {'page text chg':>14}"
    )
    for kind in (*REAL_EDIT_KINDS, *NOISE_KINDS):
        group = by_kind.get(kind, [])
        counts_ok = "-"
        if kind in EXPECTED_BODY_COUNTS:
            counts_ok = str(sum(outcome.counts == EXPECTED_BODY_COUNTS[kind] for outcome in group))
        fields_ok = str(sum(o.fields == o.expected_fields for o in group)) if kind in REAL_EDIT_KINDS else "-"
        print(
            f"{kind:<18} {len(group):>4} {sum(o.alerted for o in group):>7} {fields_ok:>10} {counts_ok:>10} "
            f"{sum(o.quarantined is not None for o in group):>9} {sum(o.minor for o in group):>6} "
            f"{sum(o.naive_alerted for o in group):>13} "
            f"{sum(o.page_text_changed for o in group):>14}"
        )
    edits = [o for o in outcomes if o.expected_fields is not None]
    noise = [o for o in outcomes if o.expected_fields is None]
    print()
    print(f"edit recall:                {_share(sum(o.alerted for o in edits), len(edits))}")
    print(
        f"field attribution accuracy: {_share(sum(o.fields == o.expected_fields for o in edits), len(edits))}"
    )
    false_alerts = {kind: sum(o.alerted for o in by_kind[kind]) for kind in NOISE_KINDS}
    print(f"false alerts:               {sum(false_alerts.values())} of {len(noise)}  {false_alerts}")
    print(f"naive reference false alerts: {sum(o.naive_alerted for o in noise)} of {len(noise)}")
    wrong = [(o, failures(o)) for o in outcomes if failures(o)]
    print(f"outcomes with any problem:  {len(wrong)}")
    for outcome, problems in wrong[:show_failures]:
        print(f"  {outcome.kind:<18} {outcome.page}: {', '.join(problems)}  [{outcome.summary}]")


def _share(hits: int, total: int) -> str:
    return f"{hits}/{total} = {hits / total:.1%}" if total else "n/a"


def _extractor() -> str:
    return f"{extract_fn.__module__}.{extract_fn.__qualname__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages-per-set", type=int, default=DEFAULT_PAGES_PER_SET)
    parser.add_argument("--show-failures", type=int, default=10)
    parser.add_argument("--extractor", choices=sorted(EXTRACTORS), default="real")
    arguments = parser.parse_args()
    global extract_fn
    extract_fn = EXTRACTORS[arguments.extractor]
    started = time.perf_counter()
    outcomes, pages_used = run(arguments.pages_per_set)
    report(outcomes, pages_used, time.perf_counter() - started, arguments.show_failures)


if __name__ == "__main__":
    main()
