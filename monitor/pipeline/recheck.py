"""recheck_stories(): fetch tracked stories again when due and record what happened to each.

conditional fetch -> (unless a 304 or the same bytes) extract -> decide (decide.py: unchanged, quarantined,
reverted, changed, minor, gone, restored, moved or failed) -> apply (apply.py: store, report, metrics)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from monitor.clock import now_iso
from monitor.config import Site
from monitor.errors import StoreError
from monitor.models import ChangeKind, CheckOutcome, FetchedPage, TrackedArticle
from monitor.pipeline import gating
from monitor.pipeline.apply import apply
from monitor.pipeline.decide import Extracted, Failed, decide, needs_content
from monitor.pipeline.runtime import (
    PassReport,
    Runtime,
    bounded_gather,
    canonical_of,
    extract_article,
    fetch_page,
    new_version,
)

log = logging.getLogger(__name__)

RECHECK_BATCH = 500
RECENT_CHANGES_FOR_REVERTS = 50  # how far back a return to an earlier version counts as reported already


async def recheck_stories(
    runtime: Runtime, sites: Sequence[Site], *, recheck_all: bool = False
) -> PassReport:
    """Recheck the tracked stories of these sites that are due (every one with recheck_all)."""
    result = PassReport()
    by_name = {site.name: site for site in sites}
    due_before = None if recheck_all else now_iso()
    checked: set[int] = set()  # a story whose check left it due (a failed fetch) waits for the next pass
    last_id = 0
    while True:
        page = runtime.store.due_articles(
            by_name, due_before=due_before, limit=RECHECK_BATCH, after_id=last_id
        )
        due = [story for story in page if story.id not in checked]
        if not due:
            break
        checked.update(story.id for story in due)
        last_id = max(story.id for story in due)
        for outcome in await bounded_gather(
            [recheck_story(runtime, by_name[story.site], story) for story in due]
        ):
            result.count(outcome)
        runtime.flush()  # stage end: "unchanged" marks and fetch rows, before the next read of due stories
        if len(page) < RECHECK_BATCH:
            break
    return result


async def recheck_story(runtime: Runtime, site: Site, story: TrackedArticle) -> CheckOutcome:
    """Fetch a tracked story again and record what happened: changed, unchanged, removed or failed."""
    try:
        # 1. conditional fetch with the story's validators
        page = await fetch_page(runtime, site, story.url, "page", story.etag, story.last_modified)
        # 2. extract, unless unchanged without parsing (304, same bytes) or not answering
        extracted = None
        if needs_content(story, page, site):
            extracted = await _extracted(runtime, site, story, page)
            if extracted is None:  # it became a hub, a listing or a shop page: marked once, never edits
                return CheckOutcome.UNCHANGED
        # 3. decide, then apply each decision (a restore or a move comes before what the content did)
        outcome = CheckOutcome.UNCHANGED
        for decision in decide(story, page, extracted, site):
            outcome = apply(runtime, site, story, decision)
        return outcome
    except StoreError:
        raise
    except Exception as error:  # one broken page must not stop the pass
        log.exception("rechecking %s failed", story.url)
        return apply(runtime, site, story, Failed(f"internal error: {error!r}"))


async def _extracted(
    runtime: Runtime, site: Site, story: TrackedArticle, page: FetchedPage
) -> Extracted | None:
    """Extract the page and read what decide() compares it with: the current version, an earlier one;
    None when the article gate says the story is no story any more (gating.recheck_verdict records it)."""
    article = await extract_article(runtime, page, site)
    if gating.recheck_verdict(runtime.links, runtime.batch, site, story, article) == gating.NOT_STORY:
        return None
    version = new_version(story.url, article, canonical_of(article, page, site))
    current = runtime.store.current_version(story.id)
    if current is None or current.content_hash == version.content_hash:
        return Extracted(version, current, None, False)
    earlier = runtime.store.version_with_hash(story.id, version.content_hash)
    reported = earlier is not None and any(
        kind == ChangeKind.REVERTED and number == earlier
        for kind, number in runtime.store.last_change_kinds(story.id, limit=RECENT_CHANGES_FOR_REVERTS)
    )
    return Extracted(version, current, earlier, reported)
