"""Where monitor's body text loses to trafilatura's, page by page: the work list for extraction quality.

For snippet sets, the must-contain strings trafilatura finds and monitor misses (and monitor's leaks that
trafilatura avoids), grouped by page; for full-gold sets, the pages with the largest F1 loss. trafilatura's
texts are cached in a JSON file (they do not change between runs of monitor).

Usage: python -m testbed.misses [--sets a,b] [--cache FILE] [--top N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.extraction import extract  # noqa: E402
from testbed.metric import gold_kind, load_pages, score_page, snippets_found  # noqa: E402


def _reference_texts(data_set: str, cache_path: Path) -> dict[str, str]:
    cache: dict[str, dict[str, str]] = {}
    if cache_path.exists():
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
    if data_set in cache:
        return cache[data_set]
    import trafilatura

    texts = {
        page.page_id: trafilatura.extract(page.html, url=page.url) or "" for page in load_pages(data_set)
    }
    cache[data_set] = texts
    cache_path.write_text(json.dumps(cache), encoding="utf-8")
    return texts


def _snippet_misses(data_set: str, reference: dict[str, str], top: int) -> list[str]:
    lines, lost_total, leak_total = [], 0, 0
    ranked = []
    for page in load_pages(data_set):
        ours = extract(page.html, url=page.url).text
        theirs = reference.get(page.page_id, "")
        lost = [
            snippet
            for snippet in page.meta.get("must_contain") or []
            if snippets_found(theirs, [snippet])[0] and not snippets_found(ours, [snippet])[0]
        ]
        leaked = [
            snippet
            for snippet in page.meta.get("must_not_contain") or []
            if snippets_found(ours, [snippet])[0] and not snippets_found(theirs, [snippet])[0]
        ]
        lost_total += len(lost)
        leak_total += len(leaked)
        if lost or leaked:
            ranked.append((len(lost) + len(leaked), page.page_id, page.url, lost, leaked, len(ours)))
    ranked.sort(reverse=True)
    for _, page_id, url, lost, leaked, chars in ranked[:top]:
        lines.append(f"## {page_id} {url} (ours {chars} chars)")
        lines.extend(f"  - lost: {snippet[:100]!r}" for snippet in lost)
        lines.extend(f"  + leaked: {snippet[:100]!r}" for snippet in leaked)
    lines.insert(
        0, f"# {data_set}: {lost_total} snippets lost, {leak_total} leaks added, {len(ranked)} pages"
    )
    return lines


def _full_losses(data_set: str, reference: dict[str, str], top: int) -> list[str]:
    ranked = []
    for page in load_pages(data_set):
        ours = score_page(extract(page.html, url=page.url).text, page.gold_text)
        theirs = score_page(reference.get(page.page_id, ""), page.gold_text)
        ranked.append((theirs.f1 - ours.f1, page.page_id, page.url, ours, theirs))
    ranked.sort(key=lambda item: item[0], reverse=True)
    lines = [f"# {data_set}: net F1 loss over pages {sum(item[0] for item in ranked):.2f}"]
    for loss, page_id, url, ours, theirs in ranked[:top]:
        lines.append(
            f"{loss:+.3f} {page_id} {url} ours P={ours.precision} R={ours.recall} "
            f"theirs P={theirs.precision} R={theirs.recall}"
        )
    return lines


def main() -> None:
    """Print the per-page misses of every chosen set."""
    warnings.simplefilter("ignore")
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--sets", default="trafilatura-eval,wcxb-articles-dev")
    options.add_argument("--cache", default="/tmp/trafilatura-texts.json")
    options.add_argument("--top", type=int, default=80)
    args = options.parse_args()
    for data_set in args.sets.split(","):
        reference = _reference_texts(data_set, Path(args.cache))
        if gold_kind(data_set) == "full":
            print("\n".join(_full_losses(data_set, reference, args.top)))
        else:
            print("\n".join(_snippet_misses(data_set, reference, args.top)))


if __name__ == "__main__":
    main()
