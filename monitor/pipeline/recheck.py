"""recheck_stories(): fetch tracked stories again when due and record what happened to each.

conditional fetch -> (unless a 304 or the same bytes) extract -> the site's batch settled together (template
changes, furniture: site_memory.py) -> decide (decide.py: unchanged, quarantined, reverted, changed, minor,
gone, restored, moved or failed) -> apply (apply.py: store, report, metrics)
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from monitor.clock import now_iso
from monitor.compare.furniture import without
from monitor.config import Site
from monitor.errors import StoreError
from monitor.models import Article, ChangeKind, CheckOutcome, FetchedPage, StoredVersion, TrackedArticle
from monitor.pipeline import gating, site_memory
from monitor.pipeline.apply import apply
from monitor.pipeline.decide import Extracted, Failed, Quarantined, decide, needs_content
from monitor.pipeline.runtime import (
    PassReport,
    Runtime,
    bounded_gather,
    canonical_of,
    extract_article,
    fetch_page,
    new_version,
)
from monitor.pipeline.site_memory import Candidate

log = logging.getLogger(__name__)

RECHECK_BATCH = 500
RECENT_CHANGES_FOR_REVERTS = 50  # how far back a return to an earlier version counts as reported already
QUARANTINED = "quarantined"  # a settle outcome: counted as unchanged, its blocks not the story's yet


async def recheck_stories(
    runtime: Runtime, sites: Sequence[Site], *, recheck_all: bool = False
) -> PassReport:
    """Recheck the tracked stories of these sites that are due (every one with recheck_all)."""
    result = PassReport()
    by_name = {site.name: site for site in sites}
    due_before = None if recheck_all else now_iso()
    # A story whose check left it due waits for the next pass. Pages come most overdue first, so such a
    # story heads every later page of the pass: remembering the last batch and those that came back is
    # enough, and memory stays one batch however many stories are due (bench_capacity_daemon.py --backlog).
    checked: set[int] = set()
    last_id = 0
    while True:
        page = runtime.store.due_articles(
            by_name, due_before=due_before, limit=RECHECK_BATCH, after_id=last_id
        )
        due = [story for story in page if story.id not in checked]
        if not due:
            break
        checked = {story.id for story in page}
        last_id = max(story.id for story in due)
        fetched = await bounded_gather([recheck_story(runtime, by_name[story.site], story) for story in due])
        for outcome in _settle_batch(runtime, by_name, due, fetched):
            result.count(outcome)
        runtime.flush()  # stage end: "unchanged" marks and fetch rows, before the next read of due stories
        if len(page) < RECHECK_BATCH:
            break
    return result


def _settle_batch(
    runtime: Runtime,
    by_name: dict[str, Site],
    due: Sequence[TrackedArticle],
    fetched: Sequence[CheckOutcome | Candidate],
) -> list[CheckOutcome]:
    """The batch's outcomes: stories with a new page waited for the rest of their site, since a site-wide
    template change shows up in many stories at once and is recorded once (site_memory.py), not as an edit
    of each."""
    outcomes = [item for item in fetched if isinstance(item, CheckOutcome)]
    by_site: dict[str, list[Candidate]] = {}
    fetched_per_site: Counter[str] = Counter()
    for story, item in zip(due, fetched, strict=True):
        if isinstance(item, Candidate):
            by_site.setdefault(story.site, []).append(item)
        if isinstance(item, Candidate) or item is CheckOutcome.UNCHANGED:
            fetched_per_site[story.site] += 1
    for site_name, candidates in by_site.items():
        labels = _settle(runtime, by_name[site_name], candidates, fetched_per_site[site_name])
        outcomes.extend(
            CheckOutcome.UNCHANGED if label == QUARANTINED else CheckOutcome(label) for label in labels
        )
    return outcomes


async def recheck_story(runtime: Runtime, site: Site, story: TrackedArticle) -> CheckOutcome | Candidate:
    """Fetch a tracked story again: what happened (changed, unchanged, removed or failed), or the extracted
    page, to be decided with the rest of its site's batch."""
    try:
        # 1. conditional fetch with the story's validators
        page = await fetch_page(runtime, site, story.url, "page", story.etag, story.last_modified)
        # 2. extract, unless unchanged without parsing (304, same bytes) or not answering
        if needs_content(story, page, site):
            article = await extract_article(runtime, page, site)
            found = gating.verdict(site, story.url, article)
            if gating.recheck_verdict(runtime.links, runtime.batch, site, story, found) == gating.NOT_STORY:
                return CheckOutcome.UNCHANGED  # it became a hub, a listing or a shop: marked once, no edits
            return site_memory.candidate(story, page, page.body_sha256, article, unsure=found.unsure)
        # 3. decide, then apply each decision (a restore or a move comes before what the content did)
        return _decide_and_apply(runtime, site, story, page, None)
    except StoreError:
        raise
    except Exception as error:  # one broken page must not stop the pass
        log.exception("rechecking %s failed", story.url)
        return apply(runtime, site, story, Failed(f"internal error: {error!r}"))


def _decide_and_apply(
    runtime: Runtime, site: Site, story: TrackedArticle, page: FetchedPage, extracted: Extracted | None
) -> CheckOutcome:
    outcome = CheckOutcome.UNCHANGED
    for decision in decide(story, page, extracted, site):
        outcome = apply(runtime, site, story, decision)
    return outcome


def _settle(runtime: Runtime, site: Site, candidates: list[Candidate], stories_fetched: int) -> list[str]:
    """Decide a site's new pages of this batch; a bug fails them (recorded), never the pass."""

    def decide_one(
        item: Candidate, dropped: frozenset[str], previous: Article | None, previous_hash: str | None
    ) -> str:
        try:
            return _decide_candidate(runtime, site, item, dropped, previous, previous_hash)
        except StoreError:
            raise
        except Exception as error:
            log.exception("rechecking %s failed", item.story.url)
            return apply(runtime, site, item.story, Failed(f"internal error: {error!r}")).value

    try:
        return site_memory.settle(runtime, site, candidates, decide_one, stories_fetched=stories_fetched)
    except StoreError:
        raise
    except Exception as error:
        log.exception("settling the rechecks of %s failed", site.name)
        failed = Failed(f"internal error: {error!r}")
        return [apply(runtime, site, item.story, failed).value for item in candidates]


def _decide_candidate(
    runtime: Runtime,
    site: Site,
    item: Candidate,
    dropped: frozenset[str],
    previous: Article | None,
    previous_hash: str | None,
) -> str:
    """Decide and apply a new page against the previous version (stored, then filtered by settle) without
    the blocks `dropped` names; `previous_hash` is the stored version's content hash. The outcome's label,
    or QUARANTINED."""
    story, page = item.story, item.page
    article = without(item.article, dropped)
    version = new_version(story.url, article, canonical_of(article, page, site))
    current = StoredVersion(previous, previous_hash or "") if previous is not None else None
    earlier = None
    reported = False
    if current is not None and current.content_hash != version.content_hash:
        earlier = runtime.store.version_with_hash(story.id, version.content_hash)
        reported = earlier is not None and any(
            kind == ChangeKind.REVERTED and number == earlier
            for kind, number in runtime.store.last_change_kinds(story.id, limit=RECENT_CHANGES_FOR_REVERTS)
        )
    decisions = decide(story, page, Extracted(version, current, earlier, reported, item.unsure), site)
    outcome = CheckOutcome.UNCHANGED
    for decision in decisions:
        outcome = apply(runtime, site, story, decision)
    if any(isinstance(decision, Quarantined) for decision in decisions):
        return QUARANTINED
    return outcome.value
