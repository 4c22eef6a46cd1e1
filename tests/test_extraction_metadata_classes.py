"""One small handwritten page per metadata failure class of issue 14: dates, titles and authors."""

from __future__ import annotations

import json

import pytest

from monitor.extraction import extract


def _page(body: str, head: str = "", title: str = "A page") -> str:
    return f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


STORY = "".join(
    f"<p>Paragraph {n} of the story tells readers what happened in the harbour town, and why it matters.</p>"
    for n in range(1, 5)
)


def _json_ld(data: dict[str, object]) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("5. Oktober 2013", "2013-10-05"),
        ("26. Januar 2022", "2022-01-26"),
        ("21 avril 2020", "2020-04-21"),
        ("5 de octubre de 2013", "2013-10-05"),
        ("2013年10月5日", "2013-10-05"),
        ("2019년 6월 24일", "2019-06-24"),
    ],
)
def test_dates_printed_in_other_languages_are_read_by_month_name(printed: str, expected: str) -> None:
    html = _page(f"<h1>Der Hafen bekommt eine neue Brücke</h1><div class='meta'>{printed}</div>{STORY}")
    assert extract(html).published == expected


def test_a_labelled_date_far_from_the_headline_is_read() -> None:
    filler = "".join(f"<p>Filler {n}: {'words of the long page ' * 30}</p>" for n in range(3))
    html = _page(f"<h1>Der Hafen bekommt eine neue Brücke</h1>{STORY}{filler}<div>Datum: 19.11.2021</div>")
    assert extract(html).published == "2021-11-19"


def test_a_page_dated_only_by_its_stand_line_is_dated_by_it() -> None:
    html = _page(f"<h1>Der Hafen bekommt eine neue Brücke</h1>{STORY}<div>Stand: 05. Februar 2020</div>")
    assert extract(html).published == "2020-02-05"


@pytest.mark.parametrize("kind", ["ReportageNewsArticle", "SatiricalArticle", "DiscussionForumPosting"])
def test_every_type_of_the_schema_org_article_family_is_read(kind: str) -> None:
    head = _json_ld({"@type": kind, "headline": "Harbour bridge vote", "datePublished": "2024-03-01"})
    article = extract(_page(f"<h1>Harbour bridge vote</h1>{STORY}", head))
    assert article.published == "2024-03-01"


def test_an_update_time_is_not_taken_as_the_published_date() -> None:
    html = _page(
        "<h1>Harbour bridge vote</h1><p class='dates'>Updated <time datetime='2024-05-02'>May 2</time>"
        " · Published <time datetime='2024-04-30'>April 30</time></p>" + STORY
    )
    assert extract(html).published == "2024-04-30"


def test_the_pages_own_date_beats_a_print_edition_date_in_the_url() -> None:
    head = '<meta property="article:published_time" content="2024-03-01T09:00:00+01:00">'
    article = extract(
        _page(f"<h1>Harbour bridge vote</h1>{STORY}", head), url="https://x.example/2024/03/09/vote"
    )
    assert article.published == "2024-03-01T09:00:00+01:00"


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Veröffentlicht von Jana Schulz", ("Jana Schulz",)),
        ("Publié par Claire Martin", ("Claire Martin",)),
        ("投稿者：山田太郎", ("山田太郎",)),
        ("ByJane Doe", ("Jane Doe",)),
        ("Jane Doe @janedoe", ("Jane Doe",)),
        ("Jane Doe Twitter", ("Jane Doe",)),
        ("Moritz Gathmann am 21. April 2020", ("Moritz Gathmann",)),
        ("Luke Kemp 11 February 2020", ("Luke Kemp",)),
        ("Sara Zinnecker Stand: 05. Februar 2020", ("Sara Zinnecker",)),
        ("Jane Doe jane.doe@paper.example", ("Jane Doe",)),
        ("Benjamin Fischer und Marcus Theurer", ("Benjamin Fischer", "Marcus Theurer")),
        ("Von Tomas Spahn Fr, 18. Oktober 2019", ("Tomas Spahn",)),
        ("Heiko Sauer Do 9 Apr 2020", ("Heiko Sauer",)),
        ("Von Isabella Bauer am Samstag, 19. Oktober 2019 um 11:14 Uhr", ("Isabella Bauer",)),
        ("Jeff Foust Monday, March 4, 2019", ("Jeff Foust",)),
        ("By Daniel Bader last updated 4 April 17", ("Daniel Bader",)),
        ("Author Isaiah Shelton", ("Isaiah Shelton",)),
        ("Author Posted by Soliant", ("Soliant",)),
        ("Text by Hunter Dukes", ("Hunter Dukes",)),
        ("Byron Smith", ("Byron Smith",)),
        ("Andrew Husband Twitter News, Culture Writer", ("Andrew Husband",)),
        ("TOM KRISHER, AP Auto Writer", ("TOM KRISHER",)),
        ("Staff Writer", ("Staff Writer",)),
    ],
)
def test_bylines_are_cleaned_to_names(byline: str, expected: tuple[str, ...]) -> None:
    html = _page(f"<h1>Harbour bridge vote</h1><div class='byline'>{byline}</div>{STORY}")
    article = extract(html)
    assert article.authors == expected
    assert article.byline == ", ".join(expected)


