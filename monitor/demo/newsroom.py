"""The demo site's newsroom: publishes a story every few seconds and edits the ones a client has read."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from monitor.demo.pages import route
from monitor.demo.stories import EDIT_KINDS, INITIAL_STORIES, TEMPLATES, UPDATES, Story, slug

log = logging.getLogger(__name__)


def utc_now_seconds() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Newsroom:
    """The demo site's stories: publishes new ones and edits the ones a client has already read."""

    def __init__(
        self, *, initial: int = INITIAL_STORIES, clock: Callable[[], datetime] = utc_now_seconds
    ) -> None:
        self.lock = threading.Lock()
        self.stories: list[Story] = []
        self.read_paths: set[str] = set()
        self.edit_count = 0
        self._clock = clock
        for hours_ago in range(initial, 0, -1):
            self._publish(self._clock() - timedelta(hours=hours_ago))

    def publish(self) -> Story:
        with self.lock:
            story = self._publish(self._clock())
        log.info("the demo site published %r", story.title)
        return story

    def edit(self) -> Story | None:
        """Edit a story a client has read: a rewritten paragraph, an appended update, a new headline in turn.

        The target is the least-edited story the edit still applies to (oldest first); None when no story
        has been read yet.
        """
        with self.lock:
            kind = tuple(EDIT_KINDS)[self.edit_count % len(EDIT_KINDS)]
            read = [story for story in self.stories if story.path in self.read_paths]
            candidates = [story for story in read if kind == "update" or kind not in story.edits]
            if not candidates:
                kind, candidates = "update", read
            if not candidates:
                return None
            story = min(candidates, key=lambda item: (len(item.edits), item.number))
            old_title = story.title
            _apply_edit(story, kind, self._clock())
            self.edit_count += 1
        log.info("the demo site edited %r: %s", old_title, EDIT_KINDS[kind])
        return story

    def tick(self) -> None:
        self.publish()
        self.edit()

    def render(self, path: str, base_url: str) -> tuple[int, str, str]:
        """Status, content type and body for a GET of `path`."""
        with self.lock:
            return route(self, path, base_url)

    def _publish(self, when: datetime) -> Story:
        number = len(self.stories)
        template = TEMPLATES[number % len(TEMPLATES)]
        round_ = number // len(TEMPLATES)
        title = template.title if round_ == 0 else f"{template.title}: day {round_ + 1}"
        story = Story(
            number=number,
            template=template,
            slug=slug(template.title) + (f"-day-{round_ + 1}" if round_ else ""),
            title=title,
            published=when,
            paragraphs=list(template.paragraphs),
        )
        self.stories.append(story)
        return story


def _apply_edit(story: Story, kind: str, when: datetime) -> None:
    """Make one edit of `kind` (see EDIT_KINDS) to the story."""
    if kind == "paragraph":
        story.paragraphs[1] = story.template.revised_paragraph
    elif kind == "headline":
        story.title = story.template.revised_title + story.title[len(story.template.title) :]
    else:
        update = UPDATES[(story.number + len(story.edits)) % len(UPDATES)]
        story.paragraphs.append(f"Update, {when:%H:%M:%S} UTC: {update}")
    story.edits.append(kind)
    story.modified = when
