# ruff: noqa: E501 - page markup reads best unwrapped
"""The WordPress news theme (JNews-style markup): menus twice, share bars, a "READ ALSO" insert inside the
story, related posts, a comment form, a popular list and a view counter that changes on every page."""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

from monitor.newsite.stories import Page, Story

if TYPE_CHECKING:
    from monitor.newsite.site import NewsSite

MENU = ("National", "Business", "World", "Sports", "Opinion", "Technology")


class WordPressTheme:
    """Pages in the markup of a WordPress news theme, with noise outside the story on every request."""

    disallow = "/wp-admin/"
    front_heading = "Home"
    description = "Fixture"

    def listing(
        self, site: NewsSite, stories: list[Story], pages: list[Page], base: str, heading: str
    ) -> str:
        teasers = "".join(
            f'<article class="jeg_post"><h3 class="jeg_post_title"><a href="{s.path}">{html.escape(s.title)}</a>'
            f'</h3><div class="jeg_post_meta">{s.published[:10]}</div></article>'
            for s in stories
        ) + "".join(
            f'<article class="jeg_post"><h3 class="jeg_post_title"><a href="{p.path}">{html.escape(p.title)}</a>'
            "</h3></article>"
            for p in pages
        )
        head = f'<link rel="alternate" type="application/rss+xml" title="Feed" href="{base}/feed/">'
        return self.page(
            site,
            heading,
            f'<div class="jeg_posts">{teasers}</div>'
            '<div class="pagination"><a href="/page/2/">Next page</a></div>',
            head,
        )

    def article(self, site: NewsSite, story: Story, base: str, path: str) -> str:
        texts = (
            story.paragraphs[:1] + ["Subscribe to continue reading."] if story.paywalled else story.paragraphs
        )
        paragraphs = [f"<p>{html.escape(text)}</p>" for text in texts]
        others = [s for s in site.visible() if s.slug != story.slug][:2]
        read_also = "".join(f'<h4><a href="{s.path}">{html.escape(s.title)}</a></h4>' for s in others)
        if len(paragraphs) > 2:
            paragraphs.insert(
                2, f'<div class="jeg_post_related inline"><span>READ ALSO</span>{read_also}</div>'
            )
        related = "".join(
            f'<div class="jeg_post"><a href="{s.path}">{html.escape(s.title)}</a></div>' for s in others
        )
        modified = (
            f'<meta property="article:modified_time" content="{story.modified}">' if story.modified else ""
        )
        head = f"""<link rel="canonical" href="{base}{path}">
<meta property="og:title" content="{html.escape(story.title)}">
<meta property="og:url" content="{base}{path}">
<meta property="article:published_time" content="{story.published}">{modified}
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle",
"headline":{json.dumps(story.title)},"datePublished":"{story.published}",
"author":{{"@type":"Person","name":{json.dumps(story.byline)}}}}}</script>"""
        main = f"""<div class="jeg_breadcrumbs"><a href="/">Home</a> <a href="/category/{story.section}/">News</a></div>
<article class="post type-post">
<h1 class="jeg_post_title">{html.escape(story.title)}</h1>
<div class="jeg_meta_container"><div class="jeg_meta_author">by <a href="/author/x/">{html.escape(story.byline)}</a>
</div><div class="jeg_meta_date"><a href="{story.path}">{story.published[:10]}</a></div>
<div class="jeg_meta_category">in <a href="/category/{story.section}/">{story.section.title()}</a></div>
<div class="reading_time">Reading Time: 3 mins read</div></div>
<div class="jeg_share_top_container"><a class="share-facebook" href="#">Share on Facebook</a>
<a class="share-twitter" href="#">Share on Twitter</a><a href="#">Send on Whatsapp</a></div>
<div class="entry-content">{"".join(paragraphs)}</div>
<div class="jeg_prevnext_post"><a class="prev" href="/">Previous Post</a><a class="next" href="/">Next Post</a></div>
</article>
<div class="jnews_related_post_container"><h3>Related Posts</h3>{related}</div>
<div id="respond" class="comment-respond"><h3>Leave a Reply</h3>
<form><p>Your email address will not be published. Required fields are marked *</p>
<textarea name="comment"></textarea><input type="submit" value="Post Comment"></form></div>"""
        return self.page(site, story.title, main, head)

    def not_found(self, site: NewsSite) -> str:
        return self.page(site, "Not found", "<p>Page not found.</p>")

    def page(self, site: NewsSite, title: str, main: str, head: str = "") -> str:
        site.view_counter += site.view_counter_step
        return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><title>{html.escape(title)} - {site.name}</title>{head}
<script>var nonce = "{site.view_counter:x}";</script></head>
<body class="wp-theme-jnews">
<div class="jeg_topbar"><span class="jeg_date">Saturday, November 8, 2025</span></div>
<header class="jeg_header"><div class="jeg_logo"><a href="/">{site.name}</a></div>{_menu()}
<form class="jeg_search_form" action="/"><input name="s" placeholder="Search..."></form></header>
<div class="jeg_navbar_mobile">{_menu()}</div>
<div class="jeg_main">{main}</div>
<aside class="jeg_sidebar"><div class="widget popular"><h3>POPULAR NEWS</h3><ul>
{"".join(f'<li><a href="/most-read/">{html.escape(h)}</a></li>' for h in site.sidebar_headlines)}</ul></div>
<div class="widget views">Viewed {site.view_counter} times today</div>
<div class="widget categories"><h3>Categories</h3><ul><li><a href="/category/world/">World</a></li>
<li><a href="/tag/politics/">Politics</a></li></ul></div></aside>
<footer class="jeg_footer"><p>&copy; 2025 {site.name}. All rights reserved.</p>
<ul><li><a href="/about-us/">About Us</a></li><li><a href="/contact-us/">Contact Us</a></li></ul></footer>
</body></html>"""


def _menu() -> str:
    items = "".join(
        f'<li class="menu-item"><a href="/category/{name.lower()}/">{name}</a></li>' for name in MENU
    )
    return f'<nav class="jeg_menu"><ul class="jeg_menu_nav"><li><a href="/">Home</a></li>{items}</ul></nav>'
