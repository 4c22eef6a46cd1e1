"""What a simulated news site holds: stories (rendered in the site's theme) and pages (served as they are)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Story:
    """A story as the site publishes it; edit its fields between requests to edit, remove or move it."""

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
class Page:
    """A page served as it is (the whole document), listed on the front page and in the feed by its title.

    `body` may be a function of the site's base URL (for pages that name their own address)."""

    path: str
    title: str
    body: str | bytes | Callable[[str], str | bytes]
    status: int = 200
    in_feed: bool = True
    listed: bool = True  # on the front page and in the feed at all
    published: str | None = None  # ISO-8601: the feed's pubDate
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    def document(self, base: str) -> bytes:
        body = self.body(base) if callable(self.body) else self.body
        return body.encode("utf-8") if isinstance(body, str) else body
