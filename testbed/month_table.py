"""Writes monitor/extraction/month_names.py, the CLDR month- and weekday-name table locale_dates reads
instead of loading 26 locales from babel in every process (tests/test_month_table.py checks it)."""

from __future__ import annotations

from pathlib import Path

from monitor.extraction.locale_dates import LOCALES, cldr_day_names, cldr_month_numbers

MONTH_TABLE = Path(__file__).resolve().parents[1] / "monitor" / "extraction" / "month_names.py"


def write_month_table(path: Path = MONTH_TABLE) -> None:
    """Write month_names.py from cldr_month_numbers() (`python -m testbed.month_table`)."""
    import babel

    by_number: dict[int, list[str]] = {}
    for name, number in cldr_month_numbers().items():
        by_number.setdefault(number, []).append(name)
    table = "\n".join(
        row for number, names in sorted(by_number.items()) for row in _rows(names, f"{number} ")
    )
    days = "\n".join(_rows(sorted(cldr_day_names())))
    path.write_text(
        MONTH_TABLE_TEMPLATE.format(
            babel=babel.__version__, locales=" ".join(LOCALES), table=table, days=days
        )
    )


def _rows(names: list[str], prefix: str = "") -> list[str]:
    """The names joined by "|" in rows of about 100 characters, each row opening with `prefix`."""
    rows, row = [], ""
    for name in names:
        if row and len(prefix) + len(row) + len(name) > 100:
            rows.append(prefix + row)
            row = ""
        row += f"{'|' if row else ''}{name}"
    return [*rows, prefix + row]


MONTH_TABLE_TEMPLATE = '''"""CLDR month and weekday names of locale_dates.LOCALES as babel {babel} gives them.

Loading 26 locales from babel costs ~0.2 s of CPU in every process that reads a date: this table is read
instead while babel and LOCALES are the ones it was made from. Written by `python -m testbed.month_table`.
"""

BABEL_VERSION = "{babel}"
LOCALES = "{locales}"

# "<month number> <name>|<name>|..."
_TABLE = """
{table}
"""


# weekday names, wide and abbreviated, "|"-separated
_DAYS = """
{days}
"""


def day_names() -> frozenset[str]:
    return frozenset("|".join(_DAYS.split()).split("|"))


def month_numbers() -> dict[str, int]:
    names: dict[str, int] = {{}}
    for row in _TABLE.strip().splitlines():
        number, _space, row_names = row.partition(" ")
        names.update(dict.fromkeys(row_names.split("|"), int(number)))
    return names
'''


if __name__ == "__main__":
    write_month_table()
