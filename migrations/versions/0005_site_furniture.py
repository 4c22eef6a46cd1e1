"""Site memory (issue 13): learned site furniture, the blocks of each story's last fetch, template changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TIMESTAMP = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "site_furniture",
        sa.Column("site", sa.String(200), sa.ForeignKey("sites.name", ondelete="CASCADE"), primary_key=True),
        sa.Column("fingerprint", sa.String(16), primary_key=True),
        sa.Column("sample_text", sa.Text, nullable=False),
        sa.Column("stories_seen", sa.Integer, nullable=False, server_default="1"),
        sa.Column("furniture", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("learned_from", sa.String(20), nullable=False, server_default="stories"),
        sa.Column("first_seen_at", TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", TIMESTAMP, nullable=False),
        # one B-tree keyed by (site, fingerprint) on SQLite: every block of every first sight is counted here
        sqlite_with_rowid=False,
    )
    op.create_table(
        "story_blocks",
        sa.Column(
            "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("fingerprints", sa.Text, nullable=False),
        sa.Column("fetched_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "template_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.String(200), sa.ForeignKey("sites.name", ondelete="CASCADE"), nullable=False),
        sa.Column("detected_at", TIMESTAMP, nullable=False),
        sa.Column("change_key", sa.String(64), nullable=False),
        sa.Column("stories", sa.Integer, nullable=False),
        sa.Column("blocks_before", sa.Text),
        sa.Column("blocks_after", sa.Text),
        sa.Column("events", sa.Text, nullable=False),
        sa.UniqueConstraint("site", "change_key", name="uq_template_changes_site_key"),
    )
    op.create_index("ix_template_changes_detected_at", "template_changes", ["detected_at"])


def downgrade() -> None:
    op.drop_index("ix_template_changes_detected_at", table_name="template_changes")
    op.drop_table("template_changes")
    op.drop_table("story_blocks")
    op.drop_table("site_furniture")
