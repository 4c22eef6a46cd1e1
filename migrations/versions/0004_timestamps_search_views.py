"""One timestamp format: UTC published/modified dates (offset kept in its own column) and fetch times to
the second; a datasette-visible FTS table; the headline_changes view; recent_changes gains the old title.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from monitor.store.timestamps import utc_timestamp

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# datasette finds the FTS table of `versions` by the literal `content="versions"` in its SQL (double quotes);
# 0002 wrote content='versions', so `?_search=` silently matched every row.
SQLITE_FTS = [
    "DROP TRIGGER IF EXISTS versions_fts_update",
    "DROP TRIGGER IF EXISTS versions_fts_delete",
    "DROP TRIGGER IF EXISTS versions_fts_insert",
    "DROP TABLE IF EXISTS versions_fts",
    """CREATE VIRTUAL TABLE versions_fts USING fts5(
        title, body, content="versions", content_rowid="id", tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER versions_fts_insert AFTER INSERT ON versions BEGIN
        INSERT INTO versions_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER versions_fts_delete AFTER DELETE ON versions BEGIN
        INSERT INTO versions_fts(versions_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    # Only a change of the indexed text touches the index (the date conversion below does not).
    """CREATE TRIGGER versions_fts_update AFTER UPDATE OF title, body ON versions BEGIN
        INSERT INTO versions_fts(versions_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO versions_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    "INSERT INTO versions_fts(versions_fts) VALUES ('rebuild')",
]

RECENT_CHANGES = """
CREATE VIEW recent_changes AS
SELECT c.id AS change_id, c.detected_at, c.kind, a.site, a.url, c.version, v.title, c.fields, c.summary,
       c.minor, c.article_id, previous.title AS old_title
FROM changes c
JOIN articles a ON a.id = c.article_id
LEFT JOIN versions v ON v.article_id = c.article_id AND v.version = c.version
LEFT JOIN versions previous ON previous.article_id = c.article_id AND previous.version = c.version - 1
ORDER BY c.detected_at DESC, c.id DESC
"""

OLD_RECENT_CHANGES = """
CREATE VIEW recent_changes AS
SELECT c.id AS change_id, c.detected_at, c.kind, a.site, a.url, c.version, v.title, c.fields, c.summary,
       c.minor, c.article_id
FROM changes c
JOIN articles a ON a.id = c.article_id
LEFT JOIN versions v ON v.article_id = c.article_id AND v.version = c.version
ORDER BY c.detected_at DESC, c.id DESC
"""

HEADLINE_CHANGES = """
CREATE VIEW headline_changes AS
SELECT a.id AS article_id, a.site, a.url, v.version, previous.title AS old_title, v.title AS new_title,
       v.fetched_at AS changed_at
FROM versions v
JOIN versions previous ON previous.article_id = v.article_id AND previous.version = v.version - 1
JOIN articles a ON a.id = v.article_id
WHERE COALESCE(previous.title, '') <> COALESCE(v.title, '')
"""

_BATCH = 1000


def upgrade() -> None:
    bind = op.get_bind()
    # Plain ALTER TABLE ADD COLUMN (no batch copy): the FTS triggers and the views on versions stay intact.
    op.add_column("versions", sa.Column("published_offset", sa.String(6)))
    op.add_column("versions", sa.Column("modified_offset", sa.String(6)))
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_FTS[:4]:
            op.execute(statement)
    _dates_to_utc(bind)
    # fetches.started_at had milliseconds (`...:12.345Z`), unlike every other timestamp: one format everywhere
    op.execute(
        "UPDATE fetches SET started_at = substr(started_at, 1, 19) || 'Z' "
        "WHERE length(started_at) > 20 AND started_at LIKE '%Z'"
    )
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_FTS[4:]:
            op.execute(statement)
    op.execute("DROP VIEW IF EXISTS recent_changes")
    op.execute(RECENT_CHANGES)
    op.execute(HEADLINE_CHANGES)


def _dates_to_utc(bind: sa.Connection) -> None:
    """Rewrite every stored published_at/modified_at that carries an offset as UTC, keeping the offset."""
    versions = sa.table(
        "versions",
        sa.column("id", sa.Integer),
        sa.column("published_at", sa.String),
        sa.column("modified_at", sa.String),
        sa.column("published_offset", sa.String),
        sa.column("modified_offset", sa.String),
    )
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(versions.c.id, versions.c.published_at, versions.c.modified_at)
            .where(versions.c.id > last_id)
            .order_by(versions.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for version_id, published_at, modified_at in rows:
            published_utc, published_offset = utc_timestamp(published_at)
            modified_utc, modified_offset = utc_timestamp(modified_at)
            if published_offset or modified_offset:
                bind.execute(
                    sa.update(versions)
                    .where(versions.c.id == version_id)
                    .values(
                        published_at=published_utc,
                        modified_at=modified_utc,
                        published_offset=published_offset,
                        modified_offset=modified_offset,
                    )
                )
        last_id = rows[-1][0]


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS headline_changes")
    op.execute("DROP VIEW IF EXISTS recent_changes")
    op.execute(OLD_RECENT_CHANGES)
    # The dates stay in UTC (the same instants); only the offset columns go.
    op.drop_column("versions", "modified_offset")
    op.drop_column("versions", "published_offset")
