"""One small handwritten page per failure class of issue 14: body choice, furniture, CJK, app-state bodies."""

from __future__ import annotations

import json

from monitor.extraction import extract


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>A page</title>{head}</head><body>{body}</body></html>"


def _story(count: int = 5, tag: str = "p", word: str = "Paragraph") -> str:
    return "".join(
        f"<{tag}>{word} {n} of the story tells readers what happened in the harbour town, where it happened, "
        f"and why the council thinks it matters to them this winter.</{tag}>"
        for n in range(1, count + 1)
    )


NAV = '<div class="top"><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></div>'


def test_a_comment_thread_with_more_text_does_not_replace_the_story() -> None:
    comments = "".join(
        f'<div class="comment-body"><p>Reader {n} writes: I have lived here for years, and honestly, the '
        f"bridge, "
        f"the roads, the harbour and the schools all need money before anything else, as we said "
        f"before.</p></div>"
        for n in range(12)
    )
    html = _page(
        f'{NAV}<div class="story-wrap"><h1>Council votes on the harbour bridge</h1>{_story(3)}</div>'
        f'<div class="talk-thread">{comments}</div>'
    )
    article = extract(html)
    assert "Paragraph 1 of the story" in article.text
    assert "Reader 3 writes" not in article.text


def test_a_story_inside_noscript_is_kept() -> None:
    html = _page(
        f'{NAV}<div class="post-body"><noscript>{_story(4)}</noscript></div><p>Enable JavaScript.</p>'
    )
    text = extract(html).text
    assert "Paragraph 1 of the story" in text and "Paragraph 4 of the story" in text


def test_a_story_written_as_a_bullet_list_beats_an_author_note() -> None:
    note = (
        '<div class="bio"><p>Jane Doe has covered the harbour, the council and the town for the paper since '
        "2010, and before that, the courts.</p></div>"
    )
    html = _page(f'{NAV}<div class="entry"><ul>{_story(6, "li", "Point")}</ul></div>{note}')
    text = extract(html).text
    assert "Point 1 of the story" in text and "Point 6 of the story" in text


def test_a_story_in_div_span_text_beats_a_caption_paragraph() -> None:
    spans = "".join(f"<div><span>{line}</span></div>" for line in _lines(6))
    caption = (
        '<p class="pic">The harbour bridge, seen from the north shore, at dawn, on Monday, in the rain.</p>'
    )
    html = _page(f'{NAV}{caption}<div class="story">{spans}</div>')
    text = extract(html).text
    assert "Line 1 of the story" in text and "Line 6 of the story" in text


def test_a_story_written_with_br_breaks_beats_a_sidebar_paragraph() -> None:
    lines = "<br><br>".join(_lines(6))
    aside = '<div class="box"><p>Our newsletter, sent weekly, tells you about the town, its people.</p></div>'
    html = _page(f'{NAV}<div class="story">{lines}</div>{aside}')
    text = extract(html).text
    assert "Line 1 of the story" in text and "Line 6 of the story" in text


def test_a_story_of_br_lines_inside_nested_spans_beats_a_print_notice() -> None:
    lines = "<br><br>".join(_lines(6))
    notice = (
        '<div class="print-info"><div class="text"><h5>Please wait: the print view is being prepared.</h5>'
        "<div>The print dialog opens, once the page has loaded.<br>If the preview is incomplete, close it, "
        "and print again.</div></div></div>"
    )
    story = f'<div class="article-text"><span class="value"><span>{lines}</span></span></div>'
    html = _page(f'{NAV}{notice}<div class="detail">{story}</div>')
    text = extract(html).text
    assert "Line 1 of the story" in text and "Line 6 of the story" in text
    assert "print dialog" not in text


def test_br_lines_inside_a_span_inside_a_paragraph_stay_that_paragraph() -> None:
    lines = "<br>".join(_lines(3))
    html = _page(f'{NAV}<div class="story"><p><span>{lines}</span></p>{_story(2)}</div>')
    text = extract(html).text
    assert text.count("Line 1 of the story") == 1 and "Paragraph 2 of the story" in text


def test_live_ticker_entries_in_plain_divs_are_the_story() -> None:
    entries = "".join(f'<div class="entry-item">{line}</div>' for line in _lines(6))
    html = _page(
        f'{NAV}<div class="ticker">{entries}</div><p>Photo of the day, taken by, our reader, Ann.</p>'
    )
    text = extract(html).text
    assert "Line 1 of the story" in text and "Line 6 of the story" in text


