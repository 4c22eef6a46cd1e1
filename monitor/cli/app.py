"""The `monitor` click group and the console entry point; turns MonitorError into a clean message and a
non-zero exit. The commands live in the modules beside this one (monitor.cli imports them all).

Heavy modules (httpx, SQLAlchemy, selectolax) are imported inside the commands so `monitor --help` stays fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from monitor.cli.options import GlobalOptions, open_for_reading
from monitor.errors import ConfigError, DatabaseUnavailableError, MonitorError
from monitor.terminal import safe_line, safe_text

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


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
    context.obj = GlobalOptions(config_path, log_format, log_level)
    context.obj.configure_logging()


def echo_line(line: str) -> None:
    """One line of command output, user-controlled text in it escaped for the terminal (issue 16)."""
    click.echo(safe_line(line, limit=sys.maxsize))


def read_only_store(options: GlobalOptions) -> Any:
    """The database for a read-only command: never created or upgraded here."""
    return open_for_reading(options.config().database_url)


def main() -> None:
    """Console entry point: clean messages for expected errors, exit 2 for config errors, 1 for others."""
    _without_trio()
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


def _without_trio() -> None:
    """httpcore imports trio whenever it is installed (selenium, a test dependency, brings it) so that it
    can run under a trio event loop; monitor runs on asyncio only, and that import cost ~60 ms of CPU of
    every command. A None in sys.modules makes `import trio` fail as if it were not installed."""
    sys.modules.setdefault("trio", None)  # type: ignore[arg-type]
