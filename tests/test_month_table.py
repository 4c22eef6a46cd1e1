"""The shipped CLDR month-name table (monitor/extraction/month_names.py) is what babel gives, and is used only
for the babel it was made from."""

from __future__ import annotations

import pytest

from monitor.extraction import locale_dates, month_names


def test_the_table_is_what_babel_gives() -> None:
    # When this fails after a babel upgrade: `python -m testbed.month_table` rewrites the table.
    assert month_names.month_numbers() == locale_dates.cldr_month_numbers()
    assert month_names.day_names() == locale_dates.cldr_day_names()
    assert {"freitag", "do", "samstag", "monday", "vendredi"} <= locale_dates.day_names()


def test_another_babel_reads_its_own_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(month_names, "BABEL_VERSION", "0.0-other")
    monkeypatch.setattr(month_names, "month_numbers", lambda: {"nonsense": 1})
    locale_dates.month_numbers.cache_clear()
    try:
        names = locale_dates.month_numbers()
        assert names == locale_dates.cldr_month_numbers()
        assert names["oktober"] == 10 and names["avril"] == 4 and "nonsense" not in names
    finally:
        locale_dates.month_numbers.cache_clear()
