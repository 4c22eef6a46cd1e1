"""Database bytes per stored version and per fetch, and a projected size (issue 18, capacity of one daemon).

Serves real story texts (the gold bodies and titles of ../shared/data/extraction/scrapinghub, 181 news
stories, each `--copies` times) as simulated WordPress-theme sites on 127.0.0.2-5 and runs the real CLI:
`monitor once` (first sights), then `--edits` rounds that append a sentence to every story followed by
`monitor once --all` (a new version and a change with its diff each), then `--unchanged` rounds of
`once --all` over unedited pages (fetch-log rows only). Then it measures every table and index: SQLite
through the `dbstat` virtual table (bytes of the pages each one uses), PostgreSQL (after a VACUUM, as
autovacuum leaves it) through pg_total_relation_size (table, TOAST and indexes) and pg_relation_size of the
full-text index. Prints bytes per version (story text, full-text index, changes with their diffs, the rest)
and per fetch-log row, then the size of 500 sites x 100 new stories a day x 30 days under the default
recheck schedule (every story fetched about 100 times in its first 30 days).

Usage: python benchmarks/bench_storage.py [--edits 2] [--unchanged 2] [--copies 3] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.config import DEFAULT_RECHECKS  # noqa: E402
from monitor.newsite import NewsSite, Story, WordPressTheme, serve_many  # noqa: E402
from testbed.configs import once_events as once  # noqa: E402
from testbed.configs import site_entry, write_config  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "extraction" / "scrapinghub"
HOSTS = 4
# What each table holds, for the per-version breakdown (everything else is "other").
GROUPS = {
    "versions": "story text (versions)",
    "versions_fts": "full-text index",
    "ix_versions_fulltext": "full-text index",
    "changes": "changes and diffs",
    "fetches": "fetch log",
}


def stories(copies: int) -> list[Story]:
    """Each gold story `copies` times (other slugs): more rows, so fixed per-table costs weigh less."""
    index = [json.loads(line) for line in (DATA / "index.jsonl").read_text().splitlines()] * copies
    result = []
    for number, entry in enumerate(index):
        text = (DATA / "gold" / f"{entry['id']}.txt").read_text(encoding="utf-8")
        paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
        if len(paragraphs) < 2:
            continue
        title = entry.get("title") or " ".join(paragraphs[0].split()[:10])
        result.append(
            Story(
                slug=f"story-{number}",
                title=title,
                byline="Staff",
                published=f"2026-11-{1 + number % 28:02d}T08:00:00+00:00",
                paragraphs=paragraphs,
            )
        )
    return result


def recheck_interval_count(age_limit_s: float = 30 * 86400) -> int:
    """How often the default schedule fetches a story in its first 30 days (each step: under / every)."""
    fetches, since = 1, 0.0  # the first sight
    for step in DEFAULT_RECHECKS:
        until = min(step.under, age_limit_s)
        fetches += max(0, int((until - since) // step.every))
        since = until
    return fetches


def table_bytes(engine: sa.Engine) -> dict[str, int]:
    """Bytes each table and index takes, by name (an index or TOAST table counted with its table on
    PostgreSQL, except the full-text index, listed by its own name)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").all()
            sizes: dict[str, int] = {}
            for name, size in rows:
                table = connection.exec_driver_sql(
                    "SELECT tbl_name FROM sqlite_master WHERE name = ?", (name,)
                ).scalar()
                key = "versions_fts" if str(name).startswith("versions_fts") else str(table or name)
                sizes[key] = sizes.get(key, 0) + int(size)
            return sizes
        names = connection.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).scalars()
        sizes = {
            name: int(connection.exec_driver_sql(f"SELECT pg_total_relation_size('{name}')").scalar() or 0)
            for name in names
        }
        fulltext = int(
            connection.exec_driver_sql("SELECT pg_relation_size('ix_versions_fulltext')").scalar() or 0
        )
        sizes["versions"] -= fulltext
        sizes["ix_versions_fulltext"] = fulltext
        return sizes


def counts(engine: sa.Engine) -> tuple[int, int, int, int, int]:
    with engine.connect() as connection:
        return tuple(  # type: ignore[return-value]
            int(connection.exec_driver_sql(query).scalar() or 0)
            for query in (
                "SELECT COUNT(*) FROM versions",
                "SELECT COUNT(*) FROM fetches",
                "SELECT COUNT(*) FROM articles",
                "SELECT COALESCE(SUM(LENGTH(body)), 0) FROM versions",
                "SELECT COALESCE(SUM(LENGTH(diff)), 0) FROM changes",
            )
        )


