# ruff: noqa: E501 - fixture text reads best unwrapped
"""The tests' fixture news site: monitor.newsite's simulated site (front page, RSS feed, news sitemap,
article pages in WordPress-style news markup) with the sample stories the tests start from.

Tests edit `site.stories` between passes to publish, edit and remove stories.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.newsite import NewsSite, SiteServer, Story

__all__ = ["NewsSite", "SiteServer", "Story", "sample_site"]


def sample_site(count: int = 5) -> NewsSite:
    """A site with `count` stories of several paragraphs each."""
    site = NewsSite()
    first_day = datetime(2025, 10, 1, 8, tzinfo=UTC)
    for index in range(count):
        published = first_day + timedelta(days=index % 28, minutes=index // 28)
        site.add(
            Story(
                slug=f"story-number-{index}-about-something",
                title=f"Story number {index}: officials announce a new plan",
                byline="Jane Reporter",
                published=published.isoformat(),
                paragraphs=[
                    f"Officials announced plan number {index} on Monday, saying it would take effect next year.",
                    f"The plan, described in a {10 + index}-page document, covers transport, housing and energy.",
                    # Story text of its own: a paragraph on every story of a site is site furniture (issue 13).
                    f"Critics said the timetable of plan {index} was too short and the budget too small for what was promised.",
                    f"A spokesperson said more details would follow within {index + 2} weeks of the announcement.",
                ],
            )
        )
    return site
