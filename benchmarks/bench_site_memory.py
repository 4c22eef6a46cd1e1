"""Site memory benchmark (issue 13): loopback sites built from real page templates, three passes of the real
CLI, and the first-sight CPU the memory adds.

    python benchmarks/bench_site_memory.py [--sites 4] [--stories 12] [--repeat 3]

Each site takes one real page of ../shared/data/extraction as its template (menus, related blocks, footer
kept) and puts other pages' gold text in place of its story, with four site-standard blocks inside the body,
identical on every page of the site: a promo paragraph, a related teaser, an author bio, a copyright line.
Pass 1 (`monitor once`) sees every story; pass 2 (`once --all`) changes the template of every page of every
site at once (promo reworded, a new teaser, a new year in the copyright line) and really edits three stories
per site (a sentence, an added paragraph, a removed paragraph); pass 3 changes nothing but a per-request
comment (so every page is extracted and compared again).
Targets: every real edit detected with the right fields and counts; 0 story.changed from the template
change; one template-change record per site; after the first three stories of a site, 0 stored bodies keep
the site's standard blocks; under 10% added to a first sight's CPU (extract + store, in-process).
The reference, measured in the same run, is the same passes with learning off (furniture_min_stories: 1000).
"""

from __future__ import annotations

import argparse
import html
import importlib
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from monitor.compare import normalise_text  # noqa: E402
from monitor.newsite import NewsSite, Page, PlainTheme, SiteServer  # noqa: E402
from testbed.configs import once_events  # noqa: E402
from testbed.mutations import NotApplicable, _fragment, _locate_story, load_pages  # noqa: E402

DATA_SETS = ("scrapinghub", "wcxb-articles-dev")
STORY_LINE_CHARS = 60  # gold lines at least this long become story paragraphs
STORY_PARAGRAPHS = 8
PLACEHOLDER = "<p>__STORY_BODY__</p>"
EDITED = {3: "sentence", 6: "added", 9: "removed"}  # story index -> real edit in pass 2
EXPECTED_SUMMARY = {
    "sentence": "body +0 -0 ~1 paragraphs",
    "added": "body +1 -0 ~0 paragraphs",
    "removed": "body +0 -1 ~0 paragraphs",
}


@dataclass
class SiteBlocks:
    """The four standard blocks of one site, before and after its template change."""

    brand: str

    def before(self) -> dict[str, str]:
        return {
            "promo": f"Want the {self.brand} briefing? Our editors pick the five stories you need each "
            "morning, free in your inbox.",
            "teaser": f"Also on {self.brand}: the long read on how the harbour district was rebuilt after "
            "the storm.",
            "bio": f"Alex Morgan is a senior correspondent at {self.brand}, covering politics, cities "
            "and the economy since 2014.",
            "rights": f"(c) 2025 {self.brand} Media Group. All rights reserved. This material may not be "
            "republished without permission.",
        }

    def after(self) -> dict[str, str]:
        blocks = self.before()
        blocks["promo"] = blocks["promo"].replace("five stories", "six stories").replace("free", "for free")
        blocks["teaser"] = f"Also on {self.brand}: inside the race to save the city's oldest cinema."
        blocks["rights"] = blocks["rights"].replace("2025", "2026")
        return blocks


@dataclass
class BenchSite:
    name: str
    host: str
    head: str  # the template page up to its story, and after it
    tail: str
    blocks: SiteBlocks
    stories: list[list[str]]  # paragraphs per story
    template_changed: bool = False
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def path(self, index: int) -> str:
        return f"/news/{index:02d}/story/"

    def page(self, index: int, base: str) -> str:
        blocks = self.blocks.after() if self.template_changed else self.blocks.before()
        own = self.stories[index]
        body = [*own[:2], blocks["promo"], *own[2:4], blocks["teaser"], *own[4:], blocks["bio"]]
        body.append(blocks["rights"])
        markup = "".join(f"<p>{html.escape(text)}</p>" for text in body)
        canonical = f'<link rel="canonical" href="{base}{self.path(index)}">'
        with self.lock:
            self.requests += 1
            nonce = self.requests
        head = self.head.replace("</head>", f"{canonical}</head>", 1)
        return f"{head}{markup}{self.tail}<!-- request {nonce} -->"