def _lines(count: int) -> list[str]:
    return [
        f"Line {n} of the story says the ferry stopped at noon, the pier was closed, and nobody "
        f"was hurt at all."
        for n in range(1, count + 1)
    ]


def test_a_hidden_login_dialog_is_never_the_container() -> None:
    dialog = (
        '<div class="login-modal" style="display:none"><p>Sign in to your account, or register, to keep '
        "reading "
        "our stories, comment, and save articles, for free, today, on any device you own.</p>" * 1
    )
    dialog = (
        dialog
        + "".join(
            f"<p>Benefit {n}: members get newsletters, alerts, offers, events, puzzles, and, of "
            f"course, more.</p>"
            for n in range(8)
        )
        + "</div>"
    )
    html = _page(f'{NAV}{dialog}<div class="content">{_story(3)}</div>')
    text = extract(html).text
    assert "Paragraph 1 of the story" in text
    assert "Benefit 2" not in text


def test_a_modal_named_with_two_words_before_modal_is_dropped_from_the_story() -> None:
    appeal = (
        '<div class="mollie-donation-modal"><div id="donation"><p>Your gift helps us to keep this reporting '
        "free, independent and up to date for every reader, every day.</p></div></div>"
    )
    html = _page(f'{NAV}<div class="content">{_story(3)}{appeal}</div>')
    text = extract(html).text
    assert "Paragraph 3 of the story" in text and "Your gift helps" not in text


def test_a_wordpress_taxonomy_term_naming_cookies_is_no_overlay() -> None:
    for term in ("recipe_course-cookies", "product_cat-cookies", "tag-christmas-cookies"):
        html = _page(
            f'{NAV}<h1>Chewy cookies</h1><article class="post-12 type-post {term}">{_story(3)}</article>'
        )
        assert "Paragraph 3 of the story" in extract(html).text, term


def test_a_cookie_consent_panel_is_never_the_container() -> None:
    panel = (
        '<div id="cookie-consent" aria-hidden="true">'
        + "".join(
            f"<p>Purpose {n}: we and our partners store, access, and process data, such as "
            f"cookies, on a device.</p>"
            for n in range(8)
        )
        + "</div>"
    )
    html = _page(f'{NAV}<div class="content">{_story(3)}</div>{panel}')
    text = extract(html).text
    assert "Paragraph 1 of the story" in text and "Purpose 1" not in text


def test_a_cookie_panel_labelled_with_glued_words_is_never_the_container() -> None:
    panel = (
        '<div id="site-cookiehint"><div class="cookiecontent">'
        + "".join(
            f"<p>Purpose {n}: we and our partners store, access, and process data, such as "
            f"cookies, on a device, to measure, to personalise, and to advertise.</p>"
            for n in range(6)
        )
        + "</div></div>"
    )
    html = _page(f'{NAV}{panel}<div class="story">{_story(2)}</div>')
    text = extract(html).text
    assert "Paragraph 1 of the story" in text and "Purpose 1" not in text


def test_a_wordpress_article_class_with_an_author_slug_is_not_an_author_box() -> None:
    html = _page(
        f'{NAV}<main id="main"><article class="post-12 post type-post hentry author-jane-doe category-news">'
        f"<h1>Council votes on the harbour bridge</h1>{_story(3)}</article>"
        '<div class="post-nav"><p><a href="/prev">Previous: the ferry timetable changes for the winter</a>'
        '</p><p><a href="/next">Next: the school board meets on Tuesday to discuss the budget</a></p></div>'
        "<div class='more'>" + _story(3, word="Other") + "</div></main>"
    )
    assert "Paragraph 2 of the story" in extract(html).text


def test_a_lede_in_a_separate_wrapper_is_kept_with_the_story() -> None:
    lede = (
        "<p>The harbour bridge will be rebuilt, the council decided on Monday, after a vote that "
        "split the town, "
        "its traders, and the ferry company for a year.</p>"
    )
    html = _page(
        f'{NAV}<div class="article"><div class="article-top"><div class="lede">{lede}</div></div>'
        '<div class="ad-break"></div>'
        f'<div class="article-main"><div class="body-copy">{_story(6)}</div></div></div>'
    )
    text = extract(html).text
    assert text.startswith("The harbour bridge will be rebuilt")
    assert "Paragraph 6 of the story" in text


