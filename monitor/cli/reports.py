"""The reporting commands over the stored history: `changes`, `history`, `diff`, `status`, `search`."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING

import click

from monitor.cli.app import cli, echo_line, read_only_store
from monitor.cli.messages import check_site_names, explain_search_error, one_line
from monitor.cli.options import GlobalOptions, global_options, open_for_reading
from monitor.errors import MonitorError
from monitor.terminal import safe_json, safe_line, safe_text

if TYPE_CHECKING:
    from monitor.store.rows import StoryRow, VersionRow


@cli.command()
@click.option("--since", default="24h", show_default=True, help="How far back: 30m, 24h, 7d ...")
@click.option("--site", "site_names", multiple=True, help="Only this site (repeatable).")
@click.option("--minor", "include_minor", is_flag=True, help="Also list minor (date-only) changes.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@global_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "atom"]),
    help="atom: an Atom feed with each change's diff (newest 500), e.g. for static hosting.",
)
@click.pass_obj
def changes(
    options: GlobalOptions,
    since: str,
    site_names: tuple[str, ...],
    include_minor: bool,
    as_json: bool,
    output_format: str | None,
) -> None:
    """Recent new, changed and removed stories.

    \b
    Example:
      monitor changes --since 7d --site example-news --json
      monitor changes --since 7d --format atom > changes.atom
    """
    from monitor.clock import to_iso, utc_now
    from monitor.config import parse_duration
    from monitor.store.queries import recent_changes

    try:
        since_s = parse_duration(since)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--since") from None
    as_json = as_json or output_format == "json"
    store = read_only_store(options)
    try:
        check_site_names(store.engine, site_names)
        if output_format == "atom":
            from monitor.web.atom import changes_feed

            feed = changes_feed(
                store.engine,
                since=to_iso(utc_now() - timedelta(seconds=since_s)),
                site_names=site_names,
                include_minor=include_minor,
            )
            click.echo(feed.decode("utf-8"), nl=False)
            return
        rows = recent_changes(
            store.engine,
            since=to_iso(utc_now() - timedelta(seconds=since_s)),
            site_names=list(site_names) or None,
            include_minor=include_minor,
        )
    finally:
        store.close()
    if not rows:
        where = f" for {', '.join(site_names)}" if site_names else ""
        click.echo(safe_line(f"no changes in the last {since}{where}"), err=True)
    for row in rows:
        if as_json:
            click.echo(
                safe_json(
                    json.dumps(
                        {
                            "detected_at": row.detected_at,
                            "kind": row.kind,
                            "site": row.site,
                            "url": row.url,
                            "version": row.version,
                            "title": row.title,
                            "fields": row.fields.split(",") if row.fields else [],
                            "summary": row.summary,
                            "minor": bool(row.minor),
                        },
                        ensure_ascii=False,
                    )
                )
            )
        else:
            summary = f"  v{row.version}: {row.summary}" if row.kind == "changed" and row.summary else ""
            echo_line(
                f"{row.detected_at}  {row.kind.upper():<8} {row.site}  "
                f"{json.dumps(row.title or '', ensure_ascii=False)}  {row.url}{summary}"
            )


@cli.command()
@click.argument("url")
@global_options
@click.pass_obj
def history(options: GlobalOptions, url: str) -> None:
    """The versions of one story.

    \b
    Example:
      monitor history https://example.com/2025/10/15/story/
    """
    story, story_versions = _story(options, url)
    next_recheck = story.next_check_at or "never (past its last recheck step)"
    echo_line(
        f"{story.url}  ({story.site}, {story.status}, first seen {story.first_seen_at}, "
        f"next recheck {next_recheck})"
    )
    for version in story_versions:
        summary = version.summary or ("first version" if version.version == 1 else "")
        echo_line(
            f"  v{version.version}  {version.fetched_at}  "
            f"{json.dumps(version.title or '', ensure_ascii=False)}  {summary}"
        )


@cli.command()
@click.argument("url")
@click.option("--from", "from_version", type=int, help="Older version (default: the one before --to).")
@click.option("--to", "to_version", type=int, help="Newer version (default: the latest).")
@click.option("--color/--no-color", default=None, help="Colour (default: when writing to a terminal).")
@global_options
@click.pass_obj
def diff(
    options: GlobalOptions, url: str, from_version: int | None, to_version: int | None, color: bool | None
) -> None:
    """A readable diff between two versions of a story.

    \b
    Example:
      monitor diff https://example.com/2025/10/15/story/ --from 1 --to 3
    """
    from monitor import compare

    _story_row, story_versions = _story(options, url)
    by_number = {version.version: version for version in story_versions}
    newest = to_version or max(by_number)
    oldest = from_version or max((number for number in by_number if number < newest), default=newest)
    for number in (oldest, newest):
        if number not in by_number:
            raise MonitorError(f"{url} has no version {number} (versions: {sorted(by_number)})")

    comparison = compare.compare(
        compare.snapshot(by_number[oldest].as_article()), compare.snapshot(by_number[newest].as_article())
    )
    use_color = sys.stdout.isatty() if color is None else color
    echo_line(f"v{oldest} -> v{newest}: {comparison.summary or 'no difference'}")
    if comparison.diff:
        click.echo(compare.render_diff(safe_text(comparison.diff), color=use_color))


def _story(options: GlobalOptions, url: str) -> tuple[StoryRow, list[VersionRow]]:
    from monitor.store.lookup import nearest_story_url
    from monitor.store.queries import story_versions

    store = read_only_store(options)
    try:
        found = story_versions(store.engine, url)
        nearest = nearest_story_url(store.engine, url) if found is None else None
    finally:
        store.close()
    suggestion = f"; did you mean {nearest}?" if nearest else ""
    if found is None:
        raise MonitorError(f"{url} is not a tracked story{suggestion}")
    return found


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per site.")
@global_options
@click.pass_obj
def status(options: GlobalOptions, as_json: bool) -> None:
    """Per-site health: last success and error, failures, stories per day, completeness, staleness.

    \b
    Example:
      monitor status
    """
    from monitor.cli.messages import with_schedule
    from monitor.clock import to_iso, utc_now
    from monitor.store.queries import next_rechecks, site_status

    config = options.config()
    store = open_for_reading(config.database_url)
    now = utc_now()
    try:
        rows = site_status(
            store.engine,
            since_day=to_iso(now - timedelta(days=1)),
            since_week=to_iso(now - timedelta(days=7)),
        )
        rows = with_schedule(rows, config, next_rechecks(store.engine), now)
    finally:
        store.close()
    if not rows:
        click.echo("no site has been checked yet: run `monitor once` or `monitor run`", err=True)
    if as_json:
        for row in rows:
            click.echo(safe_json(json.dumps(asdict(row), default=str)))
        _echo_members(options, as_json)
        return
    header = (
        f"{'site':<24}{'last success':<22}{'fails':>6}{'stories':>9}{'/day':>7}{'changes':>9}{'complete':>10}"
    )
    click.echo(header + f"  {'next check':<22}{'next recheck':<22}last error")
    for row in rows:
        share = f"{row.complete_share:.0%}" if row.complete_share is not None else "-"
        stale = "  STALE" if row.stale else ""
        echo_line(
            f"{row.name:<24}{row.last_success_at or 'never':<22}{row.consecutive_failures:>6}"
            f"{row.articles:>9}{row.stories_per_day:>7}{row.changes:>9}{share:>10}  "
            f"{row.next_check_at or '-':<22}{row.next_recheck_at or '-':<22}"
            f"{(row.last_error or '')[:60]}{stale}"
        )
    _echo_notify_status(options)
    _echo_members(options, as_json)


@cli.command()
@click.argument("query")
@click.option("--site", "site_names", multiple=True, help="Only this site (repeatable).")
@click.option("--limit", default=20, show_default=True, help="At most this many results.")
@click.option("--all-versions", is_flag=True, help="Search every stored version, not only the current text.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@global_options
@click.pass_obj
def search(
    options: GlobalOptions,
    query: str,
    site_names: tuple[str, ...],
    limit: int,
    all_versions: bool,
    as_json: bool,
) -> None:
    """Full-text search over story titles and bodies (SQLite FTS5 syntax: words, "phrases", OR, NOT, prefix*).

    \b
    Example:
      monitor search '"rare earth" AND Pakistan' --limit 5
    """
    from sqlalchemy.exc import OperationalError

    from monitor.store.queries import search_versions

    store = read_only_store(options)
    try:
        check_site_names(store.engine, site_names)
        hits = search_versions(
            store.engine, query, limit=limit, site_names=list(site_names) or None, all_versions=all_versions
        )
    except OperationalError as error:
        raise MonitorError(explain_search_error(query, str(error.orig))) from None
    finally:
        store.close()
    for hit in hits:
        if as_json:
            click.echo(
                safe_json(
                    json.dumps(
                        {
                            "site": hit.site,
                            "url": hit.url,
                            "version": hit.version,
                            "fetched_at": hit.fetched_at,
                            "title": hit.title,
                            "snippet": one_line(hit.snippet),
                        },
                        ensure_ascii=False,
                    )
                )
            )
        else:
            echo_line(
                f"{hit.site}  v{hit.version}  {json.dumps(hit.title or '', ensure_ascii=False)}  {hit.url}"
            )
            echo_line(f"    {one_line(hit.snippet)}")
    if not hits and not as_json:
        click.echo(safe_line(f"no story matches {query!r}"), err=True)


def _echo_members(options: GlobalOptions, as_json: bool) -> None:
    """Several daemons on one PostgreSQL database: each member, its heartbeat and its hosts."""
    from monitor.store.leases import member_rows

    store = read_only_store(options)
    try:
        members, free_hosts = member_rows(store.engine)
    finally:
        store.close()
    if as_json:
        for member in members:
            click.echo(safe_json(json.dumps(member, default=str)))
        return
    if not members:
        return
    click.echo(
        f"\n{'member':>6}  {'name':<28}{'heartbeat':>10}  {'hosts':>6}{'claims':>8}{'releases':>9}"
        f"{'refused writes':>16}{'refused fetches':>17}"
    )
    for member in members:
        age = f"{member['heartbeat_age_s']:.1f}s ago" if member["live"] else "expired"
        echo_line(
            f"{member['member']:>6}  {member['name'][:27]:<28}{age:>10}  {member['hosts_owned']:>6}"
            f"{member['claims']:>8}{member['releases']:>9}{member['refused_writes']:>16}"
            f"{member['refused_fetches']:>17}"
        )
    click.echo(f"hosts without a live owner: {free_hosts}")


def _echo_notify_status(options: GlobalOptions) -> None:
    from monitor.notify.report import notify_status_lines

    store = read_only_store(options)
    try:
        for line in notify_status_lines(store.engine):
            click.echo(line)
    finally:
        store.close()
