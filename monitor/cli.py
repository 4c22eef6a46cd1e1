"""The `monitor` command line; turns MonitorError into a clean message and a non-zero exit.

Heavy modules (httpx, SQLAlchemy, selectolax) are imported inside the commands so `monitor --help` stays fast.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import timedelta
from typing import Any

import click

from monitor.cli_messages import check_site_names, explain_search_error, one_line
from monitor.cli_options import GlobalOptions, global_options, open_for_reading
from monitor.errors import ConfigError, DatabaseUnavailableError, MonitorError
from monitor.terminal import safe_json, safe_line, safe_text

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


_Options = GlobalOptions


@click.group(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--config",
    "config_path",
    envvar="MONITOR_CONFIG",
    default="config.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Config file (env MONITOR_CONFIG).",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one readable line per event; json: one JSON object per line.",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    default="info",
    show_default=True,
)
@click.version_option(package_name="monitor")
@click.pass_context
def cli(context: click.Context, config_path: str, log_format: str, log_level: str) -> None:
    """Watch news sites and keep an exact, queryable history of every story and every edit.

    \b
    Example:
      monitor once                      # one pass over every site in ./config.yaml
      monitor run                       # the daemon (SIGTERM/SIGINT to stop, SIGHUP to reload)
      monitor changes --since 24h       # what was published or edited today
    """
    context.obj = _Options(config_path, log_format, log_level)
    context.obj.configure_logging()


@cli.command()
@click.option("--metrics-port", type=int, help="Serve Prometheus metrics on 127.0.0.1:PORT/metrics.")
@global_options
@click.pass_obj
def run(options: _Options, metrics_port: int | None) -> None:
    """Run the daemon: check every site at its interval and recheck tracked stories by age.

    Stops cleanly on SIGINT/SIGTERM (in-flight checks finish first), reloads the config when the file changes
    or on SIGHUP, and keeps the last good config when an edit is invalid.

    \b
    Example:
      monitor --config /etc/monitor/config.yaml --log-format json run --metrics-port 9464
    """
    from monitor.daemon import Daemon

    if metrics_port is not None:
        from monitor import metrics

        metrics.serve(metrics_port)

    daemon = Daemon(options.config())
    asyncio.run(daemon.run())


@cli.command()
@click.option("--site", "site_names", multiple=True, help="Only this site (repeatable).")
@click.option(
    "--all", "recheck_all", is_flag=True, help="Recheck every tracked story, whatever its schedule."
)
@global_options
@click.pass_obj
def once(options: _Options, site_names: tuple[str, ...], recheck_all: bool) -> None:
    """One full pass over all (or the named) sites, then exit.

    Listing pages, feeds and sitemaps are read, new stories fetched and stored, and tracked stories
    that are due are rechecked. Exits 0 when the pass completed, even if some fetches failed (they are
    logged and recorded).

    \b
    Example:
      monitor once --site example-news --all
    """
    from monitor.pipeline import Runtime, run_pass, selected_sites
    from monitor.report import emit, event_count
    from monitor.store import Store

    config = options.config()
    sites = selected_sites(config, site_names)
    store = Store(config.database_url)
    store.upgrade()

    async def one_pass() -> Any:
        runtime = Runtime(config, store)
        try:
            return await run_pass(runtime, sites, recheck_all=recheck_all)
        finally:
            await runtime.aclose()

    failures_before = event_count("fetch.failed")
    try:
        result = asyncio.run(one_pass())
    finally:
        store.close()
    failed_fetches = event_count("fetch.failed") - failures_before
    emit(
        "pass.done",
        sites=len(sites),
        links=result.links,
        new=result.new,
        changed=result.changed,
        unchanged=result.unchanged,
        removed=result.removed,
        failed=max(result.failed, failed_fetches),  # fetches that failed after retries, sources included
    )


@cli.command()
@click.argument("url", required=False)
@click.option(
    "--file", "page_file", type=click.Path(exists=True, dir_okay=False), help="Read this HTML file."
)
@click.option("--url", "page_url", help="The page's URL when reading --file (resolves relative links).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@global_options
@click.pass_obj
def check(
    options: _Options, url: str | None, page_file: str | None, page_url: str | None, as_json: bool
) -> None:
    """Fetch (or read) one page and print what extraction yields.

    \b
    Example:
      monitor check https://example.com/2025/10/15/story/
      monitor check --file page.html --url https://example.com/story/ --json
    """
    from dataclasses import asdict

    from monitor.extraction import extract

    if page_file:
        with open(page_file, "rb") as handle:
            html: str | bytes = handle.read()
        article = extract(html, url=page_url or url)
    elif url:
        article = extract(_fetch_one(options, url), url=url)
    else:
        raise click.UsageError("give a URL or --file PAGE.html")
    from monitor import verdicts

    config = _config_or_none(options)
    page_address = page_url or url
    found = verdicts.current_verdict(article, page_address, verdicts.site_of(config, page_address))
    recorded = verdicts.recorded_verdict(config, page_address)
    if as_json:
        output = {**asdict(article), "gate": verdicts.verdict_json(found, recorded)}
        click.echo(safe_json(json.dumps(output, ensure_ascii=False, indent=2)))
        return
    for label in ("title", "byline", "published", "modified", "canonical_url", "language", "section"):
        _echo_line(f"{label + ':':<15}{getattr(article, label) or ''}")
    for line in verdicts.verdict_lines(found, recorded):
        _echo_line(line)
    click.echo("")
    click.echo(safe_text(article.text))


def _config_or_none(options: _Options) -> Any:
    """The config when there is a valid one: `check` works without it."""
    try:
        return options.config()
    except ConfigError:
        return None


def _fetch_one(options: _Options, url: str) -> str:
    from monitor.config import DEFAULT_USER_AGENT
    from monitor.fetch import Fetcher, FetchSettings

    try:
        user_agent = options.config().defaults.user_agent
    except ConfigError:
        user_agent = DEFAULT_USER_AGENT

    async def fetch() -> Any:
        async with Fetcher(FetchSettings(user_agent=user_agent)) as fetcher:
            return await fetcher.fetch(url, kind="page")

    page = asyncio.run(fetch())
    if not page.ok:
        raise MonitorError(f"{url}: {page.error} {page.error_detail}".strip())
    return str(page.text)


@cli.group("config")
def config_group() -> None:
    """Inspect the config file."""


@config_group.command("validate")
@global_options
@click.pass_obj
def config_validate(options: _Options) -> None:
    """Validate the config; exit 2 with every error, each naming its location.

    \b
    Example:
      monitor --config config.yaml config validate
    """
    config = options.config()
    click.echo(f"{config.path}: OK, {len(config.sites)} site(s), database {config.database_url}")


@cli.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@global_options
@click.pass_obj
def db_upgrade(options: _Options) -> None:
    """Upgrade the database schema to the newest Alembic revision (run and once do it on start too).

    \b
    Example:
      MONITOR_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test monitor db upgrade
    """
    from monitor.store import upgrade_database

    config = options.config()
    upgrade_database(config.database_url)
    click.echo("database is at the newest schema")


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
    options: _Options,
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
    store = _store(options)
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
            _echo_line(
                f"{row.detected_at}  {row.kind.upper():<8} {row.site}  "
                f"{json.dumps(row.title or '', ensure_ascii=False)}  {row.url}{summary}"
            )


@cli.command()
@click.argument("url")
@global_options
@click.pass_obj
def history(options: _Options, url: str) -> None:
    """The versions of one story.

    \b
    Example:
      monitor history https://example.com/2025/10/15/story/
    """
    story, story_versions = _story(options, url)
    next_recheck = story["next_check_at"] or "never (past its last recheck step)"
    _echo_line(
        f"{story['url']}  ({story['site']}, {story['status']}, first seen {story['first_seen_at']}, "
        f"next recheck {next_recheck})"
    )
    for version in story_versions:
        summary = version["summary"] or ("first version" if version["version"] == 1 else "")
        _echo_line(
            f"  v{version['version']}  {version['fetched_at']}  "
            f"{json.dumps(version['title'] or '', ensure_ascii=False)}  {summary}"
        )


@cli.command()
@click.argument("url")
@click.option("--from", "from_version", type=int, help="Older version (default: the one before --to).")
@click.option("--to", "to_version", type=int, help="Newer version (default: the latest).")
@click.option("--color/--no-color", default=None, help="Colour (default: when writing to a terminal).")
@global_options
@click.pass_obj
def diff(
    options: _Options, url: str, from_version: int | None, to_version: int | None, color: bool | None
) -> None:
    """A readable diff between two versions of a story.

    \b
    Example:
      monitor diff https://example.com/2025/10/15/story/ --from 1 --to 3
    """
    from monitor import compare
    from monitor.models import Article

    _story_row, story_versions = _story(options, url)
    by_number = {version["version"]: version for version in story_versions}
    newest = to_version or max(by_number)
    oldest = from_version or max((number for number in by_number if number < newest), default=newest)
    for number in (oldest, newest):
        if number not in by_number:
            raise MonitorError(f"{url} has no version {number} (versions: {sorted(by_number)})")

    def as_snapshot(version: dict[str, Any]) -> Any:
        return compare.snapshot(
            Article(
                title=version["title"],
                byline=version["byline"],
                published=version["published_at"],
                modified=version["modified_at"],
                text=version["body"],
            )
        )

    comparison = compare.compare(as_snapshot(by_number[oldest]), as_snapshot(by_number[newest]))
    use_color = sys.stdout.isatty() if color is None else color
    _echo_line(f"v{oldest} -> v{newest}: {comparison.summary or 'no difference'}")
    if comparison.diff:
        click.echo(compare.render_diff(safe_text(comparison.diff), color=use_color))


def _story(options: _Options, url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from monitor.store.lookup import nearest_story_url
    from monitor.store.queries import story_versions

    store = _store(options)
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
def status(options: _Options, as_json: bool) -> None:
    """Per-site health: last success and error, failures, stories per day, completeness, staleness.

    \b
    Example:
      monitor status
    """
    from monitor.cli_messages import add_schedule
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
        add_schedule(rows, config, next_rechecks(store.engine), now)
    finally:
        store.close()
    if not rows:
        click.echo("no site has been checked yet: run `monitor once` or `monitor run`", err=True)
    if as_json:
        for row in rows:
            click.echo(safe_json(json.dumps(row, default=str)))
        return
    header = (
        f"{'site':<24}{'last success':<22}{'fails':>6}{'stories':>9}{'/day':>7}{'changes':>9}{'complete':>10}"
    )
    click.echo(header + f"  {'next check':<22}{'next recheck':<22}last error")
    for row in rows:
        share = f"{row['complete_share']:.0%}" if row["complete_share"] is not None else "-"
        stale = "  STALE" if row["stale"] else ""
        _echo_line(
            f"{row['name']:<24}{row['last_success_at'] or 'never':<22}{row['consecutive_failures']:>6}"
            f"{row['articles']:>9}{row['stories_per_day']:>7}{row['changes']:>9}{share:>10}  "
            f"{row['next_check_at'] or '-':<22}{row['next_recheck_at'] or '-':<22}"
            f"{(row['last_error'] or '')[:60]}{stale}"
        )
    _echo_notify_status(options)


@cli.command()
@click.argument("query")
@click.option("--site", "site_names", multiple=True, help="Only this site (repeatable).")
@click.option("--limit", default=20, show_default=True, help="At most this many results.")
@click.option("--all-versions", is_flag=True, help="Search every stored version, not only the current text.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@global_options
@click.pass_obj
def search(
    options: _Options, query: str, site_names: tuple[str, ...], limit: int, all_versions: bool, as_json: bool
) -> None:
    """Full-text search over story titles and bodies (SQLite FTS5 syntax: words, "phrases", OR, NOT, prefix*).

    \b
    Example:
      monitor search '"rare earth" AND Pakistan' --limit 5
    """
    from sqlalchemy.exc import OperationalError

    from monitor.store.queries import search_versions

    store = _store(options)
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
            _echo_line(
                f"{hit.site}  v{hit.version}  {json.dumps(hit.title or '', ensure_ascii=False)}  {hit.url}"
            )
            _echo_line(f"    {one_line(hit.snippet)}")
    if not hits and not as_json:
        click.echo(safe_line(f"no story matches {query!r}"), err=True)


def _echo_line(line: str) -> None:
    """One line of command output, user-controlled text in it escaped for the terminal (issue 16)."""
    click.echo(safe_line(line, limit=sys.maxsize))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port.")
@click.pass_obj
def serve(options: _Options, host: str, port: int) -> None:
    """Read-only web pages (changes, stories with word-level diffs, search, sites) and Atom feeds.

    \b
    Example:
      monitor serve --port 8080   # then open http://127.0.0.1:8080/
    """
    from monitor.web.serve import serve as serve_pages

    serve_pages(options.config().database_url, host=host, port=port)


def _echo_notify_status(options: _Options) -> None:
    from monitor.notify.report import notify_status_lines

    store = _store(options)
    try:
        for line in notify_status_lines(store.engine):
            click.echo(line)
    finally:
        store.close()


def _store(options: _Options) -> Any:
    """The database for a read-only command: never created or upgraded here."""
    return open_for_reading(options.config().database_url)


@cli.command()
@click.option(
    "--duration",
    type=click.FloatRange(min=1),
    help="Stop after this many seconds (default: run until Ctrl-C).",
)
@click.option(
    "--keep-db",
    type=click.Path(dir_okay=False),
    help="Keep the demo's SQLite database at this path (its config beside it) instead of a temporary one.",
)
@global_options
def demo(duration: float | None, keep_db: str | None) -> None:
    """Offline demo: a local news site that publishes and edits stories, watched by the real daemon.

    NEW and CHANGED lines appear within seconds; the --config file is not used.

    \b
    Example:
      monitor demo --duration 60 --keep-db demo.db
    """
    from pathlib import Path

    from monitor.demo import run_demo

    run_demo(duration_s=duration, keep_db=Path(keep_db) if keep_db else None)


def main() -> None:
    """Console entry point: clean messages for expected errors, exit 2 for config errors, 1 for others."""
    try:
        cli.main(standalone_mode=False, prog_name="monitor")
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except ConfigError as error:
        click.echo(safe_text(f"config error: {error}"), err=True)
        sys.exit(2)
    except DatabaseUnavailableError as error:
        click.echo(safe_text(f"error: {error}"), err=True)
        sys.exit(2)
    except MonitorError as error:
        click.echo(safe_text(f"error: {error}"), err=True)
        sys.exit(1)
