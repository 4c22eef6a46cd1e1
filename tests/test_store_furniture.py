"""The site memory's tables on real SQLite and (with MONITOR_TEST_POSTGRES_URL) PostgreSQL: counting at first
sight inside the story's transaction, template changes recorded once, a bounded memory per site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from monitor.compare.furniture import story_blocks
from monitor.store import NewVersion, Store
from monitor.store.furniture import FurnitureStore, TemplateChange, learn_first_sight
from tests.test_store import version_of


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store(database_url)
    store.upgrade()
    store.ensure_sites(["site-a", "site-b"])
    yield store
    store.close()


def add(store: Store, site: str, url: str, paragraphs: list[str]) -> tuple[int | None, set[str]]:
    learned: set[str] = set()
    version = version_of(url, "\n\n".join(paragraphs))

    def learn(connection: sa.Connection, article_id: int) -> NewVersion:
        learned.update(
            learn_first_sight(connection, site, article_id, story_blocks(paragraphs), min_stories=3)
        )
        return version

    article_id = store.add_story(
        site, version, next_check_at=None, etag=None, last_modified=None, body_sha256=None, learn=learn
    )
    return article_id, learned


def test_a_block_becomes_furniture_in_its_third_story_of_one_site(store: Store) -> None:
    promo = "Follow us on every network."
    assert add(store, "site-a", "https://a.example/1", ["One.", promo])[1] == set()
    assert add(store, "site-b", "https://b.example/1", ["Uno.", promo])[1] == set()  # another site
    assert add(store, "site-a", "https://a.example/2", ["Two.", promo])[1] == set()
    # the same story again (a second daemon, a restart) is not counted: its add_story writes nothing
    assert add(store, "site-a", "https://a.example/2", ["Two.", promo]) == (None, set())
    article_id, learned = add(store, "site-a", "https://a.example/3", ["Three.", promo])
    [promo_block] = story_blocks([promo])
    assert learned == {promo_block.fingerprint}
    memory = FurnitureStore(store)
    assert memory.furniture("site-a") == {promo_block.fingerprint}
    assert memory.furniture("site-b") == frozenset()
    assert article_id is not None
    assert memory.last_blocks([article_id]) == {
        article_id: [b.fingerprint for b in story_blocks(["Three.", promo])]
    }


def test_a_block_of_one_story_costs_no_row_until_a_second_story_shows_it(store: Store) -> None:
    add(store, "site-a", "https://a.example/1", ["Own text.", "Shared line."])
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM site_furniture")).scalar() == 0
    add(store, "site-a", "https://a.example/2", ["Other text.", "Shared line."])
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT stories_seen, furniture FROM site_furniture")).all()
    assert [tuple(row) for row in rows] == [(2, False)]


def test_a_template_change_is_recorded_once_and_its_new_blocks_are_furniture(store: Store) -> None:
    memory = FurnitureStore(store)
    [new_block] = story_blocks(["Follow us today."])
    change = TemplateChange(
        "site-a", frozenset({"-aaaa", "+" + new_block.fingerprint}), ("Old.",), (new_block,), 5
    )
    assert memory.record_template_change(change) is True
    assert memory.record_template_change(change) is False
    assert memory.known_template_events("site-a", since="2000-01-01T00:00:00Z") == set(change.events)
    assert memory.known_template_events("site-b", since="2000-01-01T00:00:00Z") == set()
    assert memory.furniture("site-a") == {new_block.fingerprint}
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT site, stories, blocks_before FROM template_changes")).all()
    assert [tuple(row) for row in rows] == [("site-a", 5, "Old.")]


def test_the_memory_of_a_site_is_bounded(store: Store) -> None:
    for copy in range(2):  # a block gets a row when its second story shows it
        for index in range(12):
            add(store, "site-a", f"https://a.example/{copy}/{index}", [f"Paragraph of story {index}."])
        add(store, "site-b", f"https://b.example/{copy}", ["Kept: another site."])
    add(store, "site-a", "https://a.example/once", ["A paragraph of one story only."])
    memory = FurnitureStore(store)
    assert memory.forget("site-a", unseen_for_s=86400, keep=5) == 7
    assert memory.forget("site-a", unseen_for_s=86400, keep=5) == 0
    with store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE site_furniture SET last_seen_at = '2000-01-01T00:00:00Z'"))
    assert memory.forget("site-a", unseen_for_s=86400) == 5  # not seen for a day: forgotten
    with store.engine.connect() as connection:
        left = connection.execute(sa.text("SELECT site, COUNT(*) FROM site_furniture GROUP BY site")).all()
    assert [tuple(row) for row in left] == [("site-b", 1)]