def template_of(page_html: str, gold: str) -> tuple[str, str] | None:
    """The page split around its story paragraphs (removed), without its own canonical and og:url."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(page_html)
    try:
        story = _locate_story(tree, gold)
    except NotApplicable:
        return None
    story[0].insert_before(_fragment(PLACEHOLDER))
    for node in [*story, *tree.css('link[rel="canonical"], meta[property="og:url"]')]:
        node.decompose()
    markup = tree.html or ""
    if markup.count(PLACEHOLDER) != 1 or "</head>" not in markup:
        return None
    head, tail = markup.split(PLACEHOLDER)
    return head, tail


def story_texts(gold: str) -> list[str] | None:
    lines = [line.strip() for line in gold.splitlines() if len(line.strip()) >= STORY_LINE_CHARS]
    return lines[:STORY_PARAGRAPHS] if len(lines) >= 6 else None


def build_sites(count: int, stories_per_site: int) -> list[BenchSite]:
    """`count` sites, their templates taken in turn from each data set, their stories from later pages."""
    pages = [iter(load_pages(data_set)) for data_set in DATA_SETS]
    templates: list[tuple[str, str]] = []
    while len(templates) < count:
        _page_id, page_html, gold = next(pages[len(templates) % len(pages)])
        template = template_of(page_html, gold)
        if template is not None:
            templates.append(template)
    texts: list[list[str]] = []
    while len(texts) < count * stories_per_site:
        for remaining in pages:
            story = story_texts(next(remaining)[2])
            if story is not None:
                texts.append(story)
    sites = []
    for number, (head, tail) in enumerate(templates):
        stories = texts[number * stories_per_site : (number + 1) * stories_per_site]
        brand = SiteBlocks(f"Paper{number}")
        sites.append(BenchSite(f"site-{number}", f"127.0.0.{20 + number}", head, tail, brand, stories))
    return sites


def serve(site: BenchSite) -> SiteServer:
    """The site's story pages (rendered on each request) and feed on its own 127.0.0.x, from now on."""
    news_site = NewsSite(name=site.name, theme=PlainTheme())
    for index in range(len(site.stories)):
        news_site.add(Page(site.path(index), f"Story {index}", partial(site.page, index)))
    return SiteServer(news_site, site.host).__enter__()


def apply_edits(site: BenchSite) -> None:
    """Pass 2: the template changes everywhere; three stories are really edited."""
    site.template_changed = True
    for index, kind in EDITED.items():
        paragraphs = site.stories[index]
        if kind == "sentence":
            paragraphs[1] = paragraphs[1] + " Officials later disputed this account."
        elif kind == "added":
            paragraphs.append(
                f"Update: {site.blocks.brand} learned on Tuesday that an inquiry into story {index} "
                "will report in March."
            )
        else:
            del paragraphs[3]


@dataclass
class Outcome:
    """What one configuration did over the three passes."""

    edits_found: int = 0
    edits_right: int = 0
    edits_expected: int = 0
    false_changed: int = 0
    pass3_changed: int = 0
    template_records: dict[str, int] = field(default_factory=dict)
    template_events: int = 0
    later_bodies: int = 0
    later_bodies_with_blocks: int = 0
    blocks_kept_at_all: int = 0  # standard blocks the extractor keeps in the very first story of each site
    blocks_total: int = 0
    notes: list[str] = field(default_factory=list)


