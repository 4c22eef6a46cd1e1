"""The article gate and durable discovery: discovered_links (every link until stored or rejected, with the
gate's verdict and reasons) and url_shapes (the story URL templates learned per site).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TIMESTAMP = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "discovered_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.String(200), sa.ForeignKey("sites.name", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("url_shape", sa.Text, nullable=False),
        sa.Column("first_seen_at", TIMESTAMP, nullable=False),
        sa.Column("state", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_try_at", TIMESTAMP),
        sa.Column("last_error", sa.Text),
        sa.Column("verdict", sa.String(20)),
        sa.Column("kind", sa.String(20)),
        sa.Column("score", sa.Integer),
        sa.Column("reasons", sa.Text),
        sa.Column("decided_at", TIMESTAMP),
    )
    op.create_index("ix_discovered_links_due", "discovered_links", ["site", "state", "next_try_at"])
    op.create_table(
        "url_shapes",
        sa.Column("site", sa.String(200), sa.ForeignKey("sites.name", ondelete="CASCADE"), primary_key=True),
        sa.Column("shape", sa.Text, primary_key=True),
        sa.Column("stories", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_stories", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("url_shapes")
    op.drop_index("ix_discovered_links_due", table_name="discovered_links")
    op.drop_table("discovered_links")
