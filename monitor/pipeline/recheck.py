"""recheck_stories(): fetch tracked stories again when due and record what happened to each.

conditional fetch -> unchanged without parsing (304, same bytes) -> extract -> the site's batch settled
(template changes, furniture: site_memory.py) -> compare -> quarantine, revert, new version, removed,
restored or moved -> store -> report
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from urllib.parse import urlsplit

from monitor import compare, report
from monitor.clock import now_iso
from monitor.compare.furniture import without
from monitor.config import Site
from monitor.discover import canonicalize_url
from monitor.errors import StoreError
from monitor.models import Article, FetchedPage
from monitor.pipeline import site_memory
from monitor.pipeline.runtime import (
    GONE_ERRORS,
    PassReport,
    Runtime,
    bounded_gather,
    canonical_of,
    extract_article,
    fetch_page,
    new_version,
)
from monitor.pipeline.site_memory import Candidate
from monitor.schedule import next_check_at
from monitor.store import NewChange, TrackedArticle

log = logging.getLogger(__name__)

RECHECK_BATCH = 500


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
        fetched = await bounded_gather([recheck_story(runtime, by_name[story.site], story) for story in due])
        # Stories with a new page wait for the rest of their site: a site-wide template change shows up in
        # many stories at once and is recorded once (site_memory.py), not as an edit of each.
        outcomes = [outcome for outcome in fetched if isinstance(outcome, str)]
        by_site: dict[str, list[Candidate]] = {}
        fetched_per_site: Counter[str] = Counter()
        for story, item in zip(due, fetched, strict=True):
            if isinstance(item, Candidate):
                by_site.setdefault(story.site, []).append(item)
            if isinstance(item, Candidate) or item == "unchanged":
                fetched_per_site[story.site] += 1
        for site_name, candidates in by_site.items():
            site = by_name[site_name]
            outcomes.extend(_settle(runtime, site, candidates, fetched_per_site[site_name]))
        for outcome in outcomes:
            if outcome == "changed":
                result.changed += 1
            elif outcome == "removed":
                result.removed += 1
            elif outcome == "failed":
                result.failed += 1
            else:
                result.unchanged += 1
        if len(page) < RECHECK_BATCH:
            break
    runtime.store.flush()  # the "unchanged" marks and fetch rows: a daemon may not write again for long
    return result


async def recheck_story(runtime: Runtime, site: Site, story: TrackedArticle) -> str | Candidate:
    """Fetch a tracked story again: what happened (changed, unchanged, removed, failed), or the extracted
    page to decide with the rest of its site's batch."""
    try:
        return await _recheck(runtime, site, story)
    except StoreError:
        raise
    except Exception:  # one broken page must not stop the pass
        log.exception("rechecking %s failed", story.url)
        _failed(runtime, site, story)
        return "failed"


def _failed(runtime: Runtime, site: Site, story: TrackedArticle) -> None:
    runtime.store.mark_checked(
        story.id,
        next_check_at=_next_check(story, site),
        consecutive_failures=story.consecutive_failures + 1,
    )


def _settle(runtime: Runtime, site: Site, candidates: list[Candidate], stories_fetched: int) -> list[str]:
    """Decide a site's new pages of this batch; a bug fails them (recorded), never the pass."""

    def decide(
        item: Candidate, dropped: frozenset[str], previous: Article | None, previous_hash: str | None
    ) -> str:
        try:
            return _decide(runtime, site, item, dropped, previous, previous_hash)
        except StoreError:
            raise
        except Exception:
            log.exception("rechecking %s failed", item.story.url)
            _failed(runtime, site, item.story)
            return "failed"

    try:
        return site_memory.settle(runtime, site, candidates, decide, stories_fetched=stories_fetched)
    except StoreError:
        raise
    except Exception:
        log.exception("settling the rechecks of %s failed", site.name)
        for item in candidates:
            _failed(runtime, site, item.story)
        return ["failed"] * len(candidates)


def _next_check(story: TrackedArticle, site: Site, *, changed: bool = False) -> str | None:
    return next_check_at(story.first_seen_at, now_iso() if changed else story.last_changed_at, site.rechecks)


async def _recheck(runtime: Runtime, site: Site, story: TrackedArticle) -> str | Candidate:
    # 1. conditional fetch with the story's validators
    page = await fetch_page(runtime, site, story.url, "page", story.etag, story.last_modified)
    if page.error in GONE_ERRORS or (page.ok and _redirected_home(page, site)):
        return _gone(runtime, site, story)
    if not page.ok:
        _failed(runtime, site, story)
        return "failed"
    if story.status == "removed":
        runtime.store.record_status_change(
            story, "restored", status="active", next_check_at=_next_check(story, site, changed=True)
        )
        report.emit("story.restored", site=site.name, url=story.url)
    moved_to = _moved_to(page, story)
    if moved_to is not None:
        runtime.store.record_url_change(story, moved_to)
        report.emit("story.moved", site=site.name, url=story.url, new_url=moved_to)
    # 2. unchanged without parsing: 304, or the very same bytes as last time
    body_sha = hashlib.sha256(page.body).hexdigest() if not page.not_modified else story.body_sha256
    if page.not_modified or body_sha == story.body_sha256:
        return _unchanged(runtime, site, story)
    # 3. extract; the comparison waits for the site's other rechecks of this batch (site_memory.settle)
    article = await extract_article(runtime, page, site)
    return site_memory.candidate(story, page, body_sha, article)