def run_config(sites: list[BenchSite], folder: Path, *, learning: bool) -> Outcome:
    config = folder / "config.yaml"
    entries = []
    for site, server in zip(sites, SERVERS, strict=True):
        feed = f"{server.base_url}/feed/"
        entry: dict[str, Any] = {"name": site.name, "feeds": [feed]}
        if not learning:
            entry["furniture_min_stories"] = 1000
        entries.append(entry)
    config.write_text(
        yaml.safe_dump(
            {
                "database": "sqlite:///bench.db",
                "defaults": {"host_delay": "0s", "respect_robots": False},
                "fetch": {"max_retries": 0},
                "sites": entries,
            }
        )
    )
    for site in sites:
        site.template_changed = False
    outcome = Outcome()
    once_events(config)
    database = folder / "bench.db"
    _score_first_sight(sites, database, outcome)
    originals = [[list(story) for story in site.stories] for site in sites]
    for site in sites:
        apply_edits(site)
    second = once_events(config, "--all")
    _score_second_pass(sites, second, database, outcome)
    third = once_events(config, "--all")
    outcome.pass3_changed = sum(1 for event in third if event["event"] == "story.changed")
    outcome.pass3_changed += sum(1 for event in third if event["event"] == "site.template_changed")
    for site, stories in zip(sites, originals, strict=True):
        site.stories = stories
    return outcome


def _rows(database: Path, query: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query, parameters).fetchall()


def _holds(body: str, block: str) -> bool:
    return normalise_text(block) in normalise_text(body)


def _score_first_sight(sites: list[BenchSite], database: Path, outcome: Outcome) -> None:
    for site in sites:
        query = "SELECT body FROM latest_versions WHERE site = ? ORDER BY article_id"
        bodies = [row[0] for row in _rows(database, query, site.name)]
        blocks = site.blocks.before().values()
        if bodies:
            kept = [block for block in blocks if _holds(bodies[0], block)]
            outcome.blocks_kept_at_all += len(kept)
            outcome.blocks_total += len(blocks)
            for body in bodies[3:]:
                outcome.later_bodies += 1
                outcome.later_bodies_with_blocks += any(_holds(body, block) for block in kept)


def _score_second_pass(
    sites: list[BenchSite], events: list[dict[str, Any]], database: Path, outcome: Outcome
) -> None:
    changed = [event for event in events if event["event"] == "story.changed"]
    outcome.template_events = sum(1 for event in events if event["event"] == "site.template_changed")
    for site in sites:
        query = "SELECT COUNT(*) FROM template_changes WHERE site = ?"
        outcome.template_records[site.name] = _rows(database, query, site.name)[0][0]
        edited_paths = {site.path(index): kind for index, kind in EDITED.items()}
        outcome.edits_expected += len(edited_paths)
        for event in (event for event in changed if event["site"] == site.name):
            path = "/" + event["url"].split("/", 3)[3]
            kind = edited_paths.get(path)
            if kind is None:
                outcome.false_changed += 1
                continue
            outcome.edits_found += 1
            if event["fields"] == ["body"] and event["summary"] == EXPECTED_SUMMARY[kind]:
                outcome.edits_right += 1
            else:
                outcome.notes.append(f"{site.name}{path} {kind}: {event['fields']} {event['summary']}")


