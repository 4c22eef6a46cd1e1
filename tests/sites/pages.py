"""A fixture site of arbitrary pages on 127.0.0.1 (monitor.newsite in its plain theme): a front page linking
every page (its title as the anchor), an RSS feed listing them, and the pages themselves; tests change pages,
statuses and delays between passes."""

from __future__ import annotations

from typing import Any

from monitor.newsite import NewsSite, Page, PlainTheme, SiteServer

__all__ = ["Page", "PagesServer", "news_story", "pages_site"]

PagesServer = SiteServer


def pages_site(**behaviour: Any) -> NewsSite:
    """A site of raw pages (add them with `site.add(Page(...))`); `behaviour`: NewsSite fields."""
    return NewsSite(name="Pages", theme=PlainTheme(), **behaviour)


def news_story(number: int, path: str | None = None, title: str | None = None) -> Page:
    """A plain news story page (NewsArticle JSON-LD, a byline, a date, three paragraphs of prose)."""
    title = title or f"Council approves plan number {number} for the river district"
    path = path or f"/news/2026/11/{1 + number % 28:02d}/council-approves-plan-number-{number}/"
    paragraphs = "".join(
        f"<p>Paragraph {index} of story {number}: the council voted on Thursday to approve the plan, "
        f"ending a dispute that has divided the town for years and delayed {index + 2} earlier proposals.</p>"
        for index in range(3)
    )
    body = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{title}",
"datePublished":"2026-11-01T09:00:00Z","author":{{"@type":"Person","name":"Ann Writer"}}}}</script></head>
<body><article><h1>{title}</h1><p class="byline">By Ann Writer</p>{paragraphs}</article></body></html>"""
    return Page(path=path, title=title, body=body)
