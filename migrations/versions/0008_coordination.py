"""Several daemons on one PostgreSQL database: members, host leases, and each site's next check.

`members` holds a row per running daemon, its heartbeat timed by the database server's clock; `host_leases`
a row per host with its owner, the epoch bumped by every claim (writes carry it: fencing) and the politeness
state a new owner inherits (`next_allowed_at`, `crawl_delay`). `sites.next_check_at` is when a site's listing
pages, feeds and sitemaps are next due, so any member can take a site's work over where the last one left
it. Server-clock columns are `timestamp with time zone` (compared with `now()`), unlike the ISO text of the
other tables: their arithmetic is the database's, never a daemon's wall clock. SQLite gets the tables too
(one schema) but keeps its single daemon and its lock file.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SERVER_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("started_at", SERVER_TIME, nullable=False),
        sa.Column("heartbeat_at", SERVER_TIME, nullable=False),
        sa.Column("expires_at", SERVER_TIME, nullable=False),
        sa.Column("hosts_owned", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claims", sa.Integer, nullable=False, server_default="0"),
        sa.Column("releases", sa.Integer, nullable=False, server_default="0"),
        sa.Column("refused_writes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("refused_fetches", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "host_leases",
        sa.Column("host", sa.String(300), primary_key=True),
        sa.Column("owner", sa.Integer),  # members.id; no foreign key: a dead member's row is reaped
        sa.Column("epoch", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_allowed_at", SERVER_TIME),
        sa.Column("crawl_delay", sa.Float, nullable=False, server_default="0"),
        sa.Column("claimed_at", SERVER_TIME),
        sa.Column("released_at", SERVER_TIME),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Every heartbeat updates its member row, every claim its host rows: with room on each page and no
        # index on a column that changes, each update is HOT and the old row is pruned in place, so both
        # tables stay the same size without waiting for (auto)vacuum. They stay small enough to scan.
        op.execute("ALTER TABLE members SET (fillfactor = 50)")
        op.execute("ALTER TABLE host_leases SET (fillfactor = 50)")
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("next_check_at", sa.String(32)))
    # One story.new per story and one story.changed per version, whoever wrote it.
    op.create_index(
        "uq_changes_article_version_new_changed",
        "changes",
        ["article_id", "version", "kind"],
        unique=True,
        postgresql_where=sa.text("kind IN ('new', 'changed')"),
        sqlite_where=sa.text("kind IN ('new', 'changed')"),
    )


def downgrade() -> None:
    op.drop_index("uq_changes_article_version_new_changed", table_name="changes")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("next_check_at")
    op.drop_table("host_leases")
    op.drop_table("members")
