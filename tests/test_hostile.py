"""Hostile and broken pages (issue 16, items 3 and 7): bounded parsing, the per-page deadline, and data
problems recorded where a user finds them, against real loopback servers and the real CLI."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from selectolax.lexbor import LexborNode

from monitor.discover import links_from_listing, links_from_sitemap
from monitor.discover.feeds import links_from_feed, strip_doctype
from monitor.discover.listing import MAX_LISTING_LINKS
from monitor.discover.sitemaps import MAX_INDEX_CHILDREN
from monitor.extraction import clean, extract
from monitor.markup import MAX_ATTRIBUTES, MAX_DEPTH
from monitor.pipeline.workers import PageAbandoned, PageWorkers
from testbed import fault_server as fs
from testbed.configs import write_config
from testbed.fault_server import FaultServer

STORY_TEXT = (
    "Officials announced on Tuesday a new plan for the city's water supply, after months of talks, "
    "and said that work would start in the spring, with the first results expected within a year."
)
STORY_PATHS = ["/2025/10/15/officials-announce-a-new-water-plan/", "/2025/10/16/council-votes-on-the-budget/"]


def story_page(title: str, before_story: str = "", paragraphs: int = 4) -> str:
    body = "".join(f"<p>{STORY_TEXT} Paragraph {number}.</p>" for number in range(paragraphs))
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>{before_story}"
        f"<article><h1>{title}</h1>{body}</article></body></html>"
    )


def listing_page(paths: list[str]) -> str:
    links = "".join(
        f'<li><a href="{path}">A story headline with enough words here</a></li>' for path in paths
    )
    return f"<html><body><ul>{links}</ul></body></html>"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as fault_server:
        yield fault_server


def once(config: Path, *args: str) -> Result:
    from monitor.cli import cli

    result = CliRunner().invoke(cli, ["--config", str(config), "--log-format", "json", "once", *args])
    assert result.exit_code == 0, result.output
    return result


def rows(config: Path, query: str) -> list[Any]:
    with sqlite3.connect(config.parent / "monitor.db") as connection:
        return connection.execute(query).fetchall()


def depth_of(node: LexborNode) -> int:
    deepest, stack = 0, [(node, 0)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in current.iter())
    return deepest


# --- item 3: parsing is bounded ------------------------------------------------------------------------


def test_a_deep_page_is_parsed_at_most_max_depth_deep_and_keeps_its_story() -> None:
    nesting = 20_000
    page = "<html><body>" + "<div>" * nesting + story_page("Deep") + "</div>" * nesting + "</body></html>"
    tree = clean.parse(page)
    assert tree.body is not None
    assert depth_of(tree.body) <= MAX_DEPTH + 2
    assert STORY_TEXT in extract(page).text


def test_a_tag_with_a_hundred_thousand_attributes_keeps_max_attributes() -> None:
    attributes = " ".join(f'data-a{number}="x"' for number in range(100_000))
    page = f'<html><body><div id="story" {attributes}>{story_page("Many")}</div></body></html>'
    node = clean.parse(page).css_first("#story")
    assert node is not None
    assert len(node.attributes) == MAX_ATTRIBUTES
    assert STORY_TEXT in extract(page).text


def test_strip_doctype_cuts_unclosed_declarations_and_keeps_the_feed() -> None:
    assert strip_doctype(b"<rss/>" + b"<!DOCTYPE a [" * 5_000) == b"<rss/>"
    feed = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY boom "x">]><rss version="2.0"><channel>'
        b"<item><title>One</title><link>http://127.0.0.1/2025/10/15/one-story-here/</link></item>"
        b"</channel></rss>"
    )
    assert strip_doctype(feed).startswith(b'<?xml version="1.0"?><rss')
    assert [link.url for link in links_from_feed(feed, "http://127.0.0.1/feed")] == [
        "http://127.0.0.1/2025/10/15/one-story-here/"
    ]


def test_a_listing_over_max_links_is_cut_with_a_problem() -> None:
    paths = [f"/2025/10/15/story-number-{number}-of-the-day/" for number in range(MAX_LISTING_LINKS + 50)]
    problems: list[str] = []
    links = links_from_listing(
        listing_page(paths), "http://127.0.0.1/", site_domains=frozenset({"127.0.0.1"}), problems=problems
    )
    assert len(links) == MAX_LISTING_LINKS
    assert problems == ["listing_cut"]


def test_a_sitemap_index_keeps_its_children_once_in_order_up_to_the_cap() -> None:
    def index_of(locs: list[str]) -> bytes:
        entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
        return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'.encode()

    locs = [f"http://127.0.0.1/sitemap-{number % 600}.xml" for number in range(1_200)]
    assert links_from_sitemap(index_of(locs), "http://127.0.0.1/")[1] == locs[:600]
    many = [f"http://127.0.0.1/sitemap-{number}.xml" for number in range(MAX_INDEX_CHILDREN * 3)]
    assert links_from_sitemap(index_of(many), "http://127.0.0.1/")[1] == many[:MAX_INDEX_CHILDREN]


def _sleep_then(seconds: float, value: str) -> str:
    time.sleep(seconds)
    return value


@pytest.mark.anyio
async def test_a_job_over_the_deadline_is_abandoned_and_its_worker_replaced() -> None:
    workers = PageWorkers(1, deadline_s=0.5)
    try:
        with pytest.raises(PageAbandoned) as abandoned:
            await workers.run(_sleep_then, 60, "never")
        assert abandoned.value.reason == "deadline"
        assert await workers.run(_sleep_then, 0, "next page") == "next page"
    finally:
        workers.close()


def test_a_page_over_the_deadline_is_abandoned_recorded_and_the_next_site_still_checked(
    server: FaultServer, tmp_path: Path
) -> None:
    # about 8 MB of story text: 0.4 s of extraction on a quiet machine, eight times the 0.05 s deadline
    server.route("/", fs.html(listing_page(STORY_PATHS[:1])))
    server.route(STORY_PATHS[0], fs.html(story_page("Huge", paragraphs=40_000)))
    with FaultServer() as other:
        other.route("/", fs.html(listing_page(STORY_PATHS[1:])))
        other.route(STORY_PATHS[1], fs.html(story_page("Council votes on the budget")))
        sites = [
            {"name": "hostile", "start_urls": [server.url("/")], "max_bytes": 20_000_000},
            {"name": "calm", "start_urls": [other.url("/")]},
        ]
        config = write_config(tmp_path, sites)
        config.write_text(
            config.read_text().replace("max_retries: 0", "max_retries: 0\n  page_deadline: 0.05")
        )
        result = once(config)
    problems = [json.loads(line) for line in result.stderr.splitlines() if '"page.problem"' in line]
    assert [(event["site"], event["error"]) for event in problems] == [("hostile", "extract_deadline")]
    assert rows(config, "SELECT error FROM fetches WHERE url LIKE '%officials-announce%'") == [
        ("extract_deadline",)
    ]
    assert rows(config, "SELECT site, url FROM articles") == [("calm", other.url(STORY_PATHS[1]))]


# --- item 7: silent data problems ----------------------------------------------------------------------


def test_a_story_behind_eight_million_characters_of_inline_image_is_stored(
    server: FaultServer, tmp_path: Path
) -> None:
    image = f'<img src="data:image/png;base64,{"A" * 8_100_000}">'
    server.route("/", fs.html(listing_page(STORY_PATHS[:1])))
    server.route(STORY_PATHS[0], fs.html(story_page("Behind an image", before_story=image)))
    config = write_config(tmp_path, [{"name": "images", "start_urls": [server.url("/")]}])
    once(config)
    [(body,)] = rows(config, "SELECT body FROM versions")
    assert STORY_TEXT in body


def test_json_served_as_html_is_not_a_story_and_is_recorded(server: FaultServer, tmp_path: Path) -> None:
    api_answer = json.dumps({"title": "Officials announce", "items": [STORY_TEXT] * 20})
    server.route("/", fs.html(listing_page(STORY_PATHS[:1])))
    server.route(STORY_PATHS[0], fs.html(api_answer))
    config = write_config(tmp_path, [{"name": "api", "start_urls": [server.url("/")]}])
    result = once(config)
    assert rows(config, "SELECT COUNT(*) FROM versions") == [(0,)]
    assert rows(config, f"SELECT error FROM fetches WHERE url = '{server.url(STORY_PATHS[0])}'") == [
        ("not_html",)
    ]
    assert '"error": "not_html"' in result.stderr


def test_a_sitemap_with_a_dtd_gives_its_links_and_a_broken_one_is_recorded(
    server: FaultServer, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    today = datetime.now(UTC).strftime("%Y-%m-%d")
    entries = "".join(
        f"<url><loc>{server.url(path)}</loc><lastmod>{today}</lastmod></url>" for path in STORY_PATHS
    )
    with_dtd = (
        '<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY site "x">]>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )
    server.route("/sitemap.xml", fs.respond(200, with_dtd, content_type="application/xml"))
    server.route("/broken.xml", fs.respond(200, "<urlset><url><loc>", content_type="application/xml"))
    for path in STORY_PATHS:
        server.route(path, fs.html(story_page("A story from the sitemap")))
    sitemaps = [server.url("/sitemap.xml"), server.url("/broken.xml")]
    config = write_config(tmp_path, [{"name": "maps", "sitemaps": sitemaps}])
    once(config)
    assert rows(config, "SELECT COUNT(*) FROM articles") == [(2,)]
    assert rows(config, "SELECT url, error FROM fetches WHERE url LIKE '%.xml' AND error IS NOT NULL") == [
        (server.url("/broken.xml"), "sitemap_unreadable")
    ]
