"""The demo's theme (a local paper, "The Riverton Courier"): section menu, share bar, related stories,
newsletter box and footer around each story."""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.newsite.stories import Page, Story

if TYPE_CHECKING:
    from monitor.newsite.site import NewsSite

SECTIONS = ("local", "business", "politics", "science", "sport")


def slug(title: str) -> str:
    """The URL slug of a title: its first eight words, lower case, joined by '-'."""
    words = "".join(char if char.isalnum() else " " for char in title.lower()).split()
    return "-".join(words[:8])


class CourierTheme:
    """Pages in the markup of a small local newspaper's site."""

    disallow = "/search"
    front_heading = "Latest news"
    description = "News from Riverton"

    def listing(
        self, site: NewsSite, stories: list[Story], pages: list[Page], base: str, heading: str
    ) -> str:
        teasers = "".join(
            f'<article class="teaser teaser--{story.section}"><h2 class="teaser__title">'
            f'<a href="{story.path}">{html.escape(story.title)}</a></h2>'
            f'<p class="teaser__summary">{html.escape(story.paragraphs[0])}</p>'
            f'<time datetime="{story.published}">{_when(story.published):%d %b %Y %H:%M}</time></article>'
            for story in stories
        )
        head = f'<link rel="alternate" type="application/rss+xml" title="{site.name}" href="{base}/feed/">'
        main = f'<h1 class="page-title">{html.escape(heading)}</h1><div class="teasers">{teasers}</div>'
        more = '<nav class="pagination"><a href="/page/2/">Older stories</a></nav>'
        return self.page(site, heading, main + more, head)

    def article(self, site: NewsSite, story: Story, base: str, path: str) -> str:
        url = f"{base}{path}"
        modified = story.modified
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "datePublished": story.published,
            "author": {"@type": "Person", "name": story.byline},
            **({"dateModified": modified} if modified else {}),
        }
        head = (
            f'\n<link rel="canonical" href="{url}">'
            f'\n<meta property="og:title" content="{html.escape(story.title)}">'
            f'\n<meta property="og:url" content="{url}">'
            f'\n<meta property="article:published_time" content="{story.published}">'
            + (f'\n<meta property="article:modified_time" content="{modified}">' if modified else "")
            + f'\n<script type="application/ld+json">{json.dumps(ld)}</script>'
        )
        # Related links are the stories published just before this one: stable, like a real "related" box.
        order = list(site.stories.values())
        number = order.index(story) if story in order else len(order)
        related = "".join(
            f'<li><a href="{other.path}">{html.escape(other.title)}</a></li>'
            for other in order[max(0, number - 3) : number]
        )
        updated = (
            f' <span class="updated">Updated <time datetime="{modified}">{_when(modified):%H:%M} UTC</time>'
            "</span>"
            if modified
            else ""
        )
        body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in story.paragraphs)
        section, byline = story.section, story.byline
        published = f'<time datetime="{story.published}">{_when(story.published):%d %B %Y, %H:%M} UTC</time>'
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
        return self.page(site, story.title, main, head)

    def not_found(self, site: NewsSite) -> str:
        return self.page(site, "Page not found", "<h1>Page not found</h1><p>Try the front page.</p>")

    def page(self, site: NewsSite, title: str, main: str, head: str = "") -> str:
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} | {site.name}</title>{head}
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"site": "{slug(site.name)}"}});</script>
</head>
<body>
<div class="topbar"><a href="/subscribe/">Subscribe</a> <a href="/login/">Sign in</a></div>
<header class="site-header"><div class="logo"><a href="/">{site.name}</a></div>{_menu()}
<form class="search" action="/search"><input name="q" placeholder="Search the Courier"></form></header>
<main class="site-main">{main}</main>
<aside class="sidebar"><div class="widget newsletter"><h3>The morning briefing</h3>
<p>Riverton's news in your inbox every weekday at 7am.</p><form><input name="email" placeholder="Email">
<button>Sign up</button></form></div></aside>
<footer class="site-footer"><ul><li><a href="/about/">About us</a></li>
<li><a href="/contact/">Contact</a></li><li><a href="/privacy/">Privacy</a></li></ul>
<p>&copy; {site.name}. All rights reserved.</p></footer>
</body></html>"""


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def _menu() -> str:
    items = "".join(
        f'<li class="menu-item"><a href="/section/{name}/">{name.title()}</a></li>' for name in SECTIONS
    )
    return f'<nav class="main-menu"><ul><li class="menu-item"><a href="/">Home</a></li>{items}</ul></nav>'
