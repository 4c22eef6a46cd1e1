"""apply() and apply_first_sight(): the effects of a decision: store writes, events, metrics, write batching.

The only code in the pipeline that writes a story's state or reports what happened to it; decide.py says
what happened. Each decision kind is one `case` (exhaustive: mypy's assert_never).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import assert_never

from sqlalchemy import Connection

from monitor import metrics, report
from monitor.clock import now_iso
from monitor.config import Site
from monitor.gate import Verdict
from monitor.models import (
    ChangeKind,
    CheckOutcome,
    GoneStage,
    NewChange,
    NewVersion,
    StoryStatus,
    TrackedArticle,
    Validators,
)
from monitor.pipeline import gating, site_memory
from monitor.pipeline.decide import (
    GONE_PENDING_REASON,
    NO_STORY,
    Changed,
    Decision,
    Failed,
    FirstSight,
    Gone,
    Known,
    Minor,
    Moved,
    New,
    Quarantined,
    Rejected,
    Restored,
    Reverted,
    Unchanged,
)
from monitor.pipeline.runtime import Runtime
from monitor.report import Event
from monitor.schedule import next_check_at
from monitor.store.links import DueLink, record_stored_story

log = logging.getLogger(__name__)


def apply(runtime: Runtime, site: Site, story: TrackedArticle, decision: Decision) -> CheckOutcome:
    """Write and report one recheck decision; what it came to for the pass report."""
    metrics.count_decision(site.name, decision.kind)
    store = runtime.store
    match decision:
        case Unchanged(validators=validators):
            # The many checks that found nothing new go in the pass's write batch, not a transaction each.
            runtime.batch.mark_checked(
                story.id,
                next_check_at=_next_check(story, site),
                consecutive_failures=0,
                pending_hash=None,
                pending_reason=None,
                **_columns(validators),
            )
            runtime.flush(only_when_full=True)
            return CheckOutcome.UNCHANGED
        case Quarantined(reason=reason, content_hash=content_hash):
            store.mark_checked(
                story.id,
                next_check_at=_next_check(story, site),
                consecutive_failures=0,
                pending_hash=content_hash,
                pending_reason=reason,
            )
            report.emit(Event.STORY_QUARANTINED, site=site.name, url=story.url, reason=reason)
            return CheckOutcome.UNCHANGED
        case Reverted(version_number=number, title=title, report=first_time, validators=validators):
            summary = f"back to v{number}"
            store.set_current_version(
                story,
                number,
                NewChange(kind=ChangeKind.REVERTED, summary=summary),
                next_check_at=_next_check(story, site, changed=True),
                **_columns(validators),
            )
            if first_time:
                report.story_changed(site.name, story.url, title, number, ["reverted"], summary)
            return CheckOutcome.CHANGED
        case Changed() | Minor():
            return _store_version(runtime, site, story, decision)
        case Gone(stage=stage):
            return _apply_gone(runtime, site, story, stage)
        case Restored():
            store.record_status_change(
                story,
                ChangeKind.RESTORED,
                status=StoryStatus.ACTIVE,
                next_check_at=_next_check(story, site, changed=True),
            )
            report.emit(Event.STORY_RESTORED, site=site.name, url=story.url)
            return CheckOutcome.UNCHANGED
        case Moved(new_url=new_url):
            store.record_url_change(story, new_url)
            report.emit(Event.STORY_MOVED, site=site.name, url=story.url, new_url=new_url)
            return CheckOutcome.UNCHANGED
        case Failed():
            store.mark_checked(
                story.id,
                next_check_at=_next_check(story, site),
                consecutive_failures=story.consecutive_failures + 1,
            )
            return CheckOutcome.FAILED
        case _:
            assert_never(decision)


def _apply_gone(runtime: Runtime, site: Site, story: TrackedArticle, stage: GoneStage) -> CheckOutcome:
    match stage:
        case GoneStage.STILL_REMOVED:
            runtime.store.mark_checked(story.id, next_check_at=_next_check(story, site))
            return CheckOutcome.UNCHANGED
        case GoneStage.SUSPECTED:  # confirm once: a single 404 is often a deploy or a CDN hiccup
            runtime.store.mark_checked(
                story.id,
                next_check_at=_next_check(story, site),
                pending_reason=GONE_PENDING_REASON,
                pending_hash=None,
            )
            return CheckOutcome.UNCHANGED
        case GoneStage.CONFIRMED:
            runtime.store.record_status_change(
                story, ChangeKind.REMOVED, status=StoryStatus.REMOVED, next_check_at=_next_check(story, site)
            )
            report.story_removed(site.name, story.url)
            return CheckOutcome.REMOVED
        case _:
            assert_never(stage)


def _store_version(
    runtime: Runtime, site: Site, story: TrackedArticle, decision: Changed | Minor
) -> CheckOutcome:
    comparison, version = decision.comparison, decision.version
    change = NewChange(
        kind=ChangeKind.CHANGED,
        fields=comparison.fields,
        summary=comparison.summary,
        diff=comparison.diff,
        minor=comparison.minor,
    )
    number = runtime.store.add_version(
        story,
        version,
        change,
        next_check_at=_next_check(story, site, changed=True),
        **_columns(decision.validators),
    )
    if number is None:  # this content is already stored: a restart after a crash, or another daemon
        return CheckOutcome.UNCHANGED
    event = Event.STORY_MINOR if isinstance(decision, Minor) else Event.STORY_CHANGED
    if event is Event.STORY_CHANGED and gating.quiet_update(site, version.article):
        log.info("live blog update (%s) of %s stored as v%d", comparison.summary, story.url, number)
        return CheckOutcome.CHANGED
    report.story_changed(
        site.name,
        story.url,
        version.article.title,
        number,
        comparison.fields,
        comparison.summary,
        event=event,
    )
    gating.churn_demotion(runtime.links, site, story, comparison)  # a page that keeps churning lists things
    return CheckOutcome.CHANGED


def apply_first_sight(
    runtime: Runtime, site: Site, link: DueLink, decision: FirstSight, verdict: Verdict | None = None
) -> CheckOutcome:
    """Write and report what the first fetch of a link found, with the link's state in discovered_links
    (verdict: the article gate's, when it was asked); what it came to for the pass report."""
    metrics.count_decision(site.name, decision.kind)
    match decision:
        case New(version=version, validators=validators):
            now = now_iso()
            article_id = runtime.store.add_story(
                site.name,
                version,
                next_check_at=next_check_at(now, None, site.rechecks) or now,
                learn=_learning(site, link, version, verdict),
                **_columns(validators),
            )
            if article_id is None:  # tracked meanwhile (another daemon, or the same URL twice in a pass)
                _record_stored(runtime, site, link, verdict)
                return CheckOutcome.KNOWN
            report.story_new(site.name, link.url, version.article.title)
            return CheckOutcome.NEW
        case Known():
            _record_stored(runtime, site, link, verdict)
            return CheckOutcome.KNOWN
        case Rejected(verdict=rejection):
            gating.record_rejection(runtime.links, site, link, rejection)
            return CheckOutcome.REJECTED
        case Failed(error=error):
            runtime.links.failed(link.url, link.attempts, "no_story_found" if error == NO_STORY else error)
            if error == NO_STORY:  # a failed fetch was already reported as fetch.failed
                log.info("no story found at %s", link.url)
            return CheckOutcome.FAILED
        case _:
            assert_never(decision)


def _learning(
    site: Site, link: DueLink, version: NewVersion, verdict: Verdict | None
) -> Callable[[Connection, int], NewVersion]:
    """add_story's hook for a new story: the site memory learns its blocks, and its link is recorded as
    stored with the gate's verdict, in the story's own transaction (one commit per new story)."""
    learn = site_memory.first_sight_learning(site, version)

    def learn_and_record(connection: Connection, article_id: int) -> NewVersion:
        stored = learn(connection, article_id)
        if verdict is None:
            record_stored_story(connection, site.name, link.url, learn_shape=False)
        else:
            record_stored_story(
                connection,
                site.name,
                link.url,
                score=verdict.score,
                kind=verdict.kind,
                reasons=verdict.reasons,
            )
        return stored

    return learn_and_record


def _record_stored(runtime: Runtime, site: Site, link: DueLink, verdict: Verdict | None) -> None:
    if verdict is not None:
        gating.record_story(runtime.links, site, link, verdict)
    else:
        runtime.links.stored(link.url)


def _next_check(story: TrackedArticle, site: Site, *, changed: bool = False) -> str | None:
    return next_check_at(story.first_seen_at, now_iso() if changed else story.last_changed_at, site.rechecks)


def _columns(validators: Validators | None) -> dict[str, str | None]:
    """The articles columns holding these validators; none when the stored ones stay."""
    if validators is None:
        return {}
    return {
        "etag": validators.etag,
        "last_modified": validators.last_modified,
        "body_sha256": validators.body_sha256,
    }
