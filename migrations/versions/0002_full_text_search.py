"""Full-text search over story text: an FTS5 index on SQLite (kept in sync by triggers), GIN on PostgreSQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    """CREATE VIRTUAL TABLE versions_fts USING fts5(
        title, body, content='versions', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER versions_fts_insert AFTER INSERT ON versions BEGIN
        INSERT INTO versions_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER versions_fts_delete AFTER DELETE ON versions BEGIN
        INSERT INTO versions_fts(versions_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER versions_fts_update AFTER UPDATE ON versions BEGIN
        INSERT INTO versions_fts(versions_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO versions_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    "INSERT INTO versions_fts(versions_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS versions_fts_update",
    "DROP TRIGGER IF EXISTS versions_fts_delete",
    "DROP TRIGGER IF EXISTS versions_fts_insert",
    "DROP TABLE IF EXISTS versions_fts",
]
POSTGRES_UP = [
    "CREATE INDEX ix_versions_fulltext ON versions "
    "USING gin (to_tsvector('simple', coalesce(title, '') || ' ' || body))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_versions_fulltext"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN if dialect == "postgresql" else []:
        op.execute(statement)