def test_several_author_links_make_an_authors_list() -> None:
    links = "<a rel='author' href='/a/ann'>Ann Lee</a><a rel='author' href='/a/bo'>Bo Chan</a>"
    byline = f"<p class='byline'>By {links}</p>"
    article = extract(_page(f"<h1>Harbour bridge vote</h1>{byline}{STORY}"))
    assert article.authors == ("Ann Lee", "Bo Chan")
    assert article.byline == "Ann Lee, Bo Chan"


def test_the_brand_in_meta_author_gives_way_to_the_reporter_the_page_names() -> None:
    head = (
        '<meta name="author" content="Harbour Times">'
        '<meta property="og:site_name" content="The Harbour Times">'
    )
    byline = "<div class='byline'>By Ann Lee</div>"
    assert extract(_page(f"<h1>Harbour bridge vote</h1>{byline}{STORY}", head)).authors == ("Ann Lee",)


def test_the_visible_headline_beats_a_differing_metadata_title() -> None:
    head = '<meta property="og:title" content="Why does the ferry stop at noon?">'
    html = _page(f"<h1>Ferry company cuts the winter timetable by half</h1>{STORY}", head)
    assert extract(html).title == "Ferry company cuts the winter timetable by half"


def test_a_kicker_in_its_own_element_is_not_glued_to_the_headline() -> None:
    html = _page(f"<h1><span class='kicker'>Exclusive</span>Ferry company cuts the timetable</h1>{STORY}")
    assert extract(html).title == "Exclusive Ferry company cuts the timetable"


def test_a_logo_heading_is_not_the_title() -> None:
    logo = "<h1><a href='/'><img src='/logo.png' alt=''>Harbour Times</a></h1>"
    html = _page(
        f"<header>{logo}</header><h2>Ferry stops</h2>{STORY}", title="Ferry company cuts the timetable"
    )
    assert extract(html).title == "Ferry company cuts the timetable"


@pytest.mark.parametrize(
    "title",
    ["港の橋を建て替えへ、市議会が可決｜ハーバー新聞", "港の橋を建て替えへ、市議会が可決：ハーバー新聞"],
)
def test_a_site_name_after_a_full_width_separator_is_cut(title: str) -> None:
    assert extract(_page(STORY, title=title)).title == "港の橋を建て替えへ、市議会が可決"


def test_a_comment_counter_inside_the_headline_is_left_out() -> None:
    html = _page(f"<h1>Ferry company cuts the winter timetable <a href='#comments'>87</a></h1>{STORY}")
    assert extract(html).title == "Ferry company cuts the winter timetable"


# --- dates, round 3 -----------------------------------------------------------------------------------------


def test_a_video_page_is_dated_by_its_json_ld_upload_date() -> None:
    head = _json_ld({"@type": "VideoObject", "name": "Harbour bridge vote", "uploadDate": "2019-10-19T07:49"})
    assert extract(_page(f"<h1>Harbour bridge vote</h1>{STORY}", head)).published == "2019-10-19T07:49:00"


def test_an_hatom_abbr_is_dated_by_its_title_attribute() -> None:
    byline = "<abbr class='published' itemprop='datePublished' title='2017-09-09T10:52:00+02:00'>10:52</abbr>"
    article = extract(_page(f"<h1>Der Hafen bekommt eine neue Brücke</h1><div>{byline}</div>{STORY}"))
    assert article.published == "2017-09-09T10:52:00+02:00"


def test_an_rdfa_creation_date_is_read() -> None:
    meta = "<span property='schema:dateCreated' content='2022-01-28T12:45:46+00:00'></span>"
    article = extract(_page(f"<h1>Der Hafen bekommt eine neue Brücke</h1>{meta}{STORY}"))
    assert article.published == "2022-01-28T12:45:46+00:00"


