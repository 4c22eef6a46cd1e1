"""`monitor check`: fetch (or read) one page and print what extraction and the article gate make of it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import click

from monitor.cli.app import cli, echo_line
from monitor.cli.options import GlobalOptions, global_options
from monitor.errors import ConfigError, MonitorError
from monitor.terminal import safe_json, safe_text


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
    options: GlobalOptions, url: str | None, page_file: str | None, page_url: str | None, as_json: bool
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
        echo_line(f"{label + ':':<15}{getattr(article, label) or ''}")
    for line in verdicts.verdict_lines(found, recorded):
        echo_line(line)
    click.echo("")
    click.echo(safe_text(article.text))


def _config_or_none(options: GlobalOptions) -> Any:
    """The config when there is a valid one: `check` works without it."""
    try:
        return options.config()
    except ConfigError:
        return None


def _fetch_one(options: GlobalOptions, url: str) -> str:
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
