"""Due-story selection by index: (site, next_check_at) replaces the index on site alone.

With only an index on site, SQLite answered "the next 500 due stories of these sites" by reading every story
of the sites and sorting them (1 s a page at 100,000 stories, benchmarks/bench_capacity.py); with the
composite index it reads the due range of each site only, and once ANALYZE statistics exist (the daemon's
hourly maintenance) it walks ix_articles_next_check_at in order and stops after one page.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_site_next_check_at", "articles", ["site", "next_check_at"])
    op.drop_index("ix_articles_site", table_name="articles")


def downgrade() -> None:
    op.create_index("ix_articles_site", "articles", ["site"])
    op.drop_index("ix_articles_site_next_check_at", table_name="articles")
