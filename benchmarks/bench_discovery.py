"""Discovery precision and recall on real listing pages labelled by hand (issue 12).

For each page of benchmarks/data/discovery_labels.yaml (news and blog listing pages of the dev set
../shared/data/pages/wcxb-nonarticles-dev), every same-site link is a candidate, labelled a story when its
path matches the page's `story` regex (minus its `not_story` exceptions and `not_story_anchor` anchors).
links_from_listing() is run on the page as the daemon runs it; the table gives, per page and in total, the
links it took, precision and recall.

Usage: python benchmarks/bench_discovery.py [--show-errors]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml
from selectolax.lexbor import LexborHTMLParser

from monitor.discover.listing import links_from_listing
from monitor.discover.urls import canonicalize_url, host_in_domains, registrable_domain

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO.parent / "shared" / "data" / "pages" / "wcxb-nonarticles-dev"
LABELS = Path(__file__).parent / "data" / "discovery_labels.yaml"
TARGETS = {"precision": 0.95, "recall": 0.98}


@dataclass
class Score:
    taken: int = 0
    stories: int = 0
    right: int = 0

    def add(self, other: Score) -> None:
        self.taken += other.taken
        self.stories += other.stories
        self.right += other.right

    @property
    def precision(self) -> float:
        return self.right / self.taken if self.taken else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.stories if self.stories else 1.0


def candidates(html: str, base_url: str, domain: str) -> dict[str, str]:
    """Every same-site link of the page (canonical URL -> its longest anchor text)."""
    found: dict[str, str] = {}
    for anchor in LexborHTMLParser(html).css("a[href]"):
        try:
            url = canonicalize_url(urljoin(base_url, (anchor.attributes.get("href") or "").strip()))
        except ValueError:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not host_in_domains(
            parts.hostname or "", frozenset({domain})
        ):
            continue
        text = " ".join((anchor.text() or "").split())
        if len(text) >= len(found.get(url, "")):
            found[url] = text
    return found


def is_story(url: str, anchor: str, label: dict[str, Any]) -> bool:
    path = urlsplit(url).path
    if not re.search(label["story"], path):
        return False
    if any(re.search(pattern, path) for pattern in label.get("not_story", ())):
        return False
    anchor_rule = label.get("not_story_anchor")
    return not (anchor_rule and re.search(anchor_rule, anchor))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--show-errors", action="store_true", help="list every wrong and missed link")
    options = parser.parse_args()
    index = {row["id"]: row for row in map(json.loads, (PAGES / "index.jsonl").read_text().splitlines())}
    total = Score()
    print(f"{'page':<6}{'site':<32}{'links':>6}{'stories':>8}{'taken':>7}{'precision':>10}{'recall':>8}")
    for label in yaml.safe_load(LABELS.read_text(encoding="utf-8")):
        row = index[label["id"]]
        html = gzip.decompress((PAGES / "pages" / f"{label['id']}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        domain = registrable_domain(urlsplit(row["url"]).hostname or "")
        links = candidates(html, row["url"], domain)
        truth = {url for url, anchor in links.items() if is_story(url, anchor, label)}
        taken = {link.url for link in links_from_listing(html, row["url"], site_domains=frozenset({domain}))}
        taken &= set(links)  # links_from_listing drops the page itself and unsafe links too
        score = Score(taken=len(taken), stories=len(truth), right=len(taken & truth))
        total.add(score)
        host = urlsplit(row["url"]).hostname or ""
        print(
            f"{label['id']:<6}{host[:31]:<32}{len(links):>6}{score.stories:>8}{score.taken:>7}"
            f"{score.precision:>10.3f}{score.recall:>8.3f}"
        )
        if options.show_errors:
            for url in sorted(taken - truth):
                print(f"    wrongly taken: {urlsplit(url).path}  [{links[url][:50]}]")
            for url in sorted(truth - taken):
                print(f"    missed:        {urlsplit(url).path}  [{links[url][:50]}]")
    print(
        f"{'all':<38}{total.stories:>8}{total.taken:>7}{total.precision:>10.3f}{total.recall:>8.3f}"
        f"   (targets: precision >= {TARGETS['precision']}, recall >= {TARGETS['recall']})"
    )


if __name__ == "__main__":
    main()