def test_a_date_class_is_matched_whatever_its_case() -> None:
    line = "<span class='itemPoster'>von Cooper</span> <span class='itemPostDate'>am 25.08.2015</span>"
    article = extract(_page(f"<div class='title'>Der Hafen</div><div>{line}</div>{STORY}"))
    assert article.published == "2015-08-25"


def test_a_dotted_date_with_a_time_is_day_first() -> None:
    head = '<meta property="article:published_time" content="10.12.2022, 07:00:03">'
    article = extract(_page(f"<h1>Der Hafen bekommt eine neue Brücke</h1>{STORY}", head))
    assert article.published is not None and article.published.startswith("2022-12-10")


def test_a_date_printed_under_the_headline_beats_a_labelled_date_in_a_teaser() -> None:
    teaser = "<div class='teaser'><a href='/old'>Pressemitteilung vom 16.11.2020: Ein alter Bericht</a></div>"
    html = _page(f"{teaser}<h1>Der Hafen bekommt eine neue Brücke</h1><p><em>20.01.2022</em></p>{STORY}")
    assert extract(html).published == "2022-01-20"


def test_a_french_mise_en_ligne_label_dates_the_page() -> None:
    credits = "<ul><li><p>Mise en ligne</p><p>23 mai 2019</p></li></ul>"
    html = _page(f"<div>La voix des nuls</div>{STORY}{credits}")
    assert extract(html).published == "2019-05-23"


def test_counters_and_numbered_handles_in_a_byline_are_not_authors() -> None:
    byline = "<div class='byline'><a href='/u/sottek'>T.C. Sottek</a>, <span>203 comments</span>, new</div>"
    article = extract(_page(f"<h1>Harbour bridge vote</h1>{byline}{STORY}"))
    assert article.authors == ("T.C. Sottek",)
    handle = "<div class='author'>Posted by rmb8090</div>"
    assert extract(_page(f"<h1>Harbour bridge vote</h1>{handle}{STORY}")).authors == ()


def test_a_dotted_date_with_a_two_digit_year_is_day_first_in_this_century() -> None:
    html = _page(f"<div class='date'>Kultur, 2.11.22</div><h1>Konzert-Highlights im November</h1>{STORY}")
    assert extract(html).published == "2022-11-02"


def test_text_inside_scripts_is_no_printed_date() -> None:
    script = "<script>var config = {label: 'Datum: 01.01.2020', slot: 7};</script>"
    html = _page(f"{script}<h1>Der Hafen bekommt eine neue Brücke</h1>{STORY}<div>Datum: 19.11.2021</div>")
    assert extract(html).published == "2021-11-19"


def test_a_page_whose_headline_is_not_in_its_text_is_dated_from_its_top() -> None:
    html = _page(
        f"<div class='box'>Apr 7, 2009</div><div>This week's theme</div>{STORY}", title="A.Word.A.Day"
    )
    assert extract(html).published == "2009-04-07"


def test_a_wiki_page_is_dated_by_its_last_edited_line_when_nothing_else_dates_it() -> None:
    html = _page(
        f"<div>Beginners guide</div>{STORY}<p id='pageinfo'>Download (last edited 2019-11-10 13:28)</p>"
    )
    assert extract(html).published == "2019-11-10"


def test_the_date_a_theme_prints_by_the_headline_is_read_past_its_markup_indentation() -> None:
    indent = "\n" + " " * 40
    byline = f"<div class='meta'>{indent}<span>Paddy</span>{indent}·{indent}<span>April 19, 2019</span></div>"
    recent = "".join(
        f"<li><a href='/p{n}'>Another post {n}</a> <span class='post-date'>May {n}, 2019</span></li>"
        for n in range(5, 9)
    )
    html = _page(
        f"<aside><ul class='recent'>{recent}</ul></aside><article><h1>Lightroom runs fast again</h1>"
        f"{indent * 6}{byline}{STORY}</article>"
    )
    assert extract(html).published == "2019-04-19"


def test_a_date_with_a_two_digit_year_printed_by_the_headline_is_read() -> None:
    byline = "<div class='meta'>Von: Anna Berger <span>|</span> <span>31.10.23</span></div>"
    html = _page(f"<h1>Der Hafen bekommt eine neue Brücke</h1>{byline}{STORY}<p>Version 2.10.19 folgt.</p>")
    assert extract(html).published == "2023-10-31"


def test_figures_like_a_short_date_far_from_the_headline_are_no_date() -> None:
    table = "<table><tr><td>Ergebnis</td><td>12.10.21</td></tr></table>"
    html = _page(f"<h1>Der Hafen bekommt eine neue Brücke</h1>{STORY}{STORY}{table}")
    assert extract(html).published is None