def first_sight_cpu(sites: list[BenchSite], repeat: int) -> tuple[float, float]:
    """Least CPU seconds per story of extract + store over every bench page: without, then with learning."""
    from monitor.extraction import extract
    from monitor.pipeline import site_memory
    from monitor.pipeline.runtime import new_version
    from monitor.store import Store

    snapshot_module = importlib.import_module("monitor.compare.snapshot")
    pages = [
        (site, f"http://{site.host}/news/{index:02d}/story/", site.page(index, f"http://{site.host}"))
        for site in sites
        for index in range(len(site.stories))
    ]
    config_sites = {site.name: _site_config(site.name) for site in sites}

    def one_run(learning: bool) -> float:
        with tempfile.TemporaryDirectory() as folder:
            store = Store(f"sqlite:///{folder}/cpu.db")
            store.upgrade()
            store.ensure_sites(config_sites)
            started = time.process_time()
            for site, url, page in pages:
                article = extract(page, url=url)
                version = new_version(url, article, url)
                learn = (
                    site_memory.first_sight_learning(config_sites[site.name], version) if learning else None
                )
                store.add_story(
                    site.name,
                    version,
                    next_check_at=None,
                    etag=None,
                    last_modified=None,
                    body_sha256="x",
                    learn=learn,
                )
            elapsed = time.process_time() - started
            store.close()
        return elapsed / len(pages)

    runs: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(repeat):  # interleaved, so a busy moment of the machine hits both alike
        for learning in (False, True):
            snapshot_module._normalised_paragraph.cache_clear()  # each run normalises its pages afresh
            runs[learning].append(one_run(learning))
    return min(runs[False]), min(runs[True])


def _site_config(name: str) -> Any:
    from monitor.config import load_config

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.yaml"
        path.write_text(yaml.safe_dump({"sites": [{"name": name, "feeds": ["http://127.0.0.1/feed.xml"]}]}))
        return load_config(path).sites[0]


SERVERS: list[SiteServer] = []


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for number, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--stories", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5, help="runs of the CPU measure (least is kept)")
    arguments = parser.parse_args()
    if arguments.stories < 10:
        raise SystemExit("--stories must be at least 10 (stories 3, 6 and 9 are edited)")
    sites = build_sites(arguments.sites, arguments.stories)
    SERVERS.extend(serve(site) for site in sites)
    started = time.perf_counter()
    try:
        results = {}
        for learning in (True, False):
            with tempfile.TemporaryDirectory() as folder:
                results[learning] = run_config(sites, Path(folder), learning=learning)
        cpu_without, cpu_with = first_sight_cpu(sites, arguments.repeat)
    finally:
        for server in SERVERS:
            server.close()
    memory, reference = results[True], results[False]
    stories = sum(len(site.stories) for site in sites)
    print(
        f"{len(sites)} sites x {arguments.stories} stories ({stories}), "
        f"{time.perf_counter() - started:.0f} s\n"
    )
    rows = [("measure", "site memory", "reference (learning off)", "target")]

    def row(label: str, value: Callable[[Outcome], str], target: str) -> None:
        rows.append((label, value(memory), value(reference), target))

    row("real edits detected", lambda o: f"{o.edits_found}/{o.edits_expected}", "all")
    row("  with the right fields and counts", lambda o: f"{o.edits_right}/{o.edits_expected}", "all")
    row("story.changed from the template change (pass 2)", lambda o: str(o.false_changed), "0")
    row(
        "template-change records per site",
        lambda o: ", ".join(map(str, o.template_records.values())),
        "1 each",
    )
    row("site.template_changed events (pass 2)", lambda o: str(o.template_events), str(len(sites)))
    row("events in pass 3 (nothing changed)", lambda o: str(o.pass3_changed), "0")
    row(
        "stories 4+ whose stored body keeps a standard block",
        lambda o: f"{o.later_bodies_with_blocks}/{o.later_bodies}",
        "0",
    )
    row(
        "standard blocks the extractor keeps (1st story)",
        lambda o: f"{o.blocks_kept_at_all}/{o.blocks_total}",
        "",
    )
    added = (cpu_with - cpu_without) / cpu_without
    rows.append(
        (
            "first sight CPU, extract + store (in-process)",
            f"{cpu_with * 1000:.2f} ms/story",
            f"{cpu_without * 1000:.2f} ms/story (no memory)",
            "",
        )
    )
    rows.append(("  added by the site memory", f"{added:+.1%}", "", "< 10%"))
    print_table(rows)
    for note in memory.notes:
        print("wrong fields:", note)


if __name__ == "__main__":
    main()
