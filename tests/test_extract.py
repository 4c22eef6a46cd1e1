"""Tests of monitor.extract: the seed story, metadata sources, robustness, selector overrides, an F1 floor."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from monitor.extraction import extract
from monitor.models import Article, Selectors
from testbed.metric import DATA_DIR, load_pages, score_page, summarize

SITES = Path(__file__).parent / "sites"
SEEDS = Path(__file__).resolve().parent / "data" / "seeds"


def _page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


STORY = "".join(
    f"<p>Paragraph {n} of the story tells readers what happened, where, and why it matters to them.</p>"
    for n in range(1, 6)
)


# --- the seed: a WordPress news theme page must give exactly the clean story ------------------------------


def test_seed_page_extracts_to_the_clean_story() -> None:
    expected = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    html = (SITES / "seed" / "article.html").read_bytes()
    article = extract(html, url="https://mnnnews.example/china-says-pakistan/")
    assert f"{article.title}\n\n{article.text}".rstrip() == expected.rstrip()


def test_seed_page_metadata() -> None:
    article = extract((SITES / "seed" / "article.html").read_bytes())
    assert article.byline == "News Desk"
    assert article.authors == ("News Desk",)
    assert article.published == "2025-10-15T14:12:30+05:00"
    assert article.modified == "2025-10-15T14:20:02+05:00"
    assert article.canonical_url == "https://mnnnews.example/china-says-pakistan/"
    assert article.language == "en-US"
    assert article.section == "News"
    assert article.tags == ("China", "Pakistan", "Mining", "Rare Earth")
    assert article.image == "https://mnnnews.example/wp-content/uploads/2025/10/china-pakistan.jpg"


# --- metadata sources -------------------------------------------------------------------------------------

JSON_LD_GRAPH = """<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": "WebPage", "name": "Page name"},
  {"@type": ["NewsArticle"], "headline": "Graph headline", "datePublished": "2024-03-01T08:00:00Z",
   "author": [{"@type": "Person", "name": "Ann Lee"}, {"@type": "Person", "name": "Bo Chan"}],
   "articleSection": ["Politics"], "keywords": ["vote", "city"]}]}</script>"""
JSON_LD_ARRAY = """<script type="application/ld+json">[{"@type": "Organization", "name": "Daily"},
  {"@type": "BlogPosting", "headline": "Array headline", "author": {"@id": "#ann"},
   "datePublished": "2024-03-02"}, {"@type": "Person", "@id": "#ann", "name": "Ann Lee"}]</script>"""
OPEN_GRAPH = """<meta property="og:title" content="OG title"><meta property="article:published_time"
  content="2024-03-03T10:00:00+01:00"><meta property="article:tag" content="one">
  <meta property="article:tag" content="two"><meta property="og:url" content="/story">"""
META_ONLY = """<meta name="author" content="By Cy Dee and Ed Eff"><meta name="date" content="March 4, 2024">
  <title>Meta title | Daily</title><meta property="og:site_name" content="Daily">"""


@pytest.mark.parametrize(
    ("head", "body", "url", "expected"),
    [
        pytest.param(
            JSON_LD_GRAPH,
            "",
            None,
            {
                "title": "Graph headline",
                "authors": ("Ann Lee", "Bo Chan"),
                "published": "2024-03-01T08:00:00+00:00",
                "section": "Politics",
                "tags": ("vote", "city"),
            },
            id="json-ld-graph",
        ),
        pytest.param(
            JSON_LD_ARRAY,
            "",
            None,
            {"title": "Array headline", "byline": "Ann Lee", "published": "2024-03-02"},
            id="json-ld-array-with-id-reference",
        ),
        pytest.param(
            OPEN_GRAPH,
            "",
            "https://daily.example/news/x",
            {
                "title": "OG title",
                "published": "2024-03-03T10:00:00+01:00",
                "tags": ("one", "two"),
                "canonical_url": "https://daily.example/story",
            },
            id="open-graph",
        ),
        pytest.param(
            META_ONLY,
            "",
            None,
            {"title": "Meta title", "authors": ("Cy Dee", "Ed Eff"), "published": "2024-03-04"},
            id="meta-tags-and-title-suffix",
        ),
        pytest.param(
            "",
            '<h1>Heading</h1><time datetime="2024-03-05T09:30:00-05:00">March 5</time>' + STORY,
            None,
            {"title": "Heading", "published": "2024-03-05T09:30:00-05:00"},
            id="time-element",
        ),
        pytest.param(
            "",
            STORY,
            "https://daily.example/2024/03/06/some-story/",
            {"published": "2024-03-06", "canonical_url": "https://daily.example/2024/03/06/some-story/"},
            id="url-date",
        ),
        pytest.param(
            "",
            "<h1>Heading of the story</h1><div><b>By <span>Ann Lee</span></b><div>Published on July 18, 2025"
            "</div></div><p>Online classes have grown.</p>" + STORY,
            None,
            {"published": "2025-07-18"},
            id="text-date-glued-to-the-next-text-node",
        ),
        pytest.param(
            '<meta property="og:title" content="A headline without h1">',
            '<h1></h1><div class="post-title">A headline without h1</div><div>Dec 04, 2025</div>' + STORY,
            None,
            {"published": "2025-12-04"},
            id="printed-date-near-the-title-when-the-h1-is-empty",
        ),
        pytest.param(
            "",
            "<h1>Heading of the story</h1><span>17.05.2021</span>" + STORY,
            None,
            {"published": "2021-05-17"},
            id="printed-dotted-date-is-day-first",
        ),
        pytest.param(
            "",
            '<h1>Heading of the story</h1><script>{"date":"2020-01-01T00:00:00"}</script>'
            "<p>Essay - Published: 2025.12.17 | tags</p>" + STORY,
            None,
            {"published": "2025-12-17"},
            id="printed-date-not-inline-json",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "Article", "datePublished": "2024-09-10T16:07:00"}'
            "</script>",
            "<h1>Heading of the story</h1><span>09.10.2024</span>" + STORY,
            None,
            {"published": "2024-09-10T16:07:00"},
            id="ambiguous-printed-date-confirms-json-ld",
        ),
        pytest.param(
            "",
            '<div class="dateline"><p>Published</p><p>Feb 2, 2023</p></div>' + STORY,
            None,
            {"published": "2023-02-02"},
            id="date-class-text-nodes-kept-apart",
        ),
        pytest.param(
            "",
            '<h1>Heading</h1><time datetime="02-12-2025">02-12-2025</time>'
            '<time datetime="2025-12-02">December 02, 2025</time>' + STORY,
            None,
            {"published": "2025-12-02"},
            id="ambiguous-time-element-skipped",
        ),
        pytest.param(
            "",
            STORY,
            "https://wine.example/blog/2023/october/03/how-many-wine-types",
            {"published": "2023-10-03"},
            id="url-date-with-a-month-name",
        ),
        pytest.param(
            '<meta property="article:published_time" content="2025-12-19T03:05:00+00:00">',
            STORY,
            "https://blog.example/2025/12/18/late-post/",
            {"published": "2025-12-18"},
            id="url-date-beats-a-utc-date-a-day-off",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "Article", "datePublished": "2021-08-12"}</script>'
            '<meta property="article:published_time" content="2025-02-22T10:00:00+01:00">',
            STORY,
            None,
            {"published": "2025-02-22T10:00:00+01:00"},
            id="meta-beats-json-ld-when-they-disagree",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "Article", "datePublished": "2021-08-12"}</script>',
            "<h1>Heading of the story</h1><p>By Ann Lee, February 22, 2025</p>" + STORY,
            None,
            {"published": "2025-02-22"},
            id="printed-date-beats-unconfirmed-json-ld",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "Article", "datePublished": "2021-08-12"}</script>',
            '<h1>Heading of the story</h1><time datetime="2021-08-12">Aug 12</time><p>Updated February 22,'
            " 2025</p>" + STORY,
            None,
            {"published": "2021-08-12"},
            id="json-ld-confirmed-by-time-element",
        ),
        pytest.param(
            "",
            '<div class="byline">By <a rel="author" href="/a">Fay Gee</a></div>' + STORY,
            None,
            {"byline": "Fay Gee"},
            id="byline-markup",
        ),
        pytest.param(
            '<link rel="canonical" href="/canonical"><meta property="og:url" content="https://x.example/">',
            "",
            "https://daily.example/a?utm=1",
            {"canonical_url": "https://daily.example/canonical"},
            id="canonical-link-beats-og-url",
        ),
    ],
)
def test_metadata_sources(head: str, body: str, url: str | None, expected: dict[str, object]) -> None:
    article = extract(_page(head, body), url=url)
    assert {key: getattr(article, key) for key in expected} == expected


def test_itemprop_author_and_language() -> None:
    html = (
        '<html lang="de"><body><article><span itemprop="author" itemscope><span itemprop="name">Hans Maier'
        f"</span></span>{STORY}</article></body></html>"
    )
    article = extract(html)
    assert article.byline == "Hans Maier"
    assert article.language == "de"


# --- body text shape --------------------------------------------------------------------------------------


def test_text_shape_headings_lists_and_boilerplate() -> None:
    body = (
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/w'>World</a></li></ul></nav>"
        "<article><h1>The title</h1><div class='share-bar'><a href='#'>Share on Facebook</a></div>"
        f"{STORY}<h2>A section heading</h2><ul><li>first item of the list</li><li>second item</li></ul>"
        "<p>Closing paragraph with a <a href='/x'>link</a> inside a sentence that is long enough.</p>"
        "<div class='related-posts'><h3>Related</h3><ul><li><a href='/r1'>Other story one</a></li></ul></div>"
        "</article><footer>© Daily</footer>"
    )
    article = extract(_page("<title>The title</title>", body))
    paragraphs = article.paragraphs
    assert paragraphs[0].startswith("Paragraph 1 of the story")
    assert "A section heading" in paragraphs
    assert "first item of the list\nsecond item" in paragraphs
    assert paragraphs[-1].startswith("Closing paragraph with a link inside")
    for junk in ("Home", "Share on Facebook", "Other story one", "Daily", "The title"):
        assert junk not in article.text


# --- robustness: any input gives an Article, quickly --------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        pytest.param(b"", id="empty-bytes"),
        pytest.param("", id="empty-str"),
        pytest.param(bytes(range(256)) * 64, id="binary-garbage"),
        pytest.param(b"\xff\xfe\x00\x00garbage\x00", id="bom-garbage"),
        pytest.param("<html><head><title>Only a head</title></head></html>", id="no-body"),
        pytest.param("<<<>>><p<p<div>></", id="broken-markup"),
        pytest.param("<div>" * 5000 + "deep text" + "</div>" * 5000, id="deeply-nested-5000-divs"),
        pytest.param("<p>" + "word " * 20 + "</p>" + "<div><p>x</p></div>" * 50_000, id="huge-page"),
        pytest.param('<script type="application/ld+json">{"@graph": [[[{</script>', id="broken-json-ld"),
    ],
)
def test_any_input_gives_an_article(html: str | bytes) -> None:
    article = extract(html)
    assert isinstance(article, Article)
    assert isinstance(article.text, str)


def test_deeply_nested_story_is_still_found() -> None:
    html = "<div>" * 5000 + STORY + "</div>" * 5000
    started = time.monotonic()
    article = extract(html)
    assert time.monotonic() - started < 30  # bounded, not a benchmark
    assert "Paragraph 3 of the story" in article.text


def test_bytes_are_decoded_with_the_declared_charset() -> None:
    html = (
        '<html><head><meta charset="iso-8859-1"></head>'
        "<body><p>Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, une histoire longue.</p></body></html>"
    )
    article = extract(html.encode("latin-1"))
    assert "Café crème brûlée" in article.text


def test_utf8_bom_is_honoured() -> None:
    html = "\ufeff<html><body><p>Zürich – Grüße aus der Schweiz, ein langer Satz.</p></body></html>"
    assert "Zürich – Grüße" in extract(html.encode("utf-8")).text


# --- the per-site selector override -----------------------------------------------------------------------


def test_selectors_override_body_title_and_remove() -> None:
    body = (
        "<div class='story'><h2 class='headline'>Chosen title</h2><p>Kept paragraph one of the story.</p>"
        "<div class='promo-box'>Buy now, a promotion</div><p>Kept paragraph two of the story.</p></div>"
        f"<div class='longer'>{STORY}</div>"
    )
    selectors = Selectors(body="div.story", title="h2.headline", remove=("div.promo-box",))
    article = extract(_page("", body), selectors=selectors)
    assert article.title == "Chosen title"
    assert article.text == "Kept paragraph one of the story.\n\nKept paragraph two of the story."


def test_selectors_matching_nothing_give_empty_text() -> None:
    article = extract(_page("", STORY), selectors=Selectors(body="div.missing"))
    assert article.text == ""


def test_package_extract_is_the_extraction_function() -> None:
    import monitor

    article = monitor.extract(_page("", STORY), url="https://example.com/story/")
    assert article.text and monitor.extract is extract


# --- accuracy floor on a fixed sample of the development pages ----------------------------------------------

F1_FLOORS = {"scrapinghub": 0.94, "wcxb-articles-dev": 0.92}  # measured 0.968 / 0.955 on this sample


@pytest.mark.skipif(not DATA_DIR.exists(), reason="development data sets not available")
@pytest.mark.parametrize("data_set", sorted(F1_FLOORS))
def test_body_f1_floor_on_a_fixed_sample(data_set: str) -> None:
    pages = list(load_pages(data_set, step=5))
    summary = summarize(score_page(extract(page.html, url=page.url).text, page.gold_text) for page in pages)
    assert summary.f1 >= F1_FLOORS[data_set], summary


def test_headline_repeated_as_first_paragraph_is_not_story_text() -> None:
    story = "".join(
        f"<p>Paragraph {index} of the story says something worth reading in full.</p>" for index in range(5)
    )
    headline = "Council approves the new bridge over the Alder"
    page = (
        f'<html><head><meta property="og:title" content="{headline} today"></head>'
        f"<body><article><h2>{headline}</h2>{story}</article></body></html>"
    )
    article = extract(page)
    assert article.title == "Council approves the new bridge over the Alder today"
    assert article.text.startswith("Paragraph 0 of the story")  # the headline the title contains is dropped
    # a later paragraph that merely contains the headline words is kept
    later = page.replace(
        "</article>", "<p>Council approves the new bridge over the Alder, more to come.</p></article>"
    )
    assert "more to come" in extract(later).text


def test_link_wrapping_blocks_is_a_card_not_story_text() -> None:
    banner = (
        "<a href='/trial' id='inpage-banner'><div><h3>Sign up for a FREE trial with us today</h3>"
        "<p>Experience the quality of our work before you outsource!</p></div></a>"
    )
    article = extract(
        _page("", f"<article>{STORY}{banner}<p>Closing words of the story, told in full.</p></article>")
    )
    assert "FREE trial" not in article.text
    assert "Experience the quality" not in article.text
    assert article.text.endswith("Closing words of the story, told in full.")


def test_section_with_a_heading_slug_id_is_not_a_widget() -> None:
    section = (
        "<section id='related-products-and-services'><h2>Related products and services</h2>"
        "<p>Our suite of services runs on the same infrastructure as the rest of the company's products.</p>"
        "</section>"
    )
    widget = (
        "<div id='related'><h3>Related</h3><p>A teaser of another story of the same site, short.</p></div>"
    )
    article = extract(_page("", f"<article>{STORY}{section}{widget}</article>"))
    assert "Our suite of services runs" in article.text
    assert "A teaser of another story" not in article.text


def test_byline_is_never_taken_from_a_comment_thread() -> None:
    comments = (
        "<ol class='commentlist'><li><span class='comment-author vcard'><strong class='fn'>"
        "<a href='http://r.example/'>A Reader</a></strong>, on <a href='#c1'>May 2, 2024</a> said:</span>"
        "<p>Nice post.</p></li></ol>"
    )
    assert extract(_page("", f"<article>{STORY}</article>{comments}")).byline is None
    byline = "<div class='byline'>By <a rel='author' href='/a'>Fay Gee</a></div>"
    assert extract(_page("", f"{byline}<article>{STORY}</article>{comments}")).byline == "Fay Gee"


@pytest.mark.parametrize(
    ("line", "dropped"),
    [
        pytest.param("Written by Fay Gee", True, id="written-by"),
        pytest.param("2019-11-20 17:27:46 Fay Gee", True, id="date-and-name"),
        pytest.param("-Fay Gee", False, id="sign-off-is-story"),
        pytest.param("Fay Gee said the council met on May 2, 2024.", False, id="sentence-naming-the-author"),
    ],
)
def test_byline_line_in_the_body_is_not_story_text(line: str, dropped: bool) -> None:
    head = '<meta name="author" content="Fay Gee">'
    article = extract(_page(head, f"<article><p>{line}</p>{STORY}</article>"))
    assert article.byline == "Fay Gee"
    assert (line not in article.text) is dropped


@pytest.mark.parametrize(
    ("paragraph", "marker", "dropped"),
    [
        pytest.param(
            "<h3>Related post: <a href='/r'>Pickled Sprouts</a></h3>", "Pickled", True, id="related-post"
        ),
        pytest.param(
            "<div>Learn more about the <a href='/p'>MBA Program</a></div>", "MBA", True, id="learn-more"
        ),
        pytest.param(
            "<p>Learn more about <a href='/c'>the types of coverage</a> a homeowners policy can include.</p>",
            "coverage",
            False,
            id="sentence-with-a-link-is-story",
        ),
        pytest.param(
            "<p>If you buy something through our links, we may earn a commission at no cost to you.</p>",
            "commission",
            True,
            id="affiliate-disclosure",
        ),
    ],
)
def test_calls_to_action_and_disclosures_are_furniture(paragraph: str, marker: str, dropped: bool) -> None:
    article = extract(
        _page("", f"<article>{STORY}{paragraph}<p>The story ends with this sentence.</p></article>")
    )
    assert (marker not in article.text) is dropped
    assert article.text.endswith("The story ends with this sentence.")


def test_more_stories_list_under_its_heading_is_furniture() -> None:
    more = (
        "<div class='heading-h3'>More Great Daily Stories</div><ul>"
        "<li>Unions grow, <a href='/u'>no matter what the firms say</a></li>"
        "<li>Ads are not the problem. <a href='/a'>Our perceptions are</a></li></ul>"
    )
    resources = (
        "<p>Further reading for the garden, from our partners at the university:</p><ul>"
        "<li>Gardening in a warming world, <a href='/g'>a guide</a></li>"
        "<li>Soil and climate, <a href='/s'>a study</a></li></ul>"
    )
    article = extract(_page("", f"<article>{STORY}{more}{resources}</article>"))
    assert "More Great Daily Stories" not in article.text
    assert "Unions grow" not in article.text
    assert "Gardening in a warming world, a guide" in article.text


def test_collapsed_accordion_panel_is_story_text() -> None:
    faq = (
        "<h3>What software do professionals use?</h3>"
        "<div class='accordion-content hidden'><p>Most of them use one of three desktop packages.</p></div>"
        "<div class='modal hidden'><p>Create an account to keep reading our stories.</p></div>"
    )
    article = extract(_page("", f"<article>{STORY}{faq}</article>"))
    assert article.text.endswith("Most of them use one of three desktop packages.")
    assert "Create an account" not in article.text


def test_table_of_contents_toggle_is_furniture() -> None:
    toc = (
        "<div class='toc'><b>Contents</b> <span><a href='#'>hide</a></span>"
        "<div><a href='#one'>1 The first part</a></div></div>"
    )
    article = extract(_page("", f"<article>{toc}{STORY}</article>"))
    assert article.text.startswith("Paragraph 1 of the story")


def test_a_block_of_in_page_anchor_links_is_a_table_of_contents_whatever_its_labels_say() -> None:
    toc = (
        "<div class='box'><div><b>In this story</b> <span><a href='#'>Log in</a></span></div>"
        "<ol><li><a href='#one'>The first part</a></li><li><a href='#two'>The second part</a></li>"
        "<li><a href='#three'>The third part</a></li></ol></div>"
    )
    footnoted = (
        "<p>Paragraph 6 of the story cites a study<a href='#fn1'>[1]</a> and a report<a href='#fn2'>[2]</a>"
        " and a survey<a href='#fn3'>[3]</a> published last year by the city.</p>"
    )
    article = extract(_page("", f"<article>{toc}{STORY}{footnoted}</article>"))
    assert article.text.startswith("Paragraph 1 of the story")
    assert "In this story" not in article.text and "Log in" not in article.text
    assert article.paragraphs[-1].startswith("Paragraph 6 of the story cites a study[1]")


def test_story_container_scores_do_not_move_when_paragraphs_gain_wrappers() -> None:
    from selectolax.lexbor import LexborHTMLParser

    from monitor.extraction.body import _score_paragraph_parents

    page = f"<main class='content'><div class='article-body'>{STORY}</div></main>"
    wrapped = page.replace("<p>Paragraph", "<div class='paragraph-wrapper'><p>Paragraph")
    wrapped = wrapped.replace("them.</p>", "them.</p></div>")
    assert wrapped.count("paragraph-wrapper") == 5

    def scores(html: str) -> dict[str, float]:
        root = LexborHTMLParser(_page("", html)).body
        assert root is not None
        candidates = _score_paragraph_parents(root).values()
        return {str(c.node.attributes.get("class")): c.score for c in candidates if c.node.tag != "p"}

    assert scores(wrapped) == scores(page)
