"""The package's layout rules: a light `--help`, no imports of tests or benchmarks, small files, events."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from monitor.report import _LABELS, Event

PACKAGE = Path(__file__).resolve().parent.parent / "monitor"
MAX_LINES = 400
# Files over MAX_LINES, each at most as long as it is now: they may shrink, never grow. None today: the
# redesign split cli.py, config.py, demo.py and fetch/client.py, and issue 14 extraction/body.py and
# extraction/rules.py (issue 11).
OVER_THE_LIMIT_TODAY: dict[str, int] = {}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_a_sqlite_process_never_imports_the_postgresql_dialect() -> None:
    # the store, its schema and the pipeline as `monitor once` on SQLite loads them: SQLAlchemy's PostgreSQL
    # dialect costs ~25 ms of every start-up, so only a process that talks to PostgreSQL may import it
    code = (
        "import sys, monitor.store, monitor.store.schema, monitor.pipeline\n"
        "print('sqlalchemy' in sys.modules, 'sqlalchemy.dialects.postgresql' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "False"]


def test_help_imports_nothing_from_extraction() -> None:
    code = (
        "import runpy, sys\n"
        "sys.argv = ['monitor', '--help']\n"
        "try:\n"
        "    runpy.run_module('monitor', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('monitor')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported = result.stdout.strip().splitlines()[-1]
    assert "monitor.cli" in imported  # the command really ran
    assert "monitor.extraction" not in imported
    assert (
        "selectolax"
        not in subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "monitor", "--help"], capture_output=True, text=True
        ).stderr
    )


def imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_imports_tests_or_benchmarks() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name for name in imported_names(path) if name.split(".")[0] in ("tests", "benchmarks")
        )
        for path in modules()
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_import_scan_sees_imports() -> None:
    assert "monitor.extraction" in imported_names(PACKAGE / "pipeline" / "runtime.py")


def test_files_stay_small() -> None:
    sizes = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in modules()
    }
    too_long = {
        name: lines for name, lines in sizes.items() if lines > OVER_THE_LIMIT_TODAY.get(name, MAX_LINES)
    }
    assert too_long == {}
    assert all(name in sizes for name in OVER_THE_LIMIT_TODAY)  # a file that went away leaves the list


def test_every_event_has_a_label_and_is_emitted() -> None:
    assert set(_LABELS) == set(Event)
    elsewhere = "\n".join(path.read_text(encoding="utf-8") for path in modules() if path.name != "report.py")
    # report.py's own helpers (story_new() and the like) emit some events for their callers
    report_text = (PACKAGE / "report.py").read_text(encoding="utf-8")
    by_helpers = set(re.findall(r"(?:emit\(|event: str = )Event\.(\w+)", report_text))
    never = [
        event.value
        for event in Event
        if event.name not in by_helpers
        and f"Event.{event.name}" not in elsewhere
        and f'"{event.value}"' not in elsewhere
    ]
    assert never == []


def test_tests_and_benchmarks_do_not_import_each_other() -> None:
    root = PACKAGE.parent
    crossings = {
        str(path.relative_to(root)): sorted(
            name for name in imported_names(path) if name.split(".")[0] == other
        )
        for folder, other in (("tests", "benchmarks"), ("benchmarks", "tests"), ("testbed", "tests"))
        for path in sorted((root / folder).rglob("*.py"))
    }
    crossings.update(
        {
            str(path.relative_to(root)): sorted(
                name for name in imported_names(path) if name.split(".")[0] == "benchmarks"
            )
            for path in sorted((root / "testbed").rglob("*.py"))
        }
    )
    assert {path: names for path, names in crossings.items() if names} == {}