FURNITURE_LINES = (
    "Stand: 05.10.2023 14:32 Uhr",
    "3 Min",
    "Lesezeit: 4 Minuten",
    "Anzeige",
    "ADVERTISEMENT",
    "The video failed to load.",
    "1 of 9 | The harbour at dawn",
    "Photo: Ann Lee/Reuters",
    "Foto: dpa",
    "Article content",
    "Editors' Recommendations",
    "Jump to Details",
    "PROMOTED",
)


def test_furniture_lines_inside_the_story_container_are_dropped() -> None:
    furniture = "".join(f"<div>{line}</div>" for line in FURNITURE_LINES)
    html = _page(f'{NAV}<div class="article-body">{_story(2)}{furniture}{_story(2, word="Section")}</div>')
    text = extract(html).text
    assert "Paragraph 2 of the story" in text and "Section 2 of the story" in text
    kept = [line for line in FURNITURE_LINES if line in text]
    assert kept == []


def test_a_teaser_river_under_a_recommendations_heading_is_dropped() -> None:
    river = (
        "<h3>People are also reading…</h3><ul>"
        + "".join(
            f'<li><a href="/s{n}">Teaser {n}: the mayor, the ferry, and the bridge, explained</a></li>'
            for n in range(4)
        )
        + "</ul>"
    )
    html = _page(f'{NAV}<div class="article-body">{_story(4)}{river}</div>')
    text = extract(html).text
    assert "Paragraph 4 of the story" in text and "Teaser 1" not in text and "also reading" not in text


def test_cjk_paragraphs_outscore_a_positive_class_name() -> None:
    story = "".join(
        f"<p>第{n}段：市议会周一投票决定重建港口大桥，居民、商户和渡轮公司对此意见不一，讨论持续了一年。</p>"
        for n in range(1, 7)
    )
    promo = '<div class="content-promo"><p>订阅我们的新闻简报，每周一次，获取本地新闻、活动和优惠。</p></div>'
    html = _page(f'{NAV}<div class="wrap">{story}</div>{promo}')
    text = extract(html).text
    assert "第1段" in text and "第6段" in text


def test_a_body_only_in_json_ld_article_body_is_used() -> None:
    body = "\n".join(_lines(4))
    data = {"@type": "NewsArticle", "headline": "Ferry stops", "articleBody": body}
    head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    html = _page(f'{NAV}<div id="root"></div>', head)
    text = extract(html).text
    assert "Line 1 of the story" in text and "Line 4 of the story" in text


def test_a_body_only_in_next_data_is_used() -> None:
    state = {
        "props": {
            "pageProps": {
                "story": {"title": "Ferry stops", "body": "".join(f"<p>{line}</p>" for line in _lines(4))}
            }
        }
    }
    html = _page(
        f'{NAV}<div id="__next"></div><script id="__NEXT_DATA__" type="application/json">'
        f"{json.dumps(state)}</script>"
    )
    text = extract(html).text
    assert "Line 1 of the story" in text and "Line 4 of the story" in text
    assert "<p>" not in text


def test_a_lede_held_by_the_stories_own_wrapper_is_not_repeated() -> None:
    lede = (
        "<p>The harbour bridge will be rebuilt, the council decided on Monday, after a long vote that split "
        "the town and its traders.</p>"
    )
    html = _page(f'{NAV}<div class="article">{lede}<div class="body-copy">{_story(6)}</div></div>')
    paragraphs = extract(html).paragraphs
    assert len(paragraphs) == len(set(paragraphs))
    assert paragraphs[0].startswith("The harbour bridge will be rebuilt")
    assert any("Paragraph 6 of the story" in paragraph for paragraph in paragraphs)


def test_tags_inside_scripts_and_svg_leaves_do_not_make_a_page_too_deep_to_keep_its_story() -> None:
    # an ad loader writing 600 "<div>"s as strings and closing them as "<\/div>", and 600 self-closed <use/>
    loader = "<script>" + "document.write('<div class=ad>');" * 600 + "document.write('<\\/div>');</script>"
    icons = "<svg>" + '<use href="#icon"/>' * 600 + "</svg>"
    html = _page(
        f"{loader}{icons}<h1>Council votes on the harbour bridge</h1><div class='story'>{_story()}</div>"
    )
    article = extract(html)
    assert "Paragraph 1 of the story" in article.text
    assert "Paragraph 5 of the story" in article.text


