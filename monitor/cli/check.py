"""`monitor check`: fetch (or read) one page and print what extraction and the article gate make of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from monitor.cli.app import cli, echo_line
from monitor.cli.options import GlobalOptions, global_options
from monitor.errors import ConfigError
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
    """Fetch (or read) one page as its site's pass would, and print what extraction and the gate make of it.

    \b
    Example:
      monitor check https://example.com/2025/10/15/story/
      monitor check --file page.html --url https://example.com/story/ --json
    """
    from dataclasses import asdict

    from monitor import verdicts
    from monitor.pipeline.inspect import check_page

    if not page_file and not url:
        raise click.UsageError("give a URL or --file PAGE.html")
    config = _config_or_none(options)
    page_bytes = Path(page_file).read_bytes() if page_file else None
    checked = check_page(config, page_url or url, page_bytes)
    article = checked.article
    recorded = verdicts.recorded_verdict(config, page_url or url)
    site_name = checked.site.name if checked.site else None
    if as_json:
        output = {
            **asdict(article),
            "gate": verdicts.verdict_json(checked.verdict, recorded),
            "site": site_name,
            "skipped_because": checked.skipped_because,
        }
        click.echo(safe_json(json.dumps(output, ensure_ascii=False, indent=2)))
        return
    for label in ("title", "byline", "published", "modified", "canonical_url", "language", "section"):
        echo_line(f"{label + ':':<15}{getattr(article, label) or ''}")
    echo_line(f"{'site:':<15}{site_name or '(no configured site)'}")
    if checked.skipped_because:
        echo_line(f"{'discovery:':<15}skips this URL: {checked.skipped_because}")
    for line in verdicts.verdict_lines(checked.verdict, recorded):
        echo_line(line)
    click.echo("")
    click.echo(safe_text(article.text))


def _config_or_none(options: GlobalOptions) -> Any:
    """The config when there is a valid one: `check` works without it."""
    try:
        return options.config()
    except ConfigError:
        return None
