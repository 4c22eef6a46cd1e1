"""Tests for monitor.discover: URL identity and safety, listing heuristics, feeds, sitemaps, autodiscovery."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

import monitor.discover
from monitor.discover import (
    canonicalize_url,
    feed_urls_from_page,
    is_safe_link,
    links_from_feed,
    links_from_listing,
    links_from_sitemap,
    story_url,
)
from monitor.discover.shapes import learned_verdicts, url_shape
from monitor.discover.urls import registrable_domain
from monitor.fetch import Fetcher, FetchSettings
from testbed import fault_server as fs
from testbed.fault_server import FaultServer

SITE = frozenset({"example.com"})
NOW = datetime.now(UTC)
RECENT = (NOW - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
OLD = (NOW - timedelta(days=30)).strftime("%Y-%m-%d")
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def test_public_names_are_exported() -> None:
    assert set(monitor.discover.__all__) == {
        "canonicalize_url",
        "feed_urls_from_page",
        "is_safe_link",
        "links_from_feed",
        "links_from_listing",
        "links_from_sitemap",
        "story_url",
    }


# --- canonical URLs ------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/News/Story", "http://example.com/News/Story"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?utm_source=x&utm_medium=y", "https://example.com/a"),
        ("https://example.com/a?id=3&fbclid=abc&gclid=z", "https://example.com/a?id=3"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),  # order is the site's
        ("https://example.com/a?UTM_Campaign=x&page=2", "https://example.com/a?page=2"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://[::1]:443/a", "https://[::1]/a"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected
    assert canonicalize_url(expected) == expected  # idempotent


@pytest.mark.parametrize(
    ("url", "site_hosts", "safe"),
    [
        ("https://example.com/a", SITE, True),
        ("http://news.example.org/a", SITE, True),
        ("ftp://example.com/a", SITE, False),
        ("javascript:alert(1)", SITE, False),
        ("file:///etc/passwd", SITE, False),
        ("http://127.0.0.1/admin", SITE, False),
        ("http://localhost:8080/", SITE, False),
        ("http://10.1.2.3/", SITE, False),
        ("http://192.168.0.1/", SITE, False),
        ("http://172.16.5.4/", SITE, False),
        ("http://169.254.169.254/latest/meta-data/", SITE, False),
        ("http://[::1]/", SITE, False),
        ("http://[fe80::1]/", SITE, False),
        ("http://[::ffff:127.0.0.1]/", SITE, False),
        ("http://2130706433/", SITE, False),
        ("http://0x7f.1/", SITE, False),
        ("http://printer.local/", SITE, False),
        ("http://user:pass@example.com/", SITE, False),
        ("http://example.com:99999/", SITE, False),
        ("http://127.0.0.1:8000/story", frozenset({"127.0.0.1"}), True),  # the site itself lives there
        ("http://intranet.local/news/a", frozenset({"intranet.local"}), True),
    ],
)
def test_is_safe_link(url: str, site_hosts: frozenset[str], safe: bool) -> None:
    assert is_safe_link(url, site_hosts) is safe


@pytest.mark.parametrize(
    ("final_url", "canonical", "expected"),
    [
        ("https://example.com/a?utm_source=x", None, "https://example.com/a"),
        ("https://m.example.com/a", "https://www.example.com/a", "https://www.example.com/a"),
        ("https://example.com/a?amp=1", "/a", "https://example.com/a"),
        ("https://example.com/a", "https://aggregator.example.net/a", "https://example.com/a"),
        ("https://example.com/a", "https://example.com/", "https://example.com/a"),
        ("https://example.com/a", "javascript:alert(1)", "https://example.com/a"),
    ],
)
def test_story_url_merges_by_canonical_within_the_site(
    final_url: str, canonical: str | None, expected: str
) -> None:
    assert story_url(final_url, canonical, SITE) == expected


@pytest.mark.parametrize(
    ("host", "domain"),
    [("www.example.com", "example.com"), ("a.b.example.co.uk", "example.co.uk"), ("127.0.0.1", "127.0.0.1")],
)
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


# --- listing pages ------

LISTING = """<!doctype html><html><head><title>Example News</title></head><body>
<nav>
  <a href="/">Home</a> <a href="/world/">World</a> <a href="/politics">Politics</a>
  <a href="/login">Log in</a> <a href="/subscribe?ref=nav">Subscribe</a>
  <a href="/tag/elections/">Elections</a> <a href="/author/jane-doe/">Jane Doe</a>
  <a href="/category/sport/">Sport</a> <a href="/search?q=x">Search</a>