@pytest.mark.parametrize("name", ["w-published-date", "cxenseparse:recs:publishtime", "dcterms.publish_date"])
def test_a_site_s_own_meta_name_for_the_publication_date_is_read(name: str) -> None:
    head = f'<meta name="{name}" content="2024-03-05T08:00:00Z">'
    html = _page(f"<h1>Der Hafen bekommt eine neue Brücke</h1>{STORY}", head=head)
    assert extract(html).published == "2024-03-05T08:00:00+00:00"


def test_a_modification_meta_is_not_read_as_the_publication_date() -> None:
    head = '<meta name="w-modified-date" content="2024-03-05T08:00:00Z">'
    html = _page(f"<h1>Der Hafen bekommt eine neue Brücke</h1>{STORY}", head=head)
    assert extract(html).published is None


def test_a_date_opening_a_slug_joined_by_plus_signs_dates_the_story() -> None:
    html = _page(f"<h1>Rust GCC backend: why and how</h1>{STORY}")
    url = "https://blog.example.org/articles/2025-12-15+Rust+GCC+backend:+Why+and+how"
    assert extract(html, url=url).published == "2025-12-15"


def test_a_bare_year_in_a_cited_work_s_microdata_is_no_publication_date() -> None:
    year = "<meta itemprop='datePublished' content='2006'>"
    cited = f"<li itemprop='citation' itemscope>{year}Peyriere H. 2006</li>"
    head = '<meta name="dc.date" content="2017-01-30">'
    html = _page(f"<h1>Dapsone in dermatology</h1>{STORY}<ol>{cited}</ol>", head=head)
    assert extract(html).published == "2017-01-30"


def _dated(lang: str) -> str:
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><title>t</title></head><body>"
        f"<h1>Student halls too full to be safe</h1><span class='time'>02/10/2020</span>{STORY}</body></html>"
    )


@pytest.mark.parametrize(
    ("lang", "expected"), [("en-GB", "2020-10-02"), ("fr", "2020-10-02"), ("en-US", "2020-02-10")]
)
def test_an_ambiguous_numeric_date_is_read_the_way_the_page_s_language_writes_it(
    lang: str, expected: str
) -> None:
    assert extract(_dated(lang)).published == expected


def test_a_locale_opening_the_url_path_tells_how_a_page_without_a_language_writes_dates() -> None:
    html = _dated("").replace(" lang=''", "")
    assert extract(html, url="https://www.msn.example/en-gb/news/uknews/halls").published == "2020-10-02"
    assert extract(html, url="https://www.msn.example/news/uknews/halls").published == "2020-02-10"


def test_a_structured_date_months_after_the_url_s_is_a_re_stamp_and_the_url_dates_the_story() -> None:
    head = _json_ld({"@type": "BlogPosting", "headline": "Unter uns: Montauk", "datePublished": "2019-06-17"})
    html = _page(f"<h1>Unter uns: Montauk</h1>{STORY}", head)
    assert (
        extract(html, url="https://www.blog.example/home/2017/7/12/unter-uns-montauk").published
        == "2017-07-12"
    )


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        (
            "<time datetime='2025-12-18'>Dec <span>18</span> 2025</time> Preparing a transition",
            "Preparing a transition",
        ),
        (
            "How AI Can Cut Your Planning <span class='i'>C</span>ycle From Two Weeks",
            "How AI Can Cut Your Planning Cycle From Two Weeks",
        ),
        (
            "The <span>product</span><span>development</span> system for teams",
            "The product development system for teams",
        ),
    ],
)
def test_the_headline_is_read_as_a_reader_sees_it(heading: str, expected: str) -> None:
    assert extract(_page(f"<h1>{heading}</h1>{STORY}")).title == expected


def test_an_unrendered_template_heading_is_no_headline() -> None:
    html = _page(
        f"<h1><a :href='item.url'>{{{{ navItem.title }}}} Overview</a></h1>{STORY}",
        title="Keep Your Teeth Healthy",
    )
    assert extract(html).title == "Keep Your Teeth Healthy"


def test_a_heading_that_spells_the_page_s_title_beats_a_blog_name_h1() -> None:
    head = '<meta property="og:title" content="Defer, Panic, and Recover">'
    body = (
        f"<header><h1>The Go Blog</h1></header><article><h2>Defer, Panic, and Recover</h2>{STORY}</article>"
    )
    html = _page(body, head, title="Defer, Panic, and Recover - The Go Blog")
    assert extract(html).title == "Defer, Panic, and Recover"


