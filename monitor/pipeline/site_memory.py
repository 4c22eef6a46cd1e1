"""The site memory in the pipeline: learn furniture at first sight, and settle a pass's rechecks per site
(template changes recorded once, both sides of every comparison filtered the same way) before reporting."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Connection

from monitor import report
from monitor.clock import iso_after
from monitor.compare.furniture import (
    ADDED,
    REMOVED,
    Block,
    assumed_previous,
    block_events,
    comparison_drops,
    event_fingerprint,
    fingerprint,
    previous_fetch,
    story_blocks,
    template_events,
    texts_of,
    without,
    without_blocks,
)
from monitor.config import Site
from monitor.models import Article, FetchedPage
from monitor.pipeline.runtime import Runtime, new_version
from monitor.store import NewVersion, TrackedArticle
from monitor.store.furniture import FurnitureStore, TemplateChange, learn_first_sight

log = logging.getLogger(__name__)

_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
ACCEPTED = frozenset({"changed", "unchanged"})  # decide() outcomes after which a fetch's blocks are kept
EVENT_SAMPLE_CHARS = 120  # block text shown per block in the site.template_changed log line


@dataclass(frozen=True, slots=True)
class Candidate:
    """A recheck that extracted a new page: decided once every recheck of its site in the batch is in."""

    story: TrackedArticle
    page: FetchedPage
    body_sha: str | None
    article: Article
    blocks: tuple[Block, ...]
    unsure: bool = False  # the gate took the page for a story on weak evidence this time (Verdict.unsure)


# decide(candidate, blocks left out of both sides, the previous version so filtered, its content hash)
Decide = Callable[[Candidate, frozenset[str], Article | None, str | None], str]


@lru_cache(maxsize=256)
def _overrides(always: tuple[str, ...], never: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    def fingerprints(entries: tuple[str, ...]) -> frozenset[str]:
        return frozenset(entry if _FINGERPRINT.match(entry) else fingerprint(entry) for entry in entries)

    return fingerprints(always), fingerprints(never)


def site_furniture(site: Site, learned: frozenset[str] | set[str]) -> frozenset[str]:
    """Learned furniture with the site's config applied (furniture_always added, furniture_never removed)."""
    always, never = _overrides(site.furniture_always, site.furniture_never)
    return frozenset((set(learned) | always) - never)


def first_sight_learning(site: Site, version: NewVersion) -> Callable[[Connection, int], NewVersion]:
    """The add_story hook of a new story: count its blocks for the site, store it without the furniture."""
    article = version.article
    blocks = story_blocks(article.paragraphs)

    def learn(connection: Connection, article_id: int) -> NewVersion:
        learned = learn_first_sight(
            connection, site.name, article_id, blocks, min_stories=site.furniture_min_stories
        )
        filtered = without_blocks(article, blocks, site_furniture(site, learned))
        return (
            version if filtered is None else new_version(version.url, filtered, article.canonical_url or "")
        )

    return learn


def candidate(
    story: TrackedArticle, page: FetchedPage, body_sha: str | None, article: Article, *, unsure: bool = False
) -> Candidate:
    """What deciding needs of an extracted recheck; not the page's bytes, so a batch's waiting stories stay
    small (its URLs and validators are kept). unsure: the gate's Verdict.unsure on the page."""
    slim_page = dataclasses.replace(page, body=b"", attempts=())
    object.__setattr__(slim_page, "body_sha256", page.body_sha256)  # of the bytes fetched, not of b""
    return Candidate(story, slim_page, body_sha, article, tuple(story_blocks(article.paragraphs)), unsure)