</nav>
<main>
  <article><h2><a href="/2026/11/23/parliament-passes-budget-after-long-night">Parliament passes budget
      after long night</a></h2></article>
  <article><a href="https://www.example.com/world/europe/floods-hit-northern-towns-again?utm_source=home#top">
      Floods hit northern towns again</a></article>
  <article><a href="/news/article-1234567">Markets fall as rates rise sharply today</a></article>
  <article><a href="/2026/11/23/parliament-passes-budget-after-long-night">Read more</a></article>
  <a href="/world/?page=2">Next page</a> <a href="/news/page/3/">3</a>
  <a href="/static/logo.png">logo</a> <a href="/files/report-on-the-budget-2026.pdf">Budget report PDF</a>
  <a href="https://other-site.org/2026/11/23/a-story-elsewhere-on-the-web">A story elsewhere on the web</a>
  <a href="http://127.0.0.1/2026/11/23/internal-admin-story-here">An internal admin story link here</a>
  <a href="mailto:news@example.com">Mail us</a> <a href="javascript:void(0)">Menu</a> <a href="#top">Top</a>
  <a href="/features/a-long-read-about-the-sea">A long read about the sea and the people who live from it</a>
</main>
<footer><a href="/about">About</a> <a href="/privacy-policy">Privacy</a>
  <a href="/contact">Contact</a></footer>
</body></html>"""


def test_listing_keeps_stories_and_drops_navigation() -> None:
    links = links_from_listing(LISTING, "https://example.com/", site_domains=SITE)
    assert [link.url for link in links] == [
        "https://example.com/2026/11/23/parliament-passes-budget-after-long-night",
        "https://www.example.com/world/europe/floods-hit-northern-towns-again",
        "https://example.com/news/article-1234567",
        "https://example.com/features/a-long-read-about-the-sea",
    ]
    assert all(link.source == "listing" for link in links)
    assert links[0].title == "Parliament passes budget after long night"  # the longer anchor text wins
    assert links[1].title == "Floods hit northern towns again"


def test_listing_include_and_exclude_patterns() -> None:
    links = links_from_listing(
        LISTING,
        "https://example.com/",
        site_domains=SITE,
        include=[r"/politics$"],
        exclude=[r"/features/", r"/news/"],
    )
    urls = [link.url for link in links]
    assert "https://example.com/politics" in urls  # include wins over the heuristics
    assert not any("/features/" in url or "/news/" in url for url in urls)
    assert "https://example.com/2026/11/23/parliament-passes-budget-after-long-night" in urls


def test_listing_resolves_against_base_href_and_ignores_garbage() -> None:
    html = '<base href="https://example.com/section/"><a href="ein-langer-artikel-ueber-wahlen">Wahlen</a>'
    links = links_from_listing(html, "https://cdn.example.com/x", site_domains=SITE)
    assert [link.url for link in links] == ["https://example.com/section/ein-langer-artikel-ueber-wahlen"]
    assert (
        links_from_listing(
            "\x00\xff<a href='http://[bad'>x</a><<<", "https://example.com/", site_domains=SITE
        )
        == []
    )


def test_listing_on_a_site_that_lives_on_loopback() -> None:
    html = '<a href="/2026/11/23/local-test-story">Local test story for the site</a>'
    links = links_from_listing(html, "http://127.0.0.1:8000/", site_domains=frozenset({"127.0.0.1"}))
    assert [link.url for link in links] == ["http://127.0.0.1:8000/2026/11/23/local-test-story"]


# --- feeds ------

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example</title><link>https://example.com/</link>
<item><title>First story</title><link>https://example.com/a?utm_source=rss</link>
  <pubDate>Mon, 23 Nov 2026 08:00:00 +0100</pubDate></item>
<item><title>No date</title><link>/relative/story</link></item>
<item><title>Bad scheme</title><link>javascript:alert(1)</link></item>
<item><title>Internal</title><link>http://10.0.0.1/a</link></item>
<item><title>First story again</title><link>https://example.com/a</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.com/blog/">
<title>Example Atom</title>
<entry><title>Atom entry</title><link rel="alternate" href="entries/one"/><id>urn:1</id>
  <updated>2026-11-22T10:00:00Z</updated></entry>
</feed>"""