def test_a_teaser_heading_that_spells_an_embedded_video_s_headline_does_not_replace_the_h1() -> None:
    video = _json_ld(
        {"@type": "VideoObject", "headline": "Trade talks are going well", "name": "Trade talks"}
    )
    head = f'<meta property="og:title" content="Investors cannot read the trade war">{video}'
    body = f"<h1>Investors cannot read the trade war</h1>{STORY}<h2>Trade talks are going well</h2>"
    assert extract(_page(body, head)).title == "Investors cannot read the trade war"


def test_a_reworded_seo_title_leaves_the_visible_headline_in_place() -> None:
    head = '<meta property="og:title" content="Zitronenkuchen vom Blech">'
    headline = "Saftiger Zitronenkuchen vom Blech: einfach köstlich!"
    body = f"<h1>{headline}</h1>{STORY}<h2>Zitronenkuchen vom Blech</h2>"
    assert extract(_page(body, head)).title == headline


@pytest.mark.parametrize(
    "heading",
    [
        "<small>Tunesien</small><br> Große Aufgaben für die neue Regierung",
        "<div class='section'><a href='/local/'>Local News | </a></div><span>Große Aufgaben für die neue"
        " Regierung</span>",
        "<div><span class='visuallyhidden'>Headline:</span> Große Aufgaben für die neue Regierung</div>",
    ],
)
def test_a_kicker_in_its_own_element_goes_where_the_page_s_title_spells_the_rest(heading: str) -> None:
    head = '<meta property="og:title" content="Große Aufgaben für die neue Regierung">'
    assert extract(_page(f"<h1>{heading}</h1>{STORY}", head)).title == "Große Aufgaben für die neue Regierung"


def test_a_headline_whose_first_words_are_a_kicker_only_in_type_keeps_them() -> None:
    head = '<meta property="og:title" content="Große Aufgaben für die neue Regierung">'
    html = _page(f"<h1>Tunesien: Große Aufgaben für die neue Regierung</h1>{STORY}", head)
    assert extract(html).title == "Tunesien: Große Aufgaben für die neue Regierung"


def test_meta_tags_written_with_value_instead_of_content_are_read() -> None:
    head = (
        '<meta value="Sage Lazzaro" name="author">'
        '<meta value="2016-12-16T12:21:02-05:00" name="article:published_time">'
    )
    article = extract(_page(f"<h1>A lost city atop a Greek mountain</h1>{STORY}", head))
    assert article.authors == ("Sage Lazzaro",)
    assert article.published == "2016-12-16T12:21:02-05:00"


def test_a_meta_author_that_is_the_copyright_holder_gives_way_to_the_reporter_another_meta_names() -> None:
    head = (
        '<meta name="author" content="Condé Nast">'
        '<meta name="copyright" content="Copyright (c) Condé Nast 2022">'
        '<meta name="article:author" content="Emma Grey Ellis">'
    )
    assert extract(_page(f"<h1>The internet is a mood</h1>{STORY}", head)).authors == ("Emma Grey Ellis",)


def test_a_one_person_site_s_owner_stays_its_author() -> None:
    head = '<meta name="author" content="Günter Pilger"><meta name="copyright" content="Günter Pilger">'
    assert extract(_page(f"<h1>Meine Mailaktion an den Landtag</h1>{STORY}", head)).authors == (
        "Günter Pilger",
    )


def test_a_date_in_a_menu_beside_its_copy_of_the_headline_is_no_date_of_the_page() -> None:
    menu = (
        "<nav><ul><li><a href='/thema/luft/'>Woher kommt die dicke Luft?</a></li>"
        "<li><a href='/thema/chat/'>Chat mit Abgeordneten am 24.06.2015</a></li></ul></nav>"
    )
    undated = _page(f"{menu}<h1>Woher kommt die dicke Luft?</h1>{STORY}")
    assert extract(undated).published is None
    dated = _page(f"{menu}<h1>Woher kommt die dicke Luft?</h1><p><em>20.01.2022</em></p>{STORY}")
    assert extract(dated).published == "2022-01-20"  # the date by the headline itself, not the menu's
    twice = _page(f"{menu}{menu}<h1>Woher kommt die dicke Luft?</h1><p><em>20.01.2022</em></p>{STORY}")
    assert extract(twice).published == "2022-01-20"  # the menu printed again for small screens
    nested = menu.replace("</ul></nav>", f"<li>{menu}</li></ul></nav>")
    assert extract(_page(f"{nested}<h1>Woher kommt die dicke Luft?</h1>{STORY}")).published is None
