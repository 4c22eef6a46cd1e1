"""The notifier in-process over a real database (SQLite and PostgreSQL) and a real receiver on 127.0.0.1:
filters, refusals, new targets, Apprise, and the outbox written with each change."""

from __future__ import annotations

import asyncio
import importlib.util
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.models import Article
from monitor.notify.notifier import Notifier, backoff_delay
from monitor.notify.settings import NotifyTarget
from monitor.store import NewChange, NewVersion, Store
from monitor.store.outbox import OutboxStore, target_summaries
from monitor.store.schema import changes, deliveries, outbox
from testbed.webhook_receiver import Receiver

BODY = "The council met on Monday.\n\nIt approved the budget for the new bridge."
EDITED = "The council met on Monday.\n\nIt approved the budget for the new bridge and two ferries."


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store(database_url)
    opened.upgrade()
    opened.ensure_sites(["alpha", "beta"])
    yield opened
    opened.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    webhook = Receiver()
    webhook.start()
    yield webhook
    webhook.stop()


def add_story(store: Store, site: str, slug: str, title: str, body: str = BODY) -> int:
    url = f"https://{site}.example/{slug}/"
    version = NewVersion(url, Article(title=title, text=body), f"{slug}-1", "t" * 64)
    article_id = store.add_story(
        site, version, next_check_at=None, etag=None, last_modified=None, body_sha256=None
    )
    assert article_id is not None
    return article_id


def edit_story(store: Store, url: str, body: str, *, minor: bool = False) -> None:
    tracked = store.article_by_url(url)
    assert tracked is not None
    version = NewVersion(url, Article(title="t", text=body), f"{url}-{len(body)}-{minor}", "t" * 64)
    change = NewChange(
        kind="changed", fields=("body",), summary="body ~1 paragraphs", diff="~ edit", minor=minor
    )
    store.add_version(
        tracked, version, change, next_check_at=None, etag=None, last_modified=None, body_sha256=None
    )


def run_notifier(store: Store, targets: tuple[NotifyTarget, ...], until: Callable[[], bool]) -> None:
    """Run the delivery task until `until()` holds (at most 20 s), then stop it."""

    async def main() -> None:
        stopping = asyncio.Event()
        notifier = Notifier(store.engine, targets, poll_s=0.05)
        task = asyncio.create_task(notifier.run(stopping))
        deadline = time.monotonic() + 20
        while (notifier.rounds < 1 or not until()) and time.monotonic() < deadline and not task.done():
            await asyncio.sleep(0.05)
        stopping.set()
        await task

    asyncio.run(main())


def count(store: Store, query: Any) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(query) or 0)


def test_every_change_row_has_its_outbox_row(store: Store) -> None:
    add_story(store, "alpha", "one", "Bridge approved")
    edit_story(store, "https://alpha.example/one/", EDITED)
    assert count(store, select(func.count()).select_from(changes)) == 2
    assert count(store, select(func.count()).select_from(outbox)) == 2


def test_filters_pick_sites_kinds_sizes_and_words(store: Store, receiver: Receiver) -> None:
    targets = (
        NotifyTarget(webhook=receiver.url + "?t=alpha", name="alpha-only", sites=("alpha",)),
        NotifyTarget(webhook=receiver.url + "?t=changed", name="changed-only", kinds=("changed",)),
        NotifyTarget(webhook=receiver.url + "?t=big", name="big", kinds=("changed",), min_words=10),
        NotifyTarget(webhook=receiver.url + "?t=ferry", name="ferry", words=("ferries",)),
    )
    run_notifier(store, targets, lambda: count(store, select(func.count()).select_from(outbox)) == 0)
    add_story(store, "alpha", "one", "Bridge approved")
    add_story(store, "beta", "two", "Ferries return to the bay")
    edit_story(store, "https://alpha.example/one/", EDITED)  # +3 words, "ferries" among them
    edit_story(store, "https://alpha.example/one/", EDITED + " ", minor=True)  # date-only: nobody by default
    delivered = select(func.count()).select_from(deliveries).where(deliveries.c.status == "delivered")
    run_notifier(store, targets, lambda: count(store, delivered) == 5)
    seen = {(target.name, target.delivered) for target in target_summaries(store.engine)}
    assert seen == {("alpha-only", 2), ("changed-only", 1), ("big", 0), ("ferry", 2)}
    assert len(receiver.accepted()) == 5
    # delivered rows are pruned after their keep time; nothing else is
    assert OutboxStore(store.engine).prune(delivered_before="2000-01-01T00:00:00Z") == 0
    assert OutboxStore(store.engine).prune(delivered_before="2999-01-01T00:00:00Z") == 5


