"""The plain theme of a simulated site: bare markup, a front page listing every page by its title."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from monitor.newsite.stories import Page, Story

if TYPE_CHECKING:
    from monitor.newsite.site import NewsSite


class PlainTheme:
    """Bare markup: a front page that lists every page by its title, nothing around it."""

    disallow = "/private/"
    description = "Pages"
    front_heading = "Front"

    def listing(
        self, site: NewsSite, stories: list[Story], pages: list[Page], base: str, heading: str
    ) -> str:
        entries: list[Story | Page] = [*stories, *pages]
        links = "".join(
            f'<li><h3><a href="{entry.path}">{html.escape(entry.title)}</a></h3></li>' for entry in entries
        )
        title = f"<title>{html.escape(heading)}</title>"
        return f"<!DOCTYPE html><html><head>{title}</head><body><ul>{links}</ul></body></html>"

    def article(self, site: NewsSite, story: Story, base: str, path: str) -> str:
        paragraphs = "".join(f"<p>{html.escape(text)}</p>" for text in story.paragraphs)
        title = html.escape(story.title)
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="canonical" href="{base}{path}"></head><body><article><h1>{title}</h1>'
            f'<p class="byline">By {html.escape(story.byline)}</p>{paragraphs}</article></body></html>'
        )

    def not_found(self, site: NewsSite) -> str:
        return "<p>Not found</p>"
