"""The commands that run something: `run` (the daemon), `once` (one pass), `serve` (web pages), `demo`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import click

from monitor.cli.app import cli
from monitor.cli.options import GlobalOptions, global_options

if TYPE_CHECKING:
    from monitor.store import Store


@cli.command()
@click.option("--metrics-port", type=int, help="Serve Prometheus metrics on 127.0.0.1:PORT/metrics.")
@global_options
@click.pass_obj
def run(options: GlobalOptions, metrics_port: int | None) -> None:
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
def once(options: GlobalOptions, site_names: tuple[str, ...], recheck_all: bool) -> None:
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
    _refuse_beside_daemons(store)

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


def _refuse_beside_daemons(store: Store) -> None:
    """`once` does not join the daemons sharing a PostgreSQL database: beside them it would fetch the hosts
    they own, outside their politeness, and race them on the same stories."""
    from monitor.errors import MonitorError
    from monitor.store.leases import live_members

    names = live_members(store.engine)
    if names:
        store.close()
        raise MonitorError(
            f"{len(names)} monitor daemon(s) are running on this database ({', '.join(names)}): they share "
            "its hosts, and `monitor once` would fetch them beside the daemons, outside their pacing. Stop "
            "them first, or use `monitor check URL` to look at one page"
        )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port.")
@click.pass_obj
def serve(options: GlobalOptions, host: str, port: int) -> None:
    """Read-only web pages (changes, stories with word-level diffs, search, sites) and Atom feeds.

    \b
    Example:
      monitor serve --port 8080   # then open http://127.0.0.1:8080/
    """
    from monitor.web.serve import serve as serve_pages

    serve_pages(options.config().database_url, host=host, port=port)


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