def test_rss_feed_links_with_titles_and_dates() -> None:
    links = links_from_feed(RSS, "https://example.com/feed/")
    assert [(link.url, link.title, link.published) for link in links] == [
        ("https://example.com/a", "First story", "2026-11-23T07:00:00Z"),
        ("https://example.com/relative/story", "No date", None),
    ]
    assert all(link.source == "feed" for link in links)


def test_atom_feed_with_xml_base() -> None:
    links = links_from_feed(ATOM, "https://example.com/atom.xml")
    assert [(link.url, link.published) for link in links] == [
        ("https://example.com/blog/entries/one", "2026-11-22T10:00:00Z")
    ]


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS + b"<rss><channel><item><title>&lol9;</title><link>https://example.com/x</link></item>"
     b"</channel></rss>", b"", b"\x00\xff garbage", b"<html><body>not a feed</body></html>"],
    ids=["billion-laughs", "empty", "garbage", "html"],
)  # fmt: skip
def test_hostile_feeds_do_not_explode(body: bytes) -> None:
    started = time.monotonic()
    links = links_from_feed(body, "https://example.com/feed")
    assert time.monotonic() - started < 2
    assert all(len(link.title or "") < 1000 for link in links)


def test_feed_autodiscovery() -> None:
    html = """<html><head>
    <link rel="alternate" type="application/rss+xml" title="RSS" href="/feed/">
    <link rel="alternate" type="application/atom+xml" href="https://example.com/atom.xml?utm_source=x">
    <link rel="alternate" hreflang="de" href="/de/">
    <link rel="stylesheet" type="text/css" href="/style.css">
    <link rel="alternate" type="application/rss+xml" href="/feed/">
    </head></html>"""
    assert feed_urls_from_page(html, "https://example.com/news/") == [
        "https://example.com/feed/",
        "https://example.com/atom.xml",
    ]


# --- sitemaps ------


def news_sitemap() -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://example.com/fresh-story</loc>
    <news:news><news:publication><news:name>Example</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>{RECENT}</news:publication_date>
      <news:title>Fresh story</news:title></news:news></url>
  <url><loc>https://example.com/old-story</loc>
    <news:news><news:publication_date>{OLD}</news:publication_date><news:title>Old</news:title></news:news></url>
  <url><loc>https://example.com/modified-lately</loc><lastmod>{RECENT}</lastmod></url>
  <url><loc>https://example.com/modified-long-ago</loc><lastmod>{OLD}</lastmod></url>
  <url><loc>https://example.com/undated</loc></url>
  <url><loc>http://169.254.169.254/latest</loc></url>
</urlset>""".encode()


def test_news_sitemap_skips_old_entries() -> None:
    links, children = links_from_sitemap(news_sitemap(), "https://example.com/news-sitemap.xml")
    assert children == []
    assert [link.url for link in links] == [
        "https://example.com/fresh-story",
        "https://example.com/modified-lately",
        "https://example.com/undated",
    ]
    assert links[0].title == "Fresh story" and links[0].published is not None
    assert all(link.source == "sitemap" for link in links)


def test_sitemap_without_age_limit_keeps_everything() -> None:
    links, _ = links_from_sitemap(news_sitemap(), "https://example.com/s.xml", max_age_days=None)
    assert len(links) == 5


def test_sitemap_index_gives_recent_children_and_gzip_works() -> None:
    index = f"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://example.com/sitemap-today.xml</loc><lastmod>{RECENT}</lastmod></sitemap>
    <sitemap><loc>https://example.com/sitemap-2019.xml.gz</loc><lastmod>{OLD}</lastmod></sitemap>
    <sitemap><loc>/sitemap-undated.xml</loc></sitemap></sitemapindex>""".encode()
    for body in (index, gzip.compress(index)):
        links, children = links_from_sitemap(body, "https://example.com/sitemap.xml")
        assert links == []
        assert children == [
            "https://example.com/sitemap-today.xml",
            "https://example.com/sitemap-undated.xml",
        ]


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS + b"<urlset><url><loc>https://example.com/&lol9;</loc></url></urlset>",
     b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><urlset><url><loc>&e;</loc>'
     b"</url></urlset>", b"", b"not xml at all", b"<urlset><url><loc>https://example.com/a</loc>",
     gzip.compress(b"\0" * (60 * 1024 * 1024))],
    ids=["billion-laughs", "external-entity", "empty", "garbage", "truncated", "gzip-bomb"],
)  # fmt: skip
def test_hostile_sitemaps_yield_nothing(body: bytes) -> None:
    assert links_from_sitemap(body, "https://example.com/sitemap.xml") == ([], [])


