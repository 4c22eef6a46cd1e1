"""The first-sight side of the article gate and of durable discovery: which links to fetch this pass, the
verdict on each fetched page, and what is recorded about it (discovered_links, url_shapes)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache

from monitor import gate, report
from monitor.compare import REORDERED_SUMMARY, Comparison, is_listing_churn
from monitor.config import Site
from monitor.discover.shapes import learned_verdicts
from monitor.models import Article, ArticleLink, ChangeKind, PageSignals, StoryStatus, TrackedArticle
from monitor.schedule import next_check_at
from monitor.store import WriteBatch
from monitor.store.links import DueLink, LinkStore

log = logging.getLogger(__name__)

NOT_STORY = "not_story"  # articles.status and changes.kind of a tracked story that became a non-story
DEMOTE_AT_MOST = -20  # gate score (2 log-odds under the story threshold) that marks a tracked story not_story
# A story whose last this many changes were all listing churn (monitor/compare/churn.py: items reordered,
# entering or leaving, never a sentence written) lists things: it is marked not_story, once (issue 12).
CHURN_CHANGES_TO_DEMOTE = 3
CHURN_MARK = "not a story: "  # how the summary of a not_story change made by churn_demotion starts
CHURN_REASON = CHURN_MARK + "its last {count} changes were listing churn ({last})"


def links_to_visit(links: LinkStore, site: Site, found: Sequence[ArticleLink]) -> list[DueLink]:
    """Record the untracked links found this pass, then return the site's links due a first sight: the new
    ones and every earlier one still pending or due a retry, whether the listing still shows it or not."""
    tracked = links.store.tracked_urls([link.url for link in found])
    links.remember(site.name, [link for link in found if link.url not in tracked])
    due = links.due(site.name, site.max_new_per_pass)
    tracked_since = links.store.tracked_urls([link.url for link in due])  # stored under this URL meanwhile
    for link in due:
        if link.url in tracked_since:
            links.stored(link.url)
    return [link for link in due if link.url not in tracked_since]


def learned_shapes(links: LinkStore, site: Site) -> dict[str, bool]:
    """The site's URL templates the gate's verdicts have settled: True for stories, False for non-stories."""
    return learned_verdicts(links.shape_counts(site.name))


def verdict(site: Site, url: str, article: Article) -> gate.Verdict:
    """The gate's verdict on a fetched page, with the site's include / not_stories patterns deciding first."""
    return gate.judge(
        article,
        url,
        forced_story=_matches(site.include, url),
        forced_not_story=_matches(site.not_stories, url),
        kinds=site.kinds,
    )


def record_rejection(links: LinkStore, site: Site, link: DueLink, found: gate.Verdict) -> None:
    links.rejected(
        link.url,
        link.attempts,
        score=found.score,
        kind=found.kind,
        reasons=found.reasons,
        shape_of_site=site.name,
    )
    log.info("not a story (%s, score %d): %s", found.kind, found.score, link.url)


def record_story(links: LinkStore, site: Site, link: DueLink, found: gate.Verdict) -> None:
    links.stored(link.url, score=found.score, kind=found.kind, reasons=found.reasons)
    links.learn_shape(site.name, link.url, is_story=True)


def _matches(patterns: tuple[str, ...], url: str) -> bool:
    return any(pattern.search(url) for pattern in _compiled(patterns))


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def recheck_verdict(
    links: LinkStore, batch: WriteBatch, site: Site, story: TrackedArticle, found: gate.Verdict
) -> str | None:
    """A tracked story's recheck through the gate: "not_story" when it clearly turned into a non-story
    (marked once, then silent: never a stream of edits), "story_again" when a marked one is a story again.

    A story was a story once: it is marked only on clear evidence (score DEMOTE_AT_MOST or less, or the
    site's not_stories patterns), not because one signal went missing from one fetch. `found`: the gate's
    verdict on this fetch (verdict()).
    """
    store = links.store
    next_at = next_check_at(story.first_seen_at, story.last_changed_at, site.rechecks)
    if found.is_story:
        if story.status != NOT_STORY:
            return None
        if _marked_for_churn(links, story):  # the gate took it for a story before it churned: stays marked
            batch.mark_checked(story.id, next_check_at=next_at, consecutive_failures=0)
            return NOT_STORY
        store.record_status_change(
            story, ChangeKind.RESTORED, status=StoryStatus.ACTIVE, next_check_at=next_at
        )
        report.emit("story.restored", site=site.name, url=story.url)
        return "story_again"
    if story.status != NOT_STORY and found.score > DEMOTE_AT_MOST and not found.forced:
        return None
    if story.status == NOT_STORY:
        batch.mark_checked(story.id, next_check_at=next_at, consecutive_failures=0)
        return NOT_STORY
    store.record_status_change(
        story, ChangeKind.NOT_STORY, status=StoryStatus.NOT_STORY, next_check_at=next_at
    )
    report.emit("story.not_story", site=site.name, url=story.url, kind=found.kind, score=found.score)
    return NOT_STORY


def churn_demotion(links: LinkStore, site: Site, story: TrackedArticle, comparison: Comparison) -> bool:
    """After a stored change that was listing churn: mark the story not_story when its last
    CHURN_CHANGES_TO_DEMOTE changes all were (the reason in the change row, one log line). Whether it did."""
    if not comparison.churn:
        return False
    store = links.store
    recent = store.last_change_summaries(story.id, CHURN_CHANGES_TO_DEMOTE)
    if len(recent) < CHURN_CHANGES_TO_DEMOTE or not all(
        kind is ChangeKind.CHANGED and _is_churn(summary) for kind, summary in recent
    ):
        return False
    reason = CHURN_REASON.format(count=CHURN_CHANGES_TO_DEMOTE, last=comparison.summary)
    store.record_status_change(
        story,
        ChangeKind.NOT_STORY,
        status=StoryStatus.NOT_STORY,
        next_check_at=next_check_at(story.first_seen_at, story.last_changed_at, site.rechecks),
        summary=reason,
    )
    report.emit("story.not_story", site=site.name, url=story.url, kind="listing", reason=reason)
    return True


def _is_churn(summary: str | None) -> bool:
    return is_listing_churn(summary) or summary == REORDERED_SUMMARY


def _marked_for_churn(links: LinkStore, story: TrackedArticle) -> bool:
    """Whether the story's not_story mark came from its churn (churn_demotion), not from the gate."""
    for kind, summary in links.store.last_change_summaries(story.id, 1):
        return kind is ChangeKind.NOT_STORY and summary is not None and summary.startswith(CHURN_MARK)
    return False


def quiet_update(site: Site, article: Article) -> bool:
    """A live blog's new entries are stored as versions but not announced as edits, unless the site asks."""
    return not site.liveblog_updates and gate.story_kind(article.signals or PageSignals()) == "liveblog"
