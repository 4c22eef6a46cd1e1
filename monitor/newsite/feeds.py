"""The machine-readable side of a simulated site: its RSS feed, news sitemap and robots.txt."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from email.utils import format_datetime

from monitor.newsite.stories import Page, Story


def rss(title: str, base: str, stories: list[Story], pages: list[Page], description: str) -> str:
    """An RSS 2.0 feed of the stories (newest first) and then the pages."""
    items = "".join(
        _item(
            story.title,
            f"{base}{story.path}",
            story.published,
            story.paragraphs[0] if story.paragraphs else "",
        )
        for story in stories
    ) + "".join(_item(page.title, f"{base}{page.path}", page.published, "") for page in pages)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0"><channel><title>{html.escape(title)}</title>'
        f"<link>{base}/</link><description>{html.escape(description)}</description>{items}</channel></rss>"
    )


def _item(title: str, link: str, published: str | None, summary: str) -> str:
    date = (
        f"<pubDate>{format_datetime(datetime.fromisoformat(published).astimezone(UTC))}</pubDate>"
        if published
        else ""
    )
    description = f"<description>{html.escape(summary)}</description>" if summary else ""
    return (
        f"<item><title>{html.escape(title)}</title><link>{link}</link>"
        f'<guid isPermaLink="true">{link}</guid>{date}{description}</item>'
    )


def news_sitemap(name: str, base: str, stories: list[Story]) -> str:
    urls = "".join(
        f"<url><loc>{base}{story.path}</loc><news:news><news:publication><news:name>{html.escape(name)}"
        "</news:name><news:language>en</news:language></news:publication><news:publication_date>"
        f"{story.published}</news:publication_date><news:title>{html.escape(story.title)}</news:title>"
        "</news:news></url>"
        for story in stories
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    )


def robots(base: str, disallow: str) -> str:
    return f"User-agent: *\nDisallow: {disallow}\nSitemap: {base}/news-sitemap.xml\n"