# --- end to end: fetch a listing from the fault server, discover its stories ------


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as fault_server:
        yield fault_server


@pytest.mark.anyio
async def test_discovery_end_to_end_on_loopback(server: FaultServer) -> None:
    server.route(
        "/robots.txt",
        fs.respond(200, f"User-agent: *\nSitemap: {server.url('/news.xml')}\n", content_type="text/plain"),
    )
    server.route("/news.xml", fs.respond(200, news_sitemap(), content_type="application/xml"))
    server.route("/feed.xml", fs.respond(200, RSS, content_type="application/rss+xml"))
    listing = server.route(
        "/",
        fs.html(
            '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
            '<a href="/2026/11/23/a-story-on-the-loopback-site">A story on the loopback site</a>'
            '<a href="http://10.0.0.1/2026/11/23/somewhere-private-on-the-lan">Somewhere private</a>'
        ),
    )
    settings = FetchSettings(user_agent="monitor-test/1.0", host_delay_s=0.0, deadline_s=2.0, trust_env=False)
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(listing, kind="page")
        site_domains = frozenset({"127.0.0.1"})
        stories = links_from_listing(page.text, page.final_url, site_domains=site_domains)
        feeds = feed_urls_from_page(page.text, page.final_url)
        feed = await fetcher.fetch(feeds[0], kind="feed")
        sitemap_urls = await fetcher.sitemaps_from_robots(listing)
        sitemap = await fetcher.fetch(sitemap_urls[0], kind="sitemap")
    assert [link.url for link in stories] == [server.url("/2026/11/23/a-story-on-the-loopback-site")]
    assert feeds == [server.url("/feed.xml")]
    assert [link.title for link in links_from_feed(feed.body, feed.final_url)] == ["First story", "No date"]
    assert len(links_from_sitemap(sitemap.body, sitemap.final_url)[0]) == 3


URL_CLASSES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "discovery_urls.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", URL_CLASSES, ids=[f"{case['class']}: {case['url']}" for case in URL_CLASSES])
def test_listing_link_classes(case: dict[str, Any]) -> None:
    html = f'<html><body><a href="{case["url"]}">{case["title"]}</a></body></html>'
    links = links_from_listing(
        html, "https://example.com/", site_domains=SITE, learned_shapes=case.get("shapes")
    )
    assert bool(links) == case["story"]


@pytest.mark.parametrize(
    ("url", "shape"),
    [
        (
            "https://e.com/ideas/archive/2023/12/why-the-vote/676920/",
            "/ideas/archive/{yyyy}/{mm}/{slug}/{id}/",
        ),
        ("https://e.com/2025/10/15/officials-announce/", "/{yyyy}/{mm}/{dd}/{slug}/"),
        ("https://e.com/hub/climate-change", "/hub/{slug}"),
        ("https://e.com/reviews/best-ssds/", "/reviews/{slug}/"),
        ("https://e.com/articles/spotlight-2023-12-10/1100-6333/", "/articles/{slug}/{id}/"),
        ("https://e.com/news/story.html?x=1", "/news/story.html"),
        ("https://e.com/", "/"),
    ],
)
def test_url_shapes(url: str, shape: str) -> None:
    assert url_shape(url) == shape


