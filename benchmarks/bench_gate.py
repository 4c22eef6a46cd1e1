"""The article gate through the real CLI (issue 12): real non-article pages beside real article pages.

Serves the 688 non-article pages of ../shared/data/pages/wcxb-nonarticles-dev (listing, collection, product,
service, forum, documentation) and the article pages of ../shared/data/extraction (wcxb-articles-dev,
scrapinghub) from 127.0.0.x at their real paths, each host with a front page linking its pages (real titles
as anchors) and an RSS feed listing every one of them; runs `python -m monitor once`, then serves every
non-article page with its list items reordered and its numbers moved and runs `monitor once --all`.
Prints, per page type, how many were stored as stories and how many false CHANGED the second pass raised (a
`changed` row that alerts; the minor ones, such as listing churn, are counted apart), then the gate's cost as
a share of extraction time, measured in-process on the same pages in the same run. --show-changes N prints
the stored diffs of N false CHANGED and why each is no listing churn (monitor/compare/churn.py).

Usage: python benchmarks/bench_gate.py [--limit N] [--hosts N] [--mutation per-list|page] [--keep]
                                      [--show-changes N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.newsite import NewsSite, PlainTheme, SiteServer  # noqa: E402
from monitor.newsite import Page as SitePage  # noqa: E402

DATA = REPO.parent / "shared" / "data"
NON_ARTICLES = DATA / "pages" / "wcxb-nonarticles-dev"
ARTICLE_SETS = ("wcxb-articles-dev", "scrapinghub")
TARGETS = {
    "non_article_stored_max": 0.01,
    "articles_stored_min": 0.995,
    "false_changed": 0,
    "gate_cost": 0.05,
}
_SITE_PATHS = ("/", "/feed/", "/robots.txt", "/news-sitemap.xml")  # what monitor.newsite serves itself
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_LIST_ITEMS = re.compile(rb"(<li\b[^>]*>.*?</li>)", re.IGNORECASE | re.DOTALL)
# A list that holds no other list: its items reverse among themselves (an outer list with a nested one keeps
# its order, and no item crosses into another list).
_INNERMOST_LIST = re.compile(
    rb"(<(ul|ol)\b[^>]*>)((?:(?!<(?:ul|ol)\b|</(?:ul|ol)>).)*)(</\2\s*>)", re.IGNORECASE | re.DOTALL
)
MUTATIONS = ("per-list", "page")
_NUMBER = re.compile(
    rb"(?<=>)(\s*)(\d{1,6})(\s*(?:comments?|replies|views|likes|posts|reviews|items|results)?)"
)


@dataclass
class Page:
    page_id: str
    page_type: str  # "article" or the non-article label
    path: str
    title: str
    body: bytes
    host: str = ""
    base: str = ""  # http://host:port once served


def load_pages(limit: int | None) -> list[Page]:
    pages = _load_set(NON_ARTICLES, None, limit)
    for name in ARTICLE_SETS:
        pages.extend(_load_set(DATA / "extraction" / name, "article", limit))
    return pages


def _load_set(folder: Path, page_type: str | None, limit: int | None) -> list[Page]:
    pages = []
    for line in (folder / "index.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        file = folder / "pages" / f"{row['id']}.html.gz"
        if not file.exists():
            continue
        body = gzip.decompress(file.read_bytes())
        url = row.get("url") or f"https://unknown.example/{row['id']}"
        title = row.get("title") or _page_title(body) or f"Page {row['id']}"
        path = urlsplit(url).path or "/"
        if urlsplit(url).query:
            path += "?" + urlsplit(url).query
        pages.append(Page(f"{folder.name}/{row['id']}", page_type or row["page_type"], path, title, body))
        if limit and len(pages) >= limit:
            break
    return pages


def _page_title(body: bytes) -> str | None:
    match = _TITLE.search(body[:200_000])
    return re.sub(r"\s+", " ", match.group(1).decode("utf-8", "replace")).strip() if match else None


def place_on_hosts(pages: list[Page], hosts: int) -> dict[str, dict[str, Page]]:
    """Spread pages over 127.0.0.2.. so no two share a path on one host (the front page and feed are ours)."""
    by_host: dict[str, dict[str, Page]] = {f"127.0.0.{2 + index}": {} for index in range(hosts)}
    names = list(by_host)
    for index, page in enumerate(pages):
        if page.path in _SITE_PATHS or page.path.startswith("/section/"):  # the simulated site's own
            page.path = f"/home-{page.page_id.rsplit('/', 1)[-1]}/"
        for attempt in range(len(names)):
            host = names[(index + attempt) % len(names)]
            if page.path not in by_host[host]:
                by_host[host][page.path] = page
                page.host = host
                break
        else:
            page.path = f"/p{index}{page.path}"
            page.host = names[index % len(names)]
            by_host[page.host][page.path] = page
    return by_host


def mutate(body: bytes, mutation: str = "per-list") -> bytes:
    """The second pass's noise: every list's items in reverse order, every counter moved by one.

    "per-list" (the issue's "reorders their items"): each list that holds no other list reverses its own
    items. "page" (this benchmark's first version): every <li> of the page reversed as one sequence, so
    items also move from one list into another (a menu's entries into the content's list, and back)."""
    if mutation == "page":
        body = _reversed_items(body)
    else:
        body = _INNERMOST_LIST.sub(
            lambda match: match.group(1) + _reversed_items(match.group(3)) + match.group(4), body
        )
    return _NUMBER.sub(lambda m: m.group(1) + str(int(m.group(2)) + 1).encode() + m.group(3), body)


def _reversed_items(markup: bytes) -> bytes:
    items = _LIST_ITEMS.findall(markup)
    if len(items) < 2:
        return markup
    reordered = iter(reversed(items))
    return _LIST_ITEMS.sub(lambda match: next(reordered), markup)


def _href(path: str) -> str:
    return quote(path, safe="/?&=%:;,+@!$'()*~-._")


def serve(by_host: dict[str, dict[str, Page]]) -> list[SiteServer]:
    """Each host's pages at their real paths (and queries), with a front page and a feed (monitor.newsite)."""
    servers = []
    for host, pages in by_host.items():
        site = NewsSite(name=host, theme=PlainTheme())
        for path, page in pages.items():
            site.add(SitePage(_href(path), page.title, page.body, content_type="text/html"))
        server = SiteServer(site, host).__enter__()
        for page in pages.values():
            page.base = server.base_url
        servers.append(server)
    return servers


def mutate_pages(server: SiteServer, by_path: dict[str, Page], mutation: str) -> None:
    """Pass 2: every non-article page served with its noise (mutate()); articles as they were."""
    with server.site.lock:
        for path, page in by_path.items():
            if page.page_type != "article":
                server.site.pages[_href(path)].body = mutate(page.body, mutation)


def write_config(directory: Path, servers: list[SiteServer], max_new: int) -> Path:
    sites = []
    for index, server in enumerate(servers):
        base = server.base_url
        sites.append({"name": f"host{index}", "start_urls": [f"{base}/"], "feeds": [f"{base}/feed/"]})
    config = {
        "database": "sqlite:///gate.db",
        "extract_workers": 0,
        "defaults": {
            "host_delay": "0s",
            "respect_robots": False,
            "max_new_per_pass": max_new,
            "timeout": "30s",
        },
        "fetch": {"max_retries": 0, "concurrency": 8},
        "sites": sites,
    }
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def run_cli(config: Path, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), "--log-level", "warning", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"monitor {' '.join(args)} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def gate_cost(pages: list[Page], sample: int) -> tuple[float, float, float]:
    """Mean ms per page of extraction without the gate, and of signals + verdict; measured in this process."""
    from monitor.extraction import clean, extract, rules
    from monitor.extraction.metadata import extract_metadata
    from monitor.extraction.signals import SIGNAL_SELECTOR, page_signals
    from monitor.gate import judge

    chosen = pages[:: max(1, len(pages) // sample)][:sample]
    extract_s = signals_s = judge_s = 0.0
    for page in chosen:
        started = time.perf_counter()
        article = extract(page.body, url=page.base + page.path)
        extract_s += time.perf_counter() - started
        tree = clean.parse(page.body)
        # the signal nodes come in extraction's walk for the scripts: their share is that walk's extra cost
        started = time.perf_counter()
        tree.css(rules.CODE_SELECTOR)
        code_only_s = time.perf_counter() - started
        started = time.perf_counter()
        _, nodes = clean.code_nodes_and(tree, SIGNAL_SELECTOR)
        signals_s += max(time.perf_counter() - started - code_only_s, 0.0)
        found = extract_metadata(tree, page.base + page.path)  # extraction reads this anyway
        started = time.perf_counter()
        page_signals(nodes, found, len(page.body))
        signals_s += time.perf_counter() - started
        started = time.perf_counter()
        judge(article, page.base + page.path)
        judge_s += time.perf_counter() - started
    count = len(chosen)
    gate_ms = (signals_s + judge_s) / count * 1000
    return (extract_s - signals_s) / count * 1000, gate_ms, gate_ms / ((extract_s - signals_s) / count * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, help="pages per data set (default: all)")
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--cost-sample", type=int, default=300, help="pages timed for the gate's cost")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (config, database)")
    parser.add_argument("--show-changes", type=int, default=0, metavar="N", help="print N false CHANGED")
    parser.add_argument(
        "--mutation", choices=MUTATIONS, default="per-list", help="how pass 2 reorders items (see mutate)"
    )
    options = parser.parse_args()
    pages = load_pages(options.limit)
    by_host = place_on_hosts(pages, options.hosts)
    servers = serve(by_host)
    workdir = Path(tempfile.mkdtemp(prefix="bench-gate-"))
    try:
        config = write_config(workdir, servers, max_new=len(pages) + 10)
        first_s = run_cli(config, "once")
        for server, by_path in zip(servers, by_host.values(), strict=True):
            mutate_pages(server, by_path, options.mutation)
        second_s = run_cli(config, "once", "--all")
        report(pages, workdir / "gate.db", first_s, second_s, gate_cost(pages, options.cost_sample))
        if options.show_changes:
            show_changes(workdir / "gate.db", options.show_changes)
    finally:
        for server in servers:
            server.close()
        if options.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report(
    pages: list[Page], database: Path, first_s: float, second_s: float, cost: tuple[float, float, float]
) -> None:
    page_of = _url_index(pages)
    with sqlite3.connect(database) as connection:
        stored = [page_of.get(url) for (url,) in connection.execute("SELECT url FROM articles")]
        changed = [
            page_of.get(url)
            for (url,) in connection.execute(
                "SELECT a.url FROM changes c JOIN articles a ON a.id = c.article_id"
                " WHERE c.kind = 'changed' AND NOT c.minor"
            )
        ]
        minor = [
            page_of.get(url)
            for (url,) in connection.execute(
                "SELECT a.url FROM changes c JOIN articles a ON a.id = c.article_id"
                " WHERE c.kind = 'changed' AND c.minor"
            )
        ]
        verdicts = Counter(connection.execute("SELECT state FROM discovered_links").fetchall())
    totals = Counter(page.page_type for page in pages)
    stored_by = Counter(page.page_type for page in stored if page is not None)
    changed_by = Counter(page.page_type for page in changed if page is not None)
    minor_by = Counter(page.page_type for page in minor if page is not None)
    print(f"{'page type':<15}{'pages':>7}{'stored':>9}{'share':>9}{'false CHANGED':>15}{'minor':>7}")
    non_total = non_stored = non_changed = non_minor = 0
    for page_type in sorted(totals, key=lambda name: (name == "article", name)):
        share = stored_by[page_type] / totals[page_type]
        flagged = changed_by[page_type] if page_type != "article" else "-"
        quiet = minor_by[page_type] if page_type != "article" else "-"
        print(
            f"{page_type:<15}{totals[page_type]:>7}{stored_by[page_type]:>9}{share:>9.1%}"
            f"{flagged!s:>15}{quiet!s:>7}"
        )
        if page_type != "article":
            non_total += totals[page_type]
            non_stored += stored_by[page_type]
            non_changed += changed_by[page_type]
            non_minor += minor_by[page_type]
    print(
        f"{'non-articles':<15}{non_total:>7}{non_stored:>9}"
        f"{non_stored / max(non_total, 1):>9.1%}{non_changed:>15}{non_minor:>7}"
    )
    print(f"targets: non-articles stored <= {TARGETS['non_article_stored_max']:.0%}, articles stored >= "
          f"{TARGETS['articles_stored_min']:.1%}, false CHANGED {TARGETS['false_changed']}")  # fmt: skip
    extract_ms, gate_ms, share = cost
    print(f"gate cost: {gate_ms:.2f} ms per page (signals + verdict) vs extraction {extract_ms:.2f} ms: "
          f"{share:.1%} (target < {TARGETS['gate_cost']:.0%})")  # fmt: skip
    print(f"passes: first {first_s:.0f} s, second {second_s:.0f} s; discovered_links states: "
          + ", ".join(f"{state[0]} {count}" for state, count in sorted(verdicts.items())))  # fmt: skip


def show_changes(database: Path, count: int) -> None:
    """The stored diff of `count` false CHANGED (shortest first) and why churn.py did not call it churn."""
    from monitor.compare import snapshot
    from monitor.compare.churn import churn_or_why
    from monitor.models import Article

    query = """SELECT a.url, c.summary, c.diff, old.title, old.byline, old.published_at, old.modified_at,
        old.body, new.title, new.byline, new.published_at, new.modified_at, new.body
        FROM changes c JOIN articles a ON a.id = c.article_id
        JOIN versions old ON old.article_id = c.article_id AND old.version = c.version - 1
        JOIN versions new ON new.article_id = c.article_id AND new.version = c.version
        WHERE c.kind = 'changed' AND NOT c.minor ORDER BY length(c.diff) LIMIT ?"""
    with sqlite3.connect(database) as connection:
        for url, summary, diff, *fields in connection.execute(query, (count,)):
            old, new = (
                snapshot(Article(title=t, byline=b, published=p, modified=m, text=text or ""))
                for t, b, p, m, text in (fields[:5], fields[5:])
            )
            print(f"\n{url}  {summary}\n  why not churn: {churn_or_why(old, new)}")
            print("\n".join("  " + line[:160] for line in (diff or "").splitlines()[:30]))


def _url_index(pages: list[Page]) -> dict[str, Page]:
    from monitor.discover import canonicalize_url

    return {canonicalize_url(page.base + _href(page.path)): page for page in pages}


if __name__ == "__main__":
    main()