def test_a_story_container_that_is_itself_a_noscript_keeps_its_text() -> None:
    html = _page(
        f"{NAV}<h1>Council votes on the harbour bridge</h1><div class='holder'><script>render()</script>"
        f"<noscript><span class='byline-author'>Posted by Ann Lee</span>{_story(4)}</noscript></div>"
    )
    article = extract(html)
    assert "Paragraph 1 of the story" in article.text
    assert "Paragraph 4 of the story" in article.text


def test_a_dateline_inside_the_lede_paragraph_stays() -> None:
    lede = "<p><span class='dateline'>KOBE – </span>A total of 6,000 masks went missing at a hospital.</p>"
    html = _page(f"{NAV}<h1>Masks stolen from a hospital</h1><div class='entry'>{lede}{_story(4)}</div>")
    assert "KOBE – A total of 6,000 masks" in extract(html).text


def test_a_standfirst_in_the_story_header_beside_the_headline_is_kept() -> None:
    standfirst = (
        "<p>The harbour bridge has been closed for a year, and the council now says it will take another two "
        "before the first cars cross it again, at twice the price.</p>"
    )
    html = _page(
        f"<header class='site'>{NAV}</header><main><section><header><h1>Council votes on the bridge</h1>"
        f"<div class='intro'>{standfirst}</div></header><div class='text'>{_story(4)}</div></section></main>"
    )
    article = extract(html)
    assert "closed for a year" in article.text
    assert "Paragraph 4 of the story" in article.text


def test_a_standfirst_in_a_story_header_whose_headline_is_an_h2_is_kept() -> None:
    standfirst = (
        "<p>The harbour bridge has been closed for a year, and the council now says it will take another two "
        "before the first cars cross it again, at twice the price.</p>"
    )
    html = _page(
        f"<ul class='crumbs'><li><a href='/'>Home</a></li><li><h1>Council votes on the bridge</h1></li></ul>"
        f"<main><article><div class='o-article-header'><h2 class='title'>Council votes on the bridge</h2>"
        f"<div class='article-intro'>{standfirst}</div></div>"
        f"<div class='text'>{_story(4)}</div></article></main>"
    )
    article = extract(html)
    assert article.text.startswith("The harbour bridge has been closed for a year")
    assert "Paragraph 4 of the story" in article.text


def test_live_commentary_and_opinion_labels_are_not_reader_comments() -> None:
    ticker = "".join(
        f"<div class='live-match-comment'><div class='live-match-comment-body'>Minute {n}: the home side "
        f"presses high, wins a corner, and the visitors clear it away once more.</div></div>"
        for n in range(1, 8)
    )
    html = _page(f"{NAV}<h1>Lorient hold Lyon</h1><div class='match-report'>{_story(2)}{ticker}</div>")
    assert "Minute 5: the home side presses high" in extract(html).text
    opinion = f"<div class='article commentary'><div class='sect commentary'>{_story(4)}</div></div>"
    assert "Paragraph 3 of the story" in extract(_page(f"{NAV}<h1>Why the bridge matters</h1>{opinion}")).text


def test_a_standfirst_in_a_header_labelled_div_above_the_body_is_kept() -> None:
    standfirst = (
        "<p>The prime minister must now ask for another delay, after parliament put off its vote on the "
        "deal and left the whole timetable hanging once again.</p>"
    )
    html = _page(
        f"<div class='site-header'>{NAV}</div><article><div class='o-article-header'><h1>Parliament delays "
        f"the vote</h1><div class='article-intro'>{standfirst}</div></div>"
        f"<div class='article-body'>{_story(4)}</div></article>"
    )
    article = extract(html)
    assert "must now ask for another delay" in article.text
    assert "Paragraph 4 of the story" in article.text


def test_related_posts_headings_in_other_languages_and_their_lists_go() -> None:
    related = (
        "<h3>Ähnliche Beiträge</h3><ul><li><a href='/a'>Der alte Hafen wird saniert</a></li>"
        "<li><a href='/b'>Neue Fähre für die Insel</a></li></ul>"
    )
    last = "<p>The last paragraph of the story comes after the box, as it does on many sites.</p>"
    html = _page(
        f"{NAV}<h1>Der Hafen bekommt eine neue Brücke</h1><div class='entry'>{_story(3)}{related}{last}</div>"
    )
    text = extract(html).text
    assert "The last paragraph of the story" in text
    assert "Ähnliche Beiträge" not in text
    assert "Neue Fähre für die Insel" not in text


