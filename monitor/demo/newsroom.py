"""The demo site's newsroom: publishes a story every few seconds and edits the ones a client has read, on a
simulated news site (monitor.newsite) in the Courier theme."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from monitor.demo.stories import (
    EDIT_KINDS,
    FRONT_PAGE_STORIES,
    INITIAL_STORIES,
    SITE_TITLE,
    TEMPLATES,
    UPDATES,
    Template,
)
from monitor.newsite import CourierTheme, NewsSite, Story
from monitor.newsite.courier import slug

log = logging.getLogger(__name__)


@dataclass
class Edition:
    """One story the newsroom published: the site's story, the template it came from, the edits made."""

    number: int
    template: Template
    story: Story
    edits: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.story.path

    @property
    def title(self) -> str:
        return self.story.title


def utc_now_seconds() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Newsroom:
    """The demo site's stories: publishes new ones and edits the ones a client has already read."""

    def __init__(
        self, *, initial: int = INITIAL_STORIES, clock: Callable[[], datetime] = utc_now_seconds
    ) -> None:
        self.site = NewsSite(name=SITE_TITLE, theme=CourierTheme(), listing_limit=FRONT_PAGE_STORIES)
        self.stories: list[Edition] = []
        self.edit_count = 0
        self._clock = clock
        for hours_ago in range(initial, 0, -1):
            self._publish(self._clock() - timedelta(hours=hours_ago))

    def publish(self) -> Edition:
        with self.site.lock:
            edition = self._publish(self._clock())
        log.info("the demo site published %r", edition.title)
        return edition

    def edit(self) -> Edition | None:
        """Edit a story a client has read: a rewritten paragraph, an appended update, a new headline in turn.

        The target is the least-edited story the edit still applies to (oldest first); None when no story
        has been read yet.
        """
        with self.site.lock:
            kind = tuple(EDIT_KINDS)[self.edit_count % len(EDIT_KINDS)]
            read_paths = set(self.site.requests)
            read = [edition for edition in self.stories if edition.path in read_paths]
            candidates = [edition for edition in read if kind == "update" or kind not in edition.edits]
            if not candidates:
                kind, candidates = "update", read
            if not candidates:
                return None
            edition = min(candidates, key=lambda item: (len(item.edits), item.number))
            old_title = edition.title
            _apply_edit(edition, kind, self._clock())
            self.edit_count += 1
        log.info("the demo site edited %r: %s", old_title, EDIT_KINDS[kind])
        return edition

    def tick(self) -> None:
        self.publish()
        self.edit()

    def _publish(self, when: datetime) -> Edition:
        number = len(self.stories)
        template = TEMPLATES[number % len(TEMPLATES)]
        round_ = number // len(TEMPLATES)
        story = Story(
            slug=slug(template.title) + (f"-day-{round_ + 1}" if round_ else ""),
            title=template.title if round_ == 0 else f"{template.title}: day {round_ + 1}",
            byline=template.byline,
            published=when.isoformat(),
            paragraphs=list(template.paragraphs),
            section=template.section,
        )
        edition = Edition(number=number, template=template, story=self.site.add(story))
        self.stories.append(edition)
        return edition


def _apply_edit(edition: Edition, kind: str, when: datetime) -> None:
    """Make one edit of `kind` (see EDIT_KINDS) to the story."""
    story, template = edition.story, edition.template
    if kind == "paragraph":
        story.paragraphs[1] = template.revised_paragraph
    elif kind == "headline":
        story.title = template.revised_title + story.title[len(template.title) :]
    else:
        update = UPDATES[(edition.number + len(edition.edits)) % len(UPDATES)]
        story.paragraphs.append(f"Update, {when:%H:%M:%S} UTC: {update}")
    edition.edits.append(kind)
    story.modified = when.isoformat()
