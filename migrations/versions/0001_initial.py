"""Initial schema: sites, sources, articles, versions, changes, fetches and the first views.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.String(32)

LATEST_VERSIONS = """
CREATE VIEW latest_versions AS
SELECT a.id AS article_id, a.site, a.url, a.canonical_url, a.status, a.first_seen_at, a.last_checked_at,
       a.last_changed_at, v.version, v.fetched_at, v.title, v.byline, v.published_at, v.modified_at,
       v.body, v.content_hash
FROM articles a
JOIN versions v ON v.article_id = a.id AND v.version = a.current_version
"""

RECENT_CHANGES = """
CREATE VIEW recent_changes AS
SELECT c.id AS change_id, c.detected_at, c.kind, a.site, a.url, c.version, v.title, c.fields, c.summary,
       c.minor, c.article_id
FROM changes c
JOIN articles a ON a.id = c.article_id
LEFT JOIN versions v ON v.article_id = c.article_id AND v.version = c.version
ORDER BY c.detected_at DESC, c.id DESC
"""

SITE_HEALTH = """
CREATE VIEW site_health AS
SELECT s.name AS site, s.last_checked_at, s.last_success_at, s.last_error, s.last_error_at,
       s.consecutive_failures,
       (SELECT COUNT(*) FROM articles a WHERE a.site = s.name) AS articles,
       (SELECT COUNT(*) FROM changes c JOIN articles a ON a.id = c.article_id
         WHERE a.site = s.name AND c.kind = 'changed') AS changes,
       (SELECT COUNT(*) FROM fetches f WHERE f.site = s.name AND f.error IS NOT NULL) AS fetch_failures
FROM sites s
"""


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_checked_at", TIMESTAMP),
        sa.Column("last_success_at", TIMESTAMP),
        sa.Column("last_error", sa.Text),
        sa.Column("last_error_at", TIMESTAMP),
        sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "sources",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("site", sa.String(200), sa.ForeignKey("sites.name", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("last_fetched_at", TIMESTAMP),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("body_sha256", sa.String(64)),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.String(200), sa.ForeignKey("sites.name", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("canonical_url", sa.Text),
        sa.Column("first_seen_at", TIMESTAMP, nullable=False),
        sa.Column("last_checked_at", TIMESTAMP),
        sa.Column("last_changed_at", TIMESTAMP),
        sa.Column("next_check_at", TIMESTAMP),
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        sa.Column("current_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("body_sha256", sa.String(64)),
        sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pending_hash", sa.String(64)),
        sa.Column("pending_reason", sa.String(40)),
    )
    op.create_index("ix_articles_site", "articles", ["site"])
    op.create_index("ix_articles_next_check_at", "articles", ["next_check_at"])
    op.create_index("ix_articles_canonical_url", "articles", ["canonical_url"])
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("fetched_at", TIMESTAMP, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("byline", sa.Text),
        sa.Column("published_at", sa.String(40)),
        sa.Column("modified_at", sa.String(40)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("canonical_url", sa.Text),
        sa.Column("language", sa.String(20)),
        sa.Column("description", sa.Text),
        sa.Column("image", sa.Text),
        sa.Column("section", sa.Text),
        sa.Column("tags", sa.Text),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("article_id", "version", name="uq_versions_article_version"),
        sa.UniqueConstraint("article_id", "content_hash", name="uq_versions_article_content"),
    )
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer),
        sa.Column("detected_at", TIMESTAMP, nullable=False),
        sa.Column("fields", sa.Text),
        sa.Column("summary", sa.Text),
        sa.Column("diff", sa.Text),
        sa.Column("minor", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_changes_detected_at", "changes", ["detected_at"])
    op.create_index("ix_changes_article_id", "changes", ["article_id"])
    op.create_table(
        "fetches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.String(200)),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("error", sa.String(60)),
        sa.Column("elapsed_ms", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("not_modified", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_fetches_started_at", "fetches", ["started_at"])
    op.create_index("ix_fetches_site", "fetches", ["site"])
    op.execute(LATEST_VERSIONS)
    op.execute(RECENT_CHANGES)
    op.execute(SITE_HEALTH)


def downgrade() -> None:
    for view in ("site_health", "recent_changes", "latest_versions"):
        op.execute(f"DROP VIEW IF EXISTS {view}")
    for table in ("fetches", "changes", "versions", "articles", "sources", "sites"):
        op.drop_table(table)