def test_a_story_told_in_list_items_is_found_when_paragraphs_hold_next_to_nothing() -> None:
    items = "".join(f"<li>{text}</li>" for text in _story(4, tag="span").split("</span>") if text)
    items = items.replace("<span>", "")
    poem = "<div class='textwidget'><p>Die Fänger wissen, wie Bälle ankommen, sagt das Gedicht.</p></div>"
    sidebar = f"<ul class='widgets'><li class='widget'>{poem}</li><li class='widget'>{poem}</li></ul>"
    html = _page(f"{NAV}<h1>The Garden</h1><div class='entry'><p>&nbsp;</p><ul>{items}</ul></div>{sidebar}")
    text = extract(html).text
    assert "Paragraph 1 of the story" in text
    assert "Paragraph 4 of the story" in text


def _run_of_text(count: int) -> str:
    # sentences written straight into one <div>, split by empty inline elements rather than <p> or <br>
    return '<span class="gap"></span>'.join(
        f"Sentence {n} of the story says the ferry stopped at noon, the pier was closed, and nobody was hurt."
        for n in range(1, count + 1)
    )


def test_a_story_written_straight_into_a_div_beats_an_author_box() -> None:
    bio = (
        "<p>Ann Lee has written about the harbour, the council, the schools and the courts of the town for "
        "the paper since 2010, and she edits its weekend pages.</p><p>Before that, she reported from the "
        "capital, on the budget, the ports and the fisheries, for ten years.</p>"
    )
    html = _page(
        f'{NAV}<div class="page"><div class="synopsis"><div class="lead-media"><img src="/a.jpg" alt="">'
        f'</div>{_run_of_text(12)}</div></div><div class="side"><div class="about">{bio}</div></div>'
    )
    text = extract(html).text
    assert "Sentence 1 of the story" in text and "Sentence 12 of the story" in text
    assert "Ann Lee has written" not in text


def test_a_story_of_div_lines_beats_a_footer_address() -> None:
    schedule = "".join(f"<div>Session {n} at noon in room 217 with Carrie Menke</div>" for n in range(1, 6))
    prose = "".join(f"<div>{line}</div>" for line in _lines(3))
    footer = "<div class=addr>University of the Harbour<br>5200 North Lake Road<br>Telephone: 555 0100</div>"
    story = f"<div class=field><div>{schedule}</div>{prose}</div>"
    html = _page(f"{NAV}{story}<div class=end><p>Contact us</p>{footer}</div>")
    text = extract(html).text
    assert "Session 1 at noon" in text and "Line 3 of the story" in text
    assert "5200 North Lake Road" not in text


def test_the_text_is_composed_nfc_when_the_page_uses_combining_accents() -> None:
    decomposed = "Le cafe\u0301 de la re\u0301publique"
    story = f"<h1>{decomposed}</h1>{_story(3)}<p>{decomposed} a rouvert.</p>"
    html = _page(f"{NAV}<div class=story>{story}</div>")
    text = extract(html).text
    assert "Le café de la république a rouvert." in text
    assert "\u0301" not in text


def test_soft_hyphens_and_zero_width_breaks_leave_the_words_whole() -> None:
    story = "".join(
        f"<p>En r\u00e9ac\u00adtion \u00e0 la can\u00addi\u00adda\u00adture, {n} cher\u200bcheurs ont "
        f"sign\u00e9 la lettre, et le\ufeff con\u2060seil r\u00e9pond demain, dit-on, \u00e0 Paris.</p>"
        for n in range(4)
    )
    text = extract(_page(f'{NAV}<div class="entry-content">{story}</div>')).text
    assert "En r\u00e9action \u00e0 la candidature, 1 chercheurs" in text and "le conseil" in text
    assert not set(text) & {"\u00ad", "\u200b", "\u2060", "\ufeff"}


def test_a_lede_set_as_a_long_heading_in_a_wrapper_of_its_own_opens_the_story() -> None:
    lede = (
        "<h3><strong>On Monday the council meets for the yearly harbour hearing, which puts the state of the "
        "old bridge in the spotlight; and to match it, the town hall holds an open evening on the "
        "repairs.</strong></h3>"
    )
    html = _page(
        f'{NAV}<div class="page-thin"><div class="frame"><header><h1>Harbour hearing on Monday</h1></header>'
        f'<div class="bodytext">{lede}</div></div>'
        f'<div class="frame"><div class="bodytext"><h3>What is planned</h3>{_story(4)}</div></div></div>'
    )
    text = extract(html).text
    assert text.startswith("On Monday the council meets") and "Paragraph 4 of the story" in text
    assert "What is planned" in text


