"""What every `monitor` command shares: the global options (before or after the command name) and the
read-only database access of the reporting commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from monitor.errors import DatabaseUnavailableError

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")
_Command = TypeVar("_Command", bound=Callable[..., Any])


class GlobalOptions:
    """The global options of one invocation; a value given after the command replaces the one before it."""

    def __init__(self, config_path: str, log_format: str, log_level: str) -> None:
        self.config_path = config_path
        self.log_format = log_format
        self.log_level = log_level

    def config(self) -> Any:
        from monitor.config import load_config

        return load_config(self.config_path)

    def configure_logging(self) -> None:
        from monitor.report import configure_logging

        configure_logging(self.log_format, self.log_level)


def _override(attribute: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(context: click.Context, _parameter: click.Parameter, value: Any) -> None:
        if value is None:
            return
        options = context.find_object(GlobalOptions)
        if options is None:
            return
        setattr(options, attribute, value)
        if attribute != "config_path":
            options.configure_logging()

    return callback


def global_options(command: _Command) -> _Command:
    """Accept --config, --log-format and --log-level after the command name too, listed in its help."""
    decorators = [
        click.option(
            "--config",
            type=click.Path(dir_okay=False),
            expose_value=False,
            callback=_override("config_path"),
            help="Config file (env MONITOR_CONFIG; default ./config.yaml).",
        ),
        click.option(
            "--log-format",
            type=click.Choice(LOG_FORMATS),
            expose_value=False,
            callback=_override("log_format"),
            help="text (default) or json: one JSON object per line.",
        ),
        click.option(
            "--log-level",
            type=click.Choice(LOG_LEVELS, case_sensitive=False),
            expose_value=False,
            callback=_override("log_level"),
            help="debug, info (default), warning or error.",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def open_for_reading(database_url: str) -> Any:
    """A Store on an existing database at the newest schema; reading never creates or upgrades it."""
    from sqlalchemy.engine import make_url

    from monitor.store import Store
    from monitor.store.engine import HEAD_REVISION, current_revision

    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database))
        if not path.is_file():
            raise DatabaseUnavailableError(
                f"no database at {path} yet: `monitor once` or `monitor run` creates it "
                "(`monitor db upgrade` makes an empty one)"
            )
    store = Store(database_url)
    revision = current_revision(store.engine)
    if revision != HEAD_REVISION:
        store.engine.dispose()
        where = f"at schema revision {revision}" if revision else "not a monitor database (no schema)"
        raise DatabaseUnavailableError(
            f"the database {parsed.render_as_string(hide_password=True)} is {where}; "
            f"run `monitor db upgrade` to bring it to {HEAD_REVISION}"
        )
    return store