def test_a_refused_event_is_recorded_as_failed_and_the_rest_go_on(store: Store) -> None:
    refusing = Receiver()
    refusing.start()
    try:
        target = NotifyTarget(webhook=refusing.url.replace("/hook", "/gone"), name="refusing")
        run_notifier(store, (target,), lambda: True)
        add_story(store, "alpha", "one", "First")
        refusing.answer = lambda raw, headers: 410  # type: ignore[method-assign]
        failed = select(func.count()).select_from(deliveries).where(deliveries.c.status == "failed")
        run_notifier(store, (target,), lambda: count(store, failed) == 1)
        assert count(store, failed) == 1
        summary = target_summaries(store.engine)[0]
        assert summary.failed == 1 and summary.last_error == "HTTP 410"
    finally:
        refusing.stop()


def test_a_new_target_starts_with_the_next_event(store: Store, receiver: Receiver) -> None:
    add_story(store, "alpha", "old", "Before the target existed")
    target = NotifyTarget(webhook=receiver.url, name="late")
    run_notifier(store, (target,), lambda: True)
    add_story(store, "alpha", "new", "After")
    run_notifier(store, (target,), lambda: len(receiver.accepted()) == 1)
    time.sleep(0.2)
    assert [request.body["title"] for request in receiver.accepted()] == ["After"]


def test_apprise_urls_deliver_through_apprise(store: Store, receiver: Receiver) -> None:
    if importlib.util.find_spec("apprise") is None:
        pytest.skip("needs the apprise extra (in the test extra)")
    target = NotifyTarget(apprise=f"json://127.0.0.1:{receiver.port}/hook", name="apprise")
    run_notifier(store, (target,), lambda: True)
    add_story(store, "beta", "two", "Ferries return to the bay")
    run_notifier(store, (target,), lambda: len(receiver.accepted()) == 1)
    message = receiver.accepted()[0].body
    assert (
        "Ferries return to the bay" in message["title"] and "https://beta.example/two/" in message["message"]
    )


def test_back_off_doubles_and_is_bounded() -> None:
    target = NotifyTarget(webhook="http://127.0.0.1:9/", backoff_min=1, backoff_max=30)
    delays = [backoff_delay(target, failures) for failures in range(1, 10)]
    assert 1 <= delays[0] <= 1.1 and 2 <= delays[1] <= 2.2 and 8 <= delays[3] <= 8.8
    assert all(30 <= delay <= 33 for delay in delays[5:])


def test_a_target_needs_exactly_one_receiver() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        NotifyTarget()
    with pytest.raises(ValueError, match="http"):
        NotifyTarget(webhook="file:///etc/passwd")


def test_config_errors_in_notify_name_their_location(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "sites: []\nnotify:\n  - webhook: https://hooks.example/x\n    kinds: [changed]\n"
        "  - webhook: ftp://nope\n  - webhok: https://typo.example/\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    errors = "\n".join(raised.value.errors)
    assert "notify[1]" in errors and "http" in errors
    assert "notify[2].webhok" in errors and "did you mean 'webhook'" in errors
    good = tmp_path / "good.yaml"
    good.write_text(
        "sites: [{name: a, start_urls: ['https://example.com/']}]\n"
        "notify: [{webhook: 'https://hooks.example/x', sites: [a]}]\n",
        encoding="utf-8",
    )
    assert load_config(good).notify[0].sites == ("a",)


def test_page_and_feed_queries_answer_on_every_database(store: Store) -> None:
    import feedparser

    from monitor.store.pages import ChangeFilter, feed_stamp, list_changes, story_with_versions
    from monitor.store.readonly import read_only_engine
    from monitor.web.atom import render_feed

    article_id = add_story(store, "alpha", "one", "Bridge approved")
    edit_story(store, "https://alpha.example/one/", EDITED)
    engine = read_only_engine(store.url)
    try:
        items = list_changes(engine, ChangeFilter(site="alpha", text="bridge"), texts=True)
        assert [item.kind for item in items] == ["new"]  # the edit's title is "t": only v1 matches
        edited = list_changes(engine, ChangeFilter(kind="changed"), texts=True)[0]
        assert edited.previous_body == BODY and edited.body == EDITED
        assert feed_stamp(engine, ChangeFilter(article_id=article_id))[2] == 2
        found = story_with_versions(engine, article_id)
        assert found is not None and [row.version for row in found[1]] == [1, 2]
        feed = feedparser.parse(
            render_feed(
                list_changes(engine, ChangeFilter(), texts=True), feed_id="urn:x", title="t", self_url=None
            )
        )
        assert not feed.bozo and "<ins> and two ferries</ins>" in feed.entries[0].content[0].value
    finally:
        engine.dispose()