def measure(database_url: str, workdir: Path, edits: int, unchanged: int, copies: int) -> None:
    texts = stories(copies)
    sites = [NewsSite(name=f"Storage {n}", theme=WordPressTheme()) for n in range(HOSTS)]
    for number, story in enumerate(texts):
        sites[number % HOSTS].add(story)
    with serve_many([(site, f"127.0.0.{2 + n}") for n, site in enumerate(sites)]) as bases:
        entries = [site_entry(base, name=f"storage-{n}") for n, base in enumerate(bases)]
        config = write_config(workdir, entries, database=database_url, respect_robots=False)
        once(config)
        for round_number in range(edits):
            for story in texts:
                story.paragraphs[-1] += f" Update {round_number + 1}: the officials answered questions later."
            once(config, "--all")
        for _ in range(unchanged):
            once(config, "--all")
    engine = sa.create_engine(database_url)
    if engine.dialect.name == "postgresql":  # what autovacuum does in time: GIN's pending list merged
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    try:
        report(engine)
    finally:
        engine.dispose()


def report(engine: sa.Engine) -> None:
    version_count, fetch_count, story_count, body_chars, diff_chars = counts(engine)
    sizes = table_bytes(engine)
    grouped: dict[str, int] = {}
    for name, size in sizes.items():
        label = GROUPS.get(name, "other tables and indexes")
        grouped[label] = grouped.get(label, 0) + size
    total = sum(sizes.values())
    print(
        f"{engine.dialect.name}: {story_count} stories, {version_count} versions, "
        f"{fetch_count} fetch-log rows; "
        f"story text {body_chars / version_count:.0f} chars and diff {diff_chars / version_count:.0f} chars "
        f"per version; {total / 1e6:.1f} MB in all"
    )
    fetch_bytes = grouped.pop("fetch log", 0)
    per_version = {label: size / version_count for label, size in grouped.items()}
    for label, share in sorted(per_version.items(), key=lambda item: -item[1]):
        print(f"    {label:<28} {share:>9.0f} bytes per version")
    print(f"    {'= all but the fetch log':<28} {sum(per_version.values()):>9.0f} bytes per version")
    per_fetch = fetch_bytes / fetch_count
    print(f"    {'fetch log':<28} {per_fetch:>9.0f} bytes per fetch")
    project(sum(per_version.values()), per_fetch)


def project(per_version: float, per_fetch: float) -> None:
    """500 sites x 100 new stories a day x 30 days, each story fetched as the default schedule asks."""
    stories_total = 500 * 100 * 30
    fetches_per_story = recheck_interval_count()
    # After 30 days every day brings 50,000 new stories and about as many fetches as they get in 30 days.
    fetches_per_day = 500 * 100 * fetches_per_story
    print(
        f"    projection: {stories_total:,} stories, {fetches_per_story} fetches each in their first 30 days"
        f" ({fetches_per_day / 1e6:.2f} M fetches a day)"
    )
    for versions_per_story in (1.0, 1.5, 3.0):
        stored = stories_total * versions_per_story * per_version
        logs = [fetches_per_day * days * per_fetch for days in (30, 7)]
        print(
            f"      {versions_per_story:.1f} versions a story: {stored / 1e9:.1f} GB of stories + "
            f"a fetch log of {logs[0] / 1e9:.1f} GB (retention.fetch_log: 30d) = "
            f"{(stored + logs[0]) / 1e9:.1f} GB, "
            f"or {logs[1] / 1e9:.1f} GB (7d) = {(stored + logs[1]) / 1e9:.1f} GB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=2, help="rounds of an edit of every story")
    parser.add_argument("--unchanged", type=int, default=2, help="rounds of unchanged rechecks")
    parser.add_argument("--copies", type=int, default=3, help="copies of each gold story (other slugs)")
    parser.add_argument("--postgres", default=None, help="also on this PostgreSQL URL (a scratch schema)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(
            f"sqlite:///{Path(folder) / 'storage.db'}", Path(folder), args.edits, args.unchanged, args.copies
        )
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(args.postgres)
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        separator = "&" if "?" in args.postgres else "?"
        try:
            with tempfile.TemporaryDirectory() as folder:
                url = f"{args.postgres}{separator}options=-csearch_path%3D{schema}"
                measure(url, Path(folder), args.edits, args.unchanged, args.copies)
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()


if __name__ == "__main__":
    main()
