"""Notification outbox: one row per change event (written with the change), delivery state per target.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TIMESTAMP = sa.String(32)

NOTIFY_FAILURES = """
CREATE VIEW notify_failures AS
SELECT d.target, d.status, d.attempts, d.last_attempt_at, d.last_error, d.event, a.site, a.url,
       o.change_id, d.outbox_id
FROM deliveries d
JOIN outbox o ON o.id = d.outbox_id
JOIN articles a ON a.id = o.article_id
WHERE d.status = 'failed' OR (d.status = 'pending' AND d.attempts > 0)
"""


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "change_id",
            sa.Integer,
            sa.ForeignKey("changes.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "notify_targets",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_outbox_id", sa.Integer, nullable=False, server_default="0"),
        sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TIMESTAMP),
        sa.Column("last_success_at", TIMESTAMP),
        sa.Column("last_error", sa.Text),
        sa.Column("last_error_at", TIMESTAMP),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("event_id", sa.String(80), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_attempt_at", TIMESTAMP),
        sa.Column("delivered_at", TIMESTAMP),
        sa.Column("last_error", sa.Text),
        sa.UniqueConstraint("outbox_id", "target", name="uq_deliveries_outbox_target"),
    )
    op.create_index("ix_deliveries_target_status", "deliveries", ["target", "status", "outbox_id"])
    op.execute(NOTIFY_FAILURES)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS notify_failures")
    op.drop_index("ix_deliveries_target_status", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_table("notify_targets")
    op.drop_table("outbox")
