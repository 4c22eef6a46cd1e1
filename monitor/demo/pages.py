"""The demo site's pages in realistic news markup: front and section pages, article pages, the RSS feed."""

from __future__ import annotations

import html
import json
from email.utils import format_datetime
from typing import TYPE_CHECKING

from monitor.demo.stories import FRONT_PAGE_STORIES, SECTIONS, SITE_NAME, SITE_TITLE, Story, slug

if TYPE_CHECKING:
    from monitor.demo.newsroom import Newsroom


def route(newsroom: Newsroom, path: str, base_url: str) -> tuple[int, str, str]:
    page_type = "text/html; charset=utf-8"
    if path == "/":
        return 200, page_type, _listing_page(newsroom.stories, base_url, "Latest news")
    if path.startswith("/section/") and path.strip("/").split("/")[-1] in SECTIONS:
        section = path.strip("/").split("/")[-1]
        stories = [story for story in newsroom.stories if story.template.section == section]
        return 200, page_type, _listing_page(stories, base_url, section.title())
    if path == "/feed/":
        return 200, "application/rss+xml; charset=utf-8", _feed(newsroom.stories, base_url)
    if path == "/robots.txt":
        return 200, "text/plain; charset=utf-8", "User-agent: *\nDisallow: /search\n"
    for story in newsroom.stories:
        if story.path == path:
            newsroom.read_paths.add(path)
            return 200, page_type, _article_page(story, newsroom.stories, base_url)
    return 404, page_type, _page("Page not found", "<h1>Page not found</h1><p>Try the front page.</p>")


def _newest(stories: list[Story], limit: int = FRONT_PAGE_STORIES) -> list[Story]:
    return sorted(stories, key=lambda story: story.number, reverse=True)[:limit]


def _menu() -> str:
    items = "".join(
        f'<li class="menu-item"><a href="/section/{name}/">{name.title()}</a></li>' for name in SECTIONS
    )
    return f'<nav class="main-menu"><ul><li class="menu-item"><a href="/">Home</a></li>{items}</ul></nav>'


def _page(title: str, main: str, head: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} | {SITE_TITLE}</title>{head}
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"site": "{SITE_NAME}"}});</script>
</head>
<body>
<div class="topbar"><a href="/subscribe/">Subscribe</a> <a href="/login/">Sign in</a></div>
<header class="site-header"><div class="logo"><a href="/">{SITE_TITLE}</a></div>{_menu()}
<form class="search" action="/search"><input name="q" placeholder="Search the Courier"></form></header>
<main class="site-main">{main}</main>
<aside class="sidebar"><div class="widget newsletter"><h3>The morning briefing</h3>
<p>Riverton's news in your inbox every weekday at 7am.</p><form><input name="email" placeholder="Email">
<button>Sign up</button></form></div></aside>
<footer class="site-footer"><ul><li><a href="/about/">About us</a></li>
<li><a href="/contact/">Contact</a></li><li><a href="/privacy/">Privacy</a></li></ul>
<p>&copy; {SITE_TITLE}. All rights reserved.</p></footer>
</body></html>"""


def _listing_page(stories: list[Story], base_url: str, heading: str) -> str:
    teasers = "".join(
        f'<article class="teaser teaser--{story.template.section}"><h2 class="teaser__title">'
        f'<a href="{story.path}">{html.escape(story.title)}</a></h2>'
        f'<p class="teaser__summary">{html.escape(story.paragraphs[0])}</p>'
        f'<time datetime="{story.published.isoformat()}">{story.published:%d %b %Y %H:%M}</time></article>'
        for story in _newest(stories)
    )
    head = f'<link rel="alternate" type="application/rss+xml" title="{SITE_TITLE}" href="{base_url}/feed/">'
    main = f'<h1 class="page-title">{html.escape(heading)}</h1><div class="teasers">{teasers}</div>'
    return _page(heading, main + '<nav class="pagination"><a href="/page/2/">Older stories</a></nav>', head)


def _article_page(story: Story, stories: list[Story], base_url: str) -> str:
    url = f"{base_url}{story.path}"
    modified = story.modified.isoformat() if story.modified else None
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "datePublished": story.published.isoformat(),
        "author": {"@type": "Person", "name": story.template.byline},
        **({"dateModified": modified} if modified else {}),
    }
    head = (
        f'\n<link rel="canonical" href="{url}">'
        f'\n<meta property="og:title" content="{html.escape(story.title)}">'
        f'\n<meta property="og:url" content="{url}">'
        f'\n<meta property="article:published_time" content="{story.published.isoformat()}">'
        + (f'\n<meta property="article:modified_time" content="{modified}">' if modified else "")
        + f'\n<script type="application/ld+json">{json.dumps(ld)}</script>'
    )
    # Related links are the stories published just before this one: stable, like a real "related" box.
    related = "".join(
        f'<li><a href="{other.path}">{html.escape(other.title)}</a></li>'
        for other in stories
        if story.number - 3 <= other.number < story.number
    )
    updated = (
        f' <span class="updated">Updated <time datetime="{modified}">{story.modified:%H:%M} UTC</time></span>'
        if story.modified
        else ""
    )
    body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in story.paragraphs)
    section = story.template.section
    byline = story.template.byline
    published = f'<time datetime="{story.published.isoformat()}">{story.published:%d %B %Y, %H:%M} UTC</time>'
    main = f"""<nav class="breadcrumbs"><a href="/">Home</a> &rsaquo;
<a href="/section/{section}/">{section.title()}</a></nav>
<article class="article">
<header class="article__header"><h1 class="article__headline">{html.escape(story.title)}</h1>
<p class="byline">By <a rel="author" href="/author/{slug(byline)}/">{byline}</a></p>
<p class="dateline">{published}{updated}</p>
</header>
<div class="share-bar"><a href="#" class="share share--facebook">Share</a>
<a href="#" class="share share--x">Post</a><a href="#" class="share share--email">Email</a>
<button class="share share--copy">Copy link</button></div>
<div class="article__body">{body}</div>
<div class="article__tags"><a href="/section/{section}/">{section.title()}</a></div>
</article>
<section class="related"><h2>Related stories</h2><ul>{related}</ul></section>
<div class="comments"><h2>Comments</h2><p>Sign in to join the conversation.</p></div>"""
    return _page(story.title, main, head)


def _feed(stories: list[Story], base_url: str) -> str:
    items = "".join(
        f"<item><title>{html.escape(story.title)}</title><link>{base_url}{story.path}</link>"
        f'<guid isPermaLink="true">{base_url}{story.path}</guid>'
        f"<pubDate>{format_datetime(story.published)}</pubDate>"
        f"<description>{html.escape(story.paragraphs[0])}</description></item>"
        for story in _newest(stories)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{SITE_TITLE}</title>'
        f"<link>{base_url}/</link><description>News from Riverton</description>{items}</channel></rss>"
    )