def test_learned_verdicts_need_agreeing_evidence() -> None:
    verdicts = learned_verdicts(
        {"/a/{slug}/": (5, 0), "/hub/{slug}": (0, 4), "/{slug}/": (3, 3), "/b/": (1, 0)}
    )
    assert verdicts == {"/a/{slug}/": True, "/hub/{slug}": False}


@pytest.mark.parametrize(
    "path",
    ["/magazine/issue/2022/06", "/2024/05/", "/news/2024/05/01/", "/archive-of/2023"],
)
def test_listing_drops_date_archives(path: str) -> None:
    # a path ending in a date and nothing after it lists that date's stories (issue 12, bench_discovery)
    html = f'<a href="{path}">Vol 42 Issue 6: the month in stories</a>'
    assert links_from_listing(html, "https://example.com/", site_domains=SITE) == []


@pytest.mark.parametrize(
    "path", ["/2024/05/01/council-approves-the-new-bridge/", "/magazine/2022/06/build-a-graphing-altimeter"]
)
def test_listing_keeps_dated_stories_beside_date_archives(path: str) -> None:
    html = f'<a href="{path}">Council approves the new bridge over the river</a>'
    links = links_from_listing(html, "https://example.com/", site_domains=SITE)
    assert [link.url for link in links] == ["https://example.com" + path]


@pytest.mark.parametrize(
    ("path", "anchor"),
    [
        ("/tagged/proof-of-usefulness-hackathon", "#PROOF-OF-USEFULNESS-HACKATHON"),  # a tag hub
        ("/pages/how-we-rate-and-review-products", "How We Rate and Review Products"),  # a CMS static page
        ("/ml/all/0be301c0-f9be-4d70%40mail.example.com/", "reported"),  # a mailing-list message
        ("/lists/announce/jane.doe@example.org/", "Mail from Jane Doe about the release"),
    ],
)
def test_listing_drops_tag_hubs_static_pages_and_mail_archives(path: str, anchor: str) -> None:
    html = f'<a href="{path}">{anchor}</a>'
    assert links_from_listing(html, "https://example.com/", site_domains=SITE) == []


@pytest.mark.parametrize("anchor", ["6.19.6", "5.15.202"])
def test_a_release_number_anchor_is_a_story_not_a_counter(anchor: str) -> None:
    # lwn.net's kernel release briefs: a dotted version names a release; "12" or "1.2k" still count replies
    html = f'<a href="/Articles/1061210/">{anchor}</a><a href="/Articles/1061299/">12</a>'
    links = links_from_listing(html, "https://example.com/", site_domains=SITE)
    assert [(link.url, link.title) for link in links] == [("https://example.com/Articles/1061210/", anchor)]


@pytest.mark.parametrize(
    ("path", "anchor", "kept"),
    [
        ("/how-to-recycle-the-right-way/", "Recycling", False),  # a category's landing page
        ("/zero-waste-minimal-wardrobe/", "Fashion & Beauty", False),
        ("/ein-langer-artikel-ueber-wahlen", "Wahlen", True),  # a kicker the slug spells
        ("/2026/11/23/a-long-night-in-parliament", "Budget", True),  # dated: a story whatever its anchor
    ],
)
def test_a_short_label_the_slug_does_not_spell_is_a_category(path: str, anchor: str, kept: bool) -> None:
    html = f'<a href="{path}">{anchor}</a>'
    links = links_from_listing(html, "https://example.com/", site_domains=SITE)
    assert [link.url for link in links] == (["https://example.com" + path] if kept else [])
    forced = links_from_listing(html, "https://example.com/", site_domains=SITE, include=[path])
    assert [link.url for link in forced] == ["https://example.com" + path]  # the site's include wins


def test_a_category_label_is_a_story_when_the_page_also_gives_its_headline() -> None:
    html = (
        '<a href="/how-to-recycle-the-right-way/">Recycling</a>'
        '<a href="/how-to-recycle-the-right-way/">How to recycle the right way, bin by bin</a>'
    )
    links = links_from_listing(html, "https://example.com/", site_domains=SITE)
    assert [link.title for link in links] == ["How to recycle the right way, bin by bin"]