def _decide(
    runtime: Runtime,
    site: Site,
    item: Candidate,
    dropped: frozenset[str],
    previous: Article | None,
    previous_hash: str | None,
) -> str:
    """Compare a new page with the previous version (stored, then filtered by settle) without the blocks
    `dropped` names; `previous_hash` is the stored version's content hash."""
    story, page = item.story, item.page
    article = without(item.article, dropped)
    version = new_version(story.url, article, canonical_of(article, page, site))
    validators = {"etag": page.etag, "last_modified": page.last_modified, "body_sha256": item.body_sha}
    if previous is None or previous_hash == version.content_hash:
        return _unchanged(runtime, site, story, **validators)
    old_snapshot = compare.snapshot(previous)
    new_snapshot = compare.snapshot(version.article)
    # 4. suspicious content (paywall, consent wall, truncation) waits for a second fetch to confirm it
    reason = compare.suspicion(old_snapshot, new_snapshot)
    if reason is not None and story.pending_hash != version.content_hash:
        runtime.store.mark_checked(
            story.id,
            next_check_at=_next_check(story, site),
            consecutive_failures=0,
            pending_hash=version.content_hash,
            pending_reason=reason,
        )
        log.info(
            "quarantined a suspicious version (%s) of %s until a later fetch confirms it", reason, story.url
        )
        return "quarantined"  # counted as unchanged; its blocks are not the story's until confirmed
    # 5. a return to an earlier version (A/B headline tests): point back at it, report the first time only
    earlier = runtime.store.version_with_hash(story.id, version.content_hash)
    next_at = _next_check(story, site, changed=True)
    if earlier is not None:
        return _reverted(runtime, site, story, earlier, article, next_at, validators)
    # 6. a real new version
    comparison = compare.compare(old_snapshot, new_snapshot)
    if not comparison.changed:  # only the headline's echo or site furniture came or went: not an edit
        return _unchanged(runtime, site, story, **validators)
    change = NewChange(
        kind="changed",
        fields=comparison.fields,
        summary=comparison.summary,
        diff=comparison.diff,
        minor=comparison.minor,
    )
    number = runtime.store.add_version(story, version, change, next_check_at=next_at, **validators)
    if number is None:
        return "unchanged"
    if comparison.minor and not site.alert_minor:
        log.info("minor change (%s) of %s stored as v%d", comparison.summary, story.url, number)
    else:
        report.story_changed(
            site.name, story.url, article.title, number, comparison.fields, comparison.summary
        )
    return "changed"


def _unchanged(runtime: Runtime, site: Site, story: TrackedArticle, **validators: str | None) -> str:
    """Nothing new: record the check (batched with the next write) and clear any quarantine."""
    runtime.store.mark_checked_later(
        story.id,
        next_check_at=_next_check(story, site),
        consecutive_failures=0,
        pending_hash=None,
        pending_reason=None,
        **validators,
    )
    return "unchanged"


def _reverted(
    runtime: Runtime,
    site: Site,
    story: TrackedArticle,
    earlier: int,
    article: Article,
    next_at: str | None,
    validators: dict[str, str | None],
) -> str:
    already_reported = any(
        kind == "reverted" and number == earlier
        for kind, number in runtime.store.last_change_kinds(story.id, limit=50)
    )
    change = NewChange(kind="reverted", summary=f"back to v{earlier}")
    runtime.store.set_current_version(story, earlier, change, next_check_at=next_at, **validators)
    if not already_reported:
        report.story_changed(
            site.name, story.url, article.title, earlier, ["reverted"], f"back to v{earlier}"
        )
    return "changed"


def _gone(runtime: Runtime, site: Site, story: TrackedArticle) -> str:
    if story.status == "removed":
        runtime.store.mark_checked(story.id, next_check_at=_next_check(story, site))
        return "unchanged"
    if story.pending_reason != "gone":
        # Confirm once: a single 404 is often a deploy or a CDN hiccup.
        runtime.store.mark_checked(
            story.id, next_check_at=_next_check(story, site), pending_reason="gone", pending_hash=None
        )
        return "unchanged"
    runtime.store.record_status_change(
        story, "removed", status="removed", next_check_at=_next_check(story, site)
    )
    report.story_removed(site.name, story.url)
    return "removed"


def _moved_to(page: FetchedPage, story: TrackedArticle) -> str | None:
    """The story's new URL when it now redirects elsewhere (not yet recorded), else None."""
    if page.not_modified or page.final_url == page.url:
        return None
    target = canonicalize_url(page.final_url)
    if target in (story.url, story.canonical_url):
        return None
    return target


def _redirected_home(page: FetchedPage, site: Site) -> bool:
    if page.final_url == page.url:
        return False
    path = urlsplit(page.final_url).path
    return path in ("", "/") or canonicalize_url(page.final_url) in {
        canonicalize_url(u) for u in site.start_urls
    }