def settle(
    runtime: Runtime, site: Site, candidates: Sequence[Candidate], decide: Decide, *, stories_fetched: int
) -> list[str]:
    """Decide a batch's rechecks of one site (`stories_fetched` of its stories were fetched, these with a
    new page): first the site-wide template change (recorded once), then each story's own edit with
    template blocks and shared furniture left out of both sides."""
    memory = FurnitureStore(runtime.store)
    last_blocks = memory.last_blocks([item.story.id for item in candidates])
    stored = {item.story.id: runtime.store.current_version(item.story.id) for item in candidates}
    furniture = site_furniture(site, memory.furniture(site.name))
    stored_blocks: dict[int, list[Block]] = {}
    old_raw: dict[int, list[str]] = {}
    for item in candidates:
        current = stored[item.story.id]
        blocks = stored_blocks[item.story.id] = story_blocks(current.article.paragraphs) if current else []
        old_raw[item.story.id] = last_blocks.get(item.story.id) or assumed_previous(
            [block.fingerprint for block in blocks], [block.fingerprint for block in item.blocks], furniture
        )
    left_out = {  # blocks of a previous fetch that its stored body left out (learned furniture)
        fp
        for story_id, fps in old_raw.items()
        for fp in set(fps) - {block.fingerprint for block in stored_blocks[story_id]}
    }
    samples = memory.samples(site.name, left_out)
    previous = {
        item.story.id: previous_fetch(stored_blocks[item.story.id], old_raw[item.story.id], samples)
        for item in candidates
    }
    events = {
        item.story.id: block_events(old_raw[item.story.id], [block.fingerprint for block in item.blocks])
        for item in candidates
    }
    known = memory.known_template_events(site.name, since=iso_after(-site.furniture_forget_s))
    template = template_events(
        events,
        min_stories=site.furniture_min_stories,
        stories_fetched=max(stories_fetched, len(candidates)),
        known=known,
    )
    if template - known:
        old_blocks = [block for texts in previous.values() for block in story_blocks(texts)]
        _record_template_change(memory, site, candidates, events, template - known, old_blocks)
        furniture = site_furniture(site, memory.furniture(site.name))
    outcomes = []
    for item in candidates:
        current = stored[item.story.id]
        dropped = comparison_drops(
            old_raw=old_raw[item.story.id],
            old_stored=[block.fingerprint for block in stored_blocks[item.story.id]],
            new_raw=[block.fingerprint for block in item.blocks],
            furniture=furniture,
            template={event_fingerprint(event) for event in events[item.story.id] & template},
        )
        previous_version = without(current.article, dropped, previous[item.story.id]) if current else None
        outcomes.append(decide(item, dropped, previous_version, current.content_hash if current else None))
    # The blocks of a fetch become the story's previous fetch once its content is accepted (stored, or the
    # same as stored); a quarantined or failed one is not.
    memory.save_blocks(
        {
            item.story.id: [block.fingerprint for block in item.blocks]
            for item, outcome in zip(candidates, outcomes, strict=True)
            if outcome in ACCEPTED and (item.story.id not in last_blocks or events[item.story.id])
        }
    )
    memory.seen(site.name, furniture & {block.fingerprint for item in candidates for block in item.blocks})
    return outcomes


def forget(runtime: Runtime, site: Site) -> None:
    """Bound the site's memory: forget blocks not seen for furniture_forget, then the least recently seen."""
    forgotten = FurnitureStore(runtime.store).forget(site.name, unseen_for_s=site.furniture_forget_s)
    if forgotten:
        log.info("site memory of %s forgot %d blocks not seen lately", site.name, forgotten)


def _record_template_change(
    memory: FurnitureStore,
    site: Site,
    candidates: Sequence[Candidate],
    events: dict[int, frozenset[str]],
    new_events: frozenset[str],
    old_blocks: Sequence[Block],
) -> None:
    removed = {event_fingerprint(event) for event in new_events if event.startswith(REMOVED)}
    added = {event_fingerprint(event) for event in new_events if event.startswith(ADDED)}
    before = texts_of(old_blocks, removed)
    new_blocks = [block for item in candidates for block in item.blocks]
    after = tuple({block.fingerprint: block for block in new_blocks if block.fingerprint in added}.values())
    stories = sum(1 for story_events in events.values() if story_events & new_events)
    change = TemplateChange(site.name, new_events, tuple(before), after, stories)
    if memory.record_template_change(change):
        report.emit(
            "site.template_changed",
            site=site.name,
            stories=stories,
            removed=[text[:EVENT_SAMPLE_CHARS] for text in before],
            added=[block.text[:EVENT_SAMPLE_CHARS] for block in after],
        )
