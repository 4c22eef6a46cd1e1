# ruff: noqa: E501 - fixture HTML reads best unwrapped
"""A fixture news site served by a real HTTP server on 127.0.0.1: a front page, a section page, an RSS feed,
a news sitemap and article pages in realistic WordPress-style news markup (menus, share bars, "READ ALSO"
inserts inside the story, related posts, comment form, popular lists, footer).

Tests edit `site.stories` between passes to publish, edit and remove stories.
"""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from testbed.serving import BackgroundServer


@dataclass
class Story:
    slug: str
    title: str
    byline: str
    published: str  # ISO-8601
    paragraphs: list[str]
    section: str = "world"
    modified: str | None = None
    gone: bool = False
    paywalled: bool = False  # serve a teaser and a subscribe box instead of the story
    moved_to: str | None = None  # path this story now redirects to
    dead_link: bool = False  # listed like any story, but its page answers 404

    @property
    def path(self) -> str:
        return f"/{self.published[:4]}/{self.published[5:7]}/{self.published[8:10]}/{self.slug}/"


@dataclass
class NewsSite:
    name: str = "Daily Fixture"
    stories: dict[str, Story] = field(default_factory=dict)
    view_counter: int = 1000  # changes on every request: noise outside the story
    view_counter_step: int = 7
    sidebar_headlines: list[str] = field(
        default_factory=lambda: ["Markets rally again", "Storm season begins"]
    )
    requests: list[str] = field(default_factory=list)
    down: bool = False
    delay_s: float = 0.0  # a slow server: every response waits this long
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, story: Story) -> Story:
        self.stories[story.slug] = story
        return story

    # -- rendering ---------------------------------------------------------------------------------------

    def route(self, path: str, base: str) -> tuple[int, str, str]:
        """(status, content type, body); a 301's body is its Location."""
        if path in ("/", "/world/"):
            return 200, "text/html; charset=utf-8", self.front_page(base)
        if path == "/feed/":
            return 200, "application/rss+xml; charset=utf-8", self.feed(base)
        if path == "/news-sitemap.xml":
            return 200, "application/xml; charset=utf-8", self.sitemap(base)
        if path == "/robots.txt":
            return (
                200,
                "text/plain",
                f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {base}/news-sitemap.xml\n",
            )
        for story in self.stories.values():
            if story.moved_to == path:
                return 200, "text/html; charset=utf-8", self.article_page(story, base, path)
            if story.path == path:
                if story.moved_to:
                    return 301, "text/plain", story.moved_to
                if story.gone or story.dead_link:
                    return 404, "text/html; charset=utf-8", self.page("Not found", "<p>Page not found.</p>")
                return 200, "text/html; charset=utf-8", self.article_page(story, base)
        return 404, "text/html; charset=utf-8", self.page("Not found", "<p>Page not found.</p>")

    def visible(self) -> list[Story]:
        return sorted(
            (s for s in self.stories.values() if not s.gone), key=lambda s: s.published, reverse=True
        )

    def menu(self) -> str:
        items = "".join(
            f'<li class="menu-item"><a href="/category/{name.lower()}/">{name}</a></li>'
            for name in ("National", "Business", "World", "Sports", "Opinion", "Technology")
        )
        return (
            f'<nav class="jeg_menu"><ul class="jeg_menu_nav"><li><a href="/">Home</a></li>{items}</ul></nav>'
        )

    def page(self, title: str, main: str, head: str = "") -> str:
        self.view_counter += self.view_counter_step
        return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><title>{html.escape(title)} - {self.name}</title>{head}
