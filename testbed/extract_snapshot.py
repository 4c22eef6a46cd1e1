"""Every field monitor.extract gives on every development page, as JSON, and a diff of two such snapshots.

An optimisation of extraction must not change its output: take a snapshot before, one after, and diff them
(0 changed pages is the rule). Covers the six article sets and the non-article pages the gate is tuned on.

Usage: python testbed/extract_snapshot.py OUT.json [--sets a,b] [--step K]
       python testbed/extract_snapshot.py --diff BEFORE.json AFTER.json
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.extraction import extract  # noqa: E402
from monitor.gate_features import features  # noqa: E402
from testbed.metric import DEVELOPMENT_SETS, load_pages  # noqa: E402

NON_ARTICLES = "wcxb-nonarticles-dev"
NON_ARTICLE_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "pages" / NON_ARTICLES


def _non_article_pages(step: int) -> Iterator[tuple[str, str, bytes]]:
    with open(NON_ARTICLE_DIR / "index.jsonl", encoding="utf-8") as index:
        entries = [json.loads(line) for line in index if line.strip()]
    for entry in entries[::step]:
        page_id = str(entry["id"])
        path = NON_ARTICLE_DIR / "pages" / f"{page_id}.html.gz"
        if not path.exists():
            path = NON_ARTICLE_DIR / "pages" / f"{page_id}.html"
            html = path.read_bytes()
        else:
            html = gzip.decompress(path.read_bytes())
        yield page_id, str(entry.get("url", "")), html


def _pages(sets: list[str], step: int) -> Iterator[tuple[str, str, bytes]]:
    for data_set in sets:
        if data_set == NON_ARTICLES:
            for page_id, url, html in _non_article_pages(step):
                yield f"{data_set}/{page_id}", url, html
            continue
        for page in load_pages(data_set, None, step):
            yield f"{data_set}/{page.page_id}", page.url, page.html


def snapshot(sets: list[str], step: int) -> dict[str, dict[str, object]]:
    """Every Article field and the gate's features, per page."""
    result: dict[str, dict[str, object]] = {}
    for key, url, html in _pages(sets, step):
        article = extract(html, url=url)
        fields = dataclasses.asdict(article)
        fields["gate_features"] = features(article, url)
        result[key] = json.loads(json.dumps(fields, default=str))
    return result


def diff(before_path: str, after_path: str) -> int:
    """Print the pages whose fields differ; the number of such pages."""
    before = json.loads(Path(before_path).read_text(encoding="utf-8"))
    after = json.loads(Path(after_path).read_text(encoding="utf-8"))
    changed = 0
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        changed += 1
        if old is None or new is None:
            print(f"{key}: only in {'after' if old is None else 'before'}")
            continue
        names = [name for name in sorted(set(old) | set(new)) if old.get(name) != new.get(name)]
        print(f"{key}: {', '.join(names)}")
    print(f"{changed} changed pages of {len(set(before) | set(after))}")
    return changed


def main() -> None:
    warnings.simplefilter("ignore")
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("out", nargs="?")
    options.add_argument("--sets", default=",".join((*DEVELOPMENT_SETS, NON_ARTICLES)))
    options.add_argument("--step", type=int, default=1)
    options.add_argument("--diff", nargs=2, metavar=("BEFORE", "AFTER"))
    args = options.parse_args()
    if args.diff:
        sys.exit(1 if diff(*args.diff) else 0)
    if not args.out:
        options.error("give OUT.json or --diff BEFORE AFTER")
    Path(args.out).write_text(json.dumps(snapshot(args.sets.split(","), args.step)), encoding="utf-8")


if __name__ == "__main__":
    main()
