"""Table definitions; the schema itself is created only by the Alembic revisions in migrations/."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

# Timestamps are UTC ISO-8601 text (`2026-11-23T09:40:12Z`): readable in sqlite3 and comparable as strings.
TIMESTAMP = String(32)

sites = Table(
    "sites",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("created_at", TIMESTAMP, nullable=False),
    Column("last_checked_at", TIMESTAMP),
    Column("last_success_at", TIMESTAMP),
    Column("last_error", Text),
    Column("last_error_at", TIMESTAMP),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Column("next_check_at", TIMESTAMP),  # when the site's sources are next due (several daemons: 0008)
)

sources = Table(
    "sources",
    metadata,
    Column("url", Text, primary_key=True),
    Column("site", String(200), ForeignKey("sites.name", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("last_fetched_at", TIMESTAMP),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_sha256", String(64)),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(200), ForeignKey("sites.name", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False, unique=True),
    Column("canonical_url", Text),
    Column("first_seen_at", TIMESTAMP, nullable=False),
    Column("last_checked_at", TIMESTAMP),
    Column("last_changed_at", TIMESTAMP),
    Column("next_check_at", TIMESTAMP),
    Column("status", String(20), nullable=False, server_default="active"),
    Column("current_version", Integer, nullable=False, server_default="0"),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_sha256", String(64)),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Column("pending_hash", String(64)),
    Column("pending_reason", String(40)),
)
Index("ix_articles_site_next_check_at", articles.c.site, articles.c.next_check_at)
Index("ix_articles_next_check_at", articles.c.next_check_at)
Index("ix_articles_canonical_url", articles.c.canonical_url)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("fetched_at", TIMESTAMP, nullable=False),
    Column("url", Text, nullable=False),
    Column("title", Text),
    Column("byline", Text),
    Column("published_at", String(40)),
    Column("modified_at", String(40)),
    Column("body", Text, nullable=False),
    Column("canonical_url", Text),
    Column("language", String(20)),
    Column("description", Text),
    Column("image", Text),
    Column("section", Text),
    Column("tags", Text),
    Column("content_hash", String(64), nullable=False),
    Column("text_hash", String(64), nullable=False),
    # the offset the page gave published_at/modified_at in (`-05:00`); the columns themselves hold UTC
    Column("published_offset", String(6)),
    Column("modified_offset", String(6)),
    UniqueConstraint("article_id", "version", name="uq_versions_article_version"),
    UniqueConstraint("article_id", "content_hash", name="uq_versions_article_content"),
)

changes = Table(
    "changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("version", Integer),
    Column("detected_at", TIMESTAMP, nullable=False),
    Column("fields", Text),
    Column("summary", Text),
    Column("diff", Text),
    Column("minor", Boolean, nullable=False, server_default=false()),
)
Index("ix_changes_detected_at", changes.c.detected_at)
Index("ix_changes_article_id", changes.c.article_id)
Index(
    "uq_changes_article_version_new_changed",
    changes.c.article_id,
    changes.c.version,
    changes.c.kind,
    unique=True,
    # Partial on both engines (migration 0008 creates it). Only the SQLite clause is named here: a
    # postgresql_where would import SQLAlchemy's PostgreSQL dialect in every process, SQLite ones included.
    sqlite_where=changes.c.kind.in_(["new", "changed"]),
)

fetches = Table(
    "fetches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(200)),
    Column("url", Text, nullable=False),
    Column("started_at", TIMESTAMP, nullable=False),
    Column("status", Integer),
    Column("error", String(60)),
    Column("elapsed_ms", Integer, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("not_modified", Boolean, nullable=False, server_default=false()),
)
Index("ix_fetches_started_at", fetches.c.started_at)
Index("ix_fetches_site", fetches.c.site)

# Every story link discovery found, until it is stored or definitively rejected (issue 16 item 4), with the
# article gate's verdict (issue 12): a kill -9 or a failed first fetch never makes a link forgotten.
discovered_links = Table(
    "discovered_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(200), ForeignKey("sites.name", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False, unique=True),
    Column("source", String(20), nullable=False),  # listing / feed / sitemap: how it was first found
    Column("url_shape", Text, nullable=False),
    Column("first_seen_at", TIMESTAMP, nullable=False),
    # pending / stored / failed (retried on its own back-off) / rejected (revisited rarely) / given_up
    Column("state", String(20), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_try_at", TIMESTAMP),
    Column("last_error", Text),
    Column("verdict", String(20)),  # story / not_story, once the gate saw the page
    Column("kind", String(20)),
    Column("score", Integer),
    Column("reasons", Text),
    Column("decided_at", TIMESTAMP),
)
Index(
    "ix_discovered_links_due",
    discovered_links.c.site,
    discovered_links.c.state,
    discovered_links.c.next_try_at,
)

# What the gate's verdicts taught about each site's URL templates (`/{yyyy}/{mm}/{dd}/{slug}/`).
url_shapes = Table(
    "url_shapes",
    metadata,
    Column("site", String(200), ForeignKey("sites.name", ondelete="CASCADE"), primary_key=True),
    Column("shape", Text, primary_key=True),
    Column("stories", Integer, nullable=False, server_default="0"),
    Column("not_stories", Integer, nullable=False, server_default="0"),
    Column("updated_at", TIMESTAMP, nullable=False),
)
# Site memory (issue 13): what each site repeats on its pages, the blocks of each story's last fetch, and the
# site-wide template changes recorded once instead of as an edit of every story.
site_furniture = Table(
    "site_furniture",
    metadata,
    Column("site", String(200), ForeignKey("sites.name", ondelete="CASCADE"), primary_key=True),
    Column("fingerprint", String(16), primary_key=True),
    Column("sample_text", Text, nullable=False),
    Column("stories_seen", Integer, nullable=False, server_default="1"),
    Column("furniture", Boolean, nullable=False, server_default=false()),
    Column("learned_from", String(20), nullable=False, server_default="stories"),
    Column("first_seen_at", TIMESTAMP, nullable=False),
    Column("last_seen_at", TIMESTAMP, nullable=False),
    sqlite_with_rowid=False,  # one B-tree keyed by (site, fingerprint): every block of every first sight
)

story_blocks = Table(
    "story_blocks",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("fingerprints", Text, nullable=False),  # space-separated, in story order
    Column("fetched_at", TIMESTAMP, nullable=False),
)

template_changes = Table(
    "template_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(200), ForeignKey("sites.name", ondelete="CASCADE"), nullable=False),
    Column("detected_at", TIMESTAMP, nullable=False),
    Column("change_key", String(64), nullable=False),
    Column("stories", Integer, nullable=False),
    Column("blocks_before", Text),  # the blocks that left every story, separated by a blank line
    Column("blocks_after", Text),  # the blocks that came into them
    Column("events", Text, nullable=False),  # space-separated "-fingerprint" / "+fingerprint"
    UniqueConstraint("site", "change_key", name="uq_template_changes_site_key"),
)
Index("ix_template_changes_detected_at", template_changes.c.detected_at)
# Notifications (revision 0006): an `outbox` row is written in the same transaction as each change row; the
# notifier fans it out into one `deliveries` row per matching target and marks it delivered.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("change_id", Integer, ForeignKey("changes.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", TIMESTAMP, nullable=False),
)

notify_targets = Table(
    "notify_targets",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("address", Text, nullable=False),  # the URL without credentials or query
    Column("created_at", TIMESTAMP, nullable=False),
    Column("last_outbox_id", Integer, nullable=False, server_default="0"),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", TIMESTAMP),
    Column("last_success_at", TIMESTAMP),
    Column("last_error", Text),
    Column("last_error_at", TIMESTAMP),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("outbox_id", Integer, ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False),
    Column("target", String(200), nullable=False),
    Column("article_id", Integer, nullable=False),
    Column("event", String(40), nullable=False),
    Column("event_id", String(80), nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(20), nullable=False, server_default="pending"),  # pending/delivered/failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", TIMESTAMP, nullable=False),
    Column("last_attempt_at", TIMESTAMP),
    Column("delivered_at", TIMESTAMP),
    Column("last_error", Text),
    UniqueConstraint("outbox_id", "target", name="uq_deliveries_outbox_target"),
)
Index("ix_deliveries_target_status", deliveries.c.target, deliveries.c.status, deliveries.c.outbox_id)

# Several daemons on one PostgreSQL database (monitor/coordination/): times here are the server's clock.
SERVER_TIME = DateTime(timezone=True)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),  # host name and pid, for `monitor status`
    Column("started_at", SERVER_TIME, nullable=False),
    Column("heartbeat_at", SERVER_TIME, nullable=False),
    Column("expires_at", SERVER_TIME, nullable=False),  # its leases are void from then on
    Column("hosts_owned", Integer, nullable=False, server_default="0"),
    Column("claims", Integer, nullable=False, server_default="0"),
    Column("releases", Integer, nullable=False, server_default="0"),
    Column("refused_writes", Integer, nullable=False, server_default="0"),
    Column("refused_fetches", Integer, nullable=False, server_default="0"),
)

host_leases = Table(
    "host_leases",
    metadata,
    Column("host", String(300), primary_key=True),  # politeness.host_key: name, and port if not default
    Column("owner", Integer),  # members.id, or NULL when released
    Column("epoch", Integer, nullable=False, server_default="0"),  # bumped by every claim
    Column("next_allowed_at", SERVER_TIME),  # no request to the host before this
    Column("crawl_delay", Float, nullable=False, server_default="0"),  # the delay its owner paces with
    Column("claimed_at", SERVER_TIME),
    Column("released_at", SERVER_TIME),
)