def test_a_standfirst_labelled_lead_in_a_wrapper_of_its_own_opens_the_story() -> None:
    lead = (
        "The council has voted to close the harbour bridge for a year, and the ferry will carry cars again "
        "from Monday."
    )
    html = _page(
        f'{NAV}<article><div class="top"><h1>Bridge to close</h1><div class="meta-box"><span>Ann Lee</span>'
        f'</div></div><div id="lead" class="lead">{lead}</div><div class="figure-box"><img src="/b.jpg">'
        f'</div><div class="body-wrap"><div class="text">{_story(4)}</div></div></article>'
    )
    text = extract(html).text
    assert text.startswith("The council has voted to close the harbour bridge")
    assert "Paragraph 4 of the story" in text


def test_a_leaderboard_or_lead_image_block_above_the_story_is_no_standfirst() -> None:
    ad = "Our partners offer the best deals on ferry tickets, hotel rooms and car hire, all summer long."
    caption = "The harbour bridge, seen from the north shore at dawn, on Monday, before the vote."
    html = _page(
        f'{NAV}<article><h1>Bridge to close</h1><div class="leaderboard">{ad}</div>'
        f'<div class="lead-image"><p>{caption}</p></div><div class="text">{_story(4)}</div></article>'
    )
    text = extract(html).text
    assert "Paragraph 1 of the story" in text
    assert "best deals" not in text and "north shore at dawn" not in text


def test_a_line_that_is_a_link_written_as_a_web_address_is_kept() -> None:
    cited = '<p><a href="https://www.example.org/petition">https://www.example.org/petition</a></p>'
    menu = '<p><a href="/weather">Weather for the harbour town</a></p>'
    html = _page(f"{NAV}<div class=story>{_story(2)}{cited}{menu}{_story(1, word='Closing')}</div>")
    text = extract(html).text
    assert "https://www.example.org/petition" in text
    assert "Weather for the harbour town" not in text


def test_a_line_that_is_a_link_written_as_a_mail_address_is_kept() -> None:
    where = '<p><a href="mailto:letters@example.org">letters@example.org</a></p>'
    menu = '<p><a href="/contact">Write to the harbour desk</a></p>'
    html = _page(f"{NAV}<div class=story>{_story(2)}{where}{menu}{_story(1, word='Closing')}</div>")
    text = extract(html).text
    assert "letters@example.org" in text
    assert "Write to the harbour desk" not in text


def test_ruby_annotations_over_cjk_text_are_not_words_of_the_story() -> None:
    sentence = (
        "<ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby>どもへの<ruby>体罰<rt>たいばつ</rt></ruby>を"
        "<ruby>禁止<rt>きんし</rt></ruby>する<ruby>法律<rt>ほうりつ</rt></ruby>ができる。"
    )
    story = "".join(f"<p>{sentence * 3}{n}</p>" for n in range(4))
    text = extract(_page(f'{NAV}<div class="article-body">{story}</div>')).text
    assert "子どもへの体罰を禁止する法律ができる。" in text
    assert "たいばつ" not in text and "(" not in text


def test_prompts_and_river_headings_in_other_languages_are_furniture() -> None:
    furniture = [
        "Meistgelesene Artikel",
        "DIE REDAKTION EMPFIEHLT",
        "War der Artikel nützlich?",
        "Möchten Sie den Artikel teilen?",
        "Rezept drucken",
        "Über den Autor",
        "Most read",
    ]
    lines = "".join(f"<p>{line}</p>" for line in furniture)
    text = extract(_page(f'{NAV}<div class="article-body">{_story()}{lines}</div>')).text
    assert "Paragraph 5 of the story" in text
    assert not [line for line in furniture if line in text]


def test_a_read_more_prompt_with_its_reading_time_is_furniture() -> None:
    prompts = [
        ("weiterlesen", "Lesezeit: 5 Minuten"),
        ("Read more", "· 12 min read"),
        ("Lire la suite", "4 min"),
    ]
    teasers = "".join(
        f'<p><a href="/next-{n}">{prompt}</a> {time}</p>' for n, (prompt, time) in enumerate(prompts)
    )
    html = _page(f'{NAV}<div class="content">{_story(3)}{teasers}</div>')
    text = extract(html).text
    assert "Paragraph 3 of the story" in text
    assert "weiterlesen" not in text and "Read more" not in text and "Lire la suite" not in text
