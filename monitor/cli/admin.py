"""The maintenance command groups: `config validate` and `db upgrade`."""

from __future__ import annotations

import click

from monitor.cli.app import cli
from monitor.cli.options import GlobalOptions, global_options


@cli.group("config")
def config_group() -> None:
    """Inspect the config file."""


@config_group.command("validate")
@global_options
@click.pass_obj
def config_validate(options: GlobalOptions) -> None:
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
def db_upgrade(options: GlobalOptions) -> None:
    """Upgrade the database schema to the newest Alembic revision (run and once do it on start too).

    \b
    Example:
      MONITOR_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test monitor db upgrade
    """
    from monitor.store import upgrade_database

    config = options.config()
    upgrade_database(config.database_url)
    click.echo("database is at the newest schema")
