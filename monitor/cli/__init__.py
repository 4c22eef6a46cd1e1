"""The `monitor` command line: the click group and entry point (app.py) with one module per command group.

`monitor.cli:main` is the console entry point; importing the package registers every command.
"""

from monitor.cli import admin, check, reports, running
from monitor.cli.app import cli, main

__all__ = ["admin", "check", "cli", "main", "reports", "running"]