<script>var nonce = "{self.view_counter:x}";</script></head>
<body class="wp-theme-jnews">
<div class="jeg_topbar"><span class="jeg_date">Saturday, November 8, 2025</span></div>
<header class="jeg_header"><div class="jeg_logo"><a href="/">{self.name}</a></div>{self.menu()}
<form class="jeg_search_form" action="/"><input name="s" placeholder="Search..."></form></header>
<div class="jeg_navbar_mobile">{self.menu()}</div>
<div class="jeg_main">{main}</div>
<aside class="jeg_sidebar"><div class="widget popular"><h3>POPULAR NEWS</h3><ul>
{"".join(f'<li><a href="/most-read/">{html.escape(h)}</a></li>' for h in self.sidebar_headlines)}</ul></div>
<div class="widget views">Viewed {self.view_counter} times today</div>
<div class="widget categories"><h3>Categories</h3><ul><li><a href="/category/world/">World</a></li>
<li><a href="/tag/politics/">Politics</a></li></ul></div></aside>
<footer class="jeg_footer"><p>&copy; 2025 {self.name}. All rights reserved.</p>
<ul><li><a href="/about-us/">About Us</a></li><li><a href="/contact-us/">Contact Us</a></li></ul></footer>
</body></html>"""

    def front_page(self, base: str) -> str:
        teasers = "".join(
            f'<article class="jeg_post"><h3 class="jeg_post_title"><a href="{s.path}">{html.escape(s.title)}</a>'
            f'</h3><div class="jeg_post_meta">{s.published[:10]}</div></article>'
            for s in self.visible()
        )
        head = f'<link rel="alternate" type="application/rss+xml" title="Feed" href="{base}/feed/">'
        return self.page(
            "Home",
            f'<div class="jeg_posts">{teasers}</div>'
            '<div class="pagination"><a href="/page/2/">Next page</a></div>',
            head,
        )

    def article_page(self, story: Story, base: str, path: str | None = None) -> str:
        path = path or story.path
        texts = (
            story.paragraphs[:1] + ["Subscribe to continue reading."] if story.paywalled else story.paragraphs
        )
        paragraphs = [f"<p>{html.escape(text)}</p>" for text in texts]
        others = [s for s in self.visible() if s.slug != story.slug][:2]
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
"headline":{_json(story.title)},"datePublished":"{story.published}",
"author":{{"@type":"Person","name":{_json(story.byline)}}}}}</script>"""
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
        return self.page(story.title, main, head)

    def feed(self, base: str) -> str:
        items = "".join(
            f"<item><title>{html.escape(s.title)}</title><link>{base}{s.path}</link>"
            f"<pubDate>{format_datetime(datetime.fromisoformat(s.published).astimezone(UTC))}</pubDate></item>"
            for s in self.visible()
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{self.name}</title>'
            f"<link>{base}/</link><description>Fixture</description>{items}</channel></rss>"
        )

    def sitemap(self, base: str) -> str:
        urls = "".join(
            f"<url><loc>{base}{s.path}</loc><news:news><news:publication><news:name>{self.name}</news:name>"
            f"<news:language>en</news:language></news:publication><news:publication_date>{s.published}"
            f"</news:publication_date><news:title>{html.escape(s.title)}</news:title></news:news></url>"
            for s in self.visible()
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
        )


def _json(text: str) -> str:
    import json

    return json.dumps(text)


class _Handler(BaseHTTPRequestHandler):
    site: NewsSite

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        site = self.server.site  # type: ignore[attr-defined]
        if site.delay_s:
            time.sleep(site.delay_s)
        with site.lock:
            site.requests.append(self.path)
            if site.down:
                self.send_error(503)
                return
            base = f"http://{self.headers.get('Host')}"
            status, content_type, body = site.route(self.path.split("?")[0], base)
        payload = body.encode("utf-8")
        self.send_response(status)
        if status == 301:
            self.send_header("Location", f"http://{self.headers.get('Host')}{body}")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the access log
        return


class SiteServer(BackgroundServer[NewsSite]):
    """Serve a NewsSite on 127.0.0.1 in a background thread."""

    def __init__(self, site: NewsSite, host: str = "127.0.0.1") -> None:
        super().__init__(site, _Handler, host)


def sample_site(count: int = 5) -> NewsSite:
    """A site with `count` stories of several paragraphs each."""
    site = NewsSite()
    first_day = datetime(2025, 10, 1, 8, tzinfo=UTC)
    for index in range(count):
        published = first_day + timedelta(days=index % 28, minutes=index // 28)
        site.add(
            Story(
                slug=f"story-number-{index}-about-something",
                title=f"Story number {index}: officials announce a new plan",
                byline="Jane Reporter",
                published=published.isoformat(),
                paragraphs=[
                    f"Officials announced plan number {index} on Monday, saying it would take effect next year.",
                    f"The plan, described in a {10 + index}-page document, covers transport, housing and energy.",
                    # Story text of its own: a paragraph on every story of a site is site furniture (issue 13).
                    f"Critics said the timetable of plan {index} was too short and the budget too small for what was promised.",
                    f"A spokesperson said more details would follow within {index + 2} weeks of the announcement.",
                ],
            )
        )
    return site
