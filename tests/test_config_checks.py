"""Config checks a new user (or a bad edit) runs into: every problem is one sentence with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError
from tests.conftest import run_monitor

_SITE = "sites:\n  - name: a\n    start_urls: [https://a.example/]\n"

CASES = [
    pytest.param(
        _SITE + "sites:\n  - name: b\n    start_urls: [https://b.example/]\n",
        "sites: given twice (lines 1 and 4); keep one",
        id="duplicate-top-level-key",
    ),
    pytest.param(
        _SITE + "    interval: 5m\n    interval: 1h\n",
        "sites[0].interval: given twice (lines 4 and 5); keep one",
        id="duplicate-site-key",
    ),
    pytest.param("", "the file is empty: it needs at least one site under `sites:`", id="empty-file"),
    pytest.param(
        "# nothing here yet\n\n",
        "the file is empty: it needs at least one site under `sites:`",
        id="comments",
    ),
    pytest.param(
        "database: sqlite:///x.db\n",
        "sites: no sites configured; add at least one under `sites:`",
        id="no-sites",
    ),
    pytest.param(
        "sites: []\n", "sites: no sites configured; add at least one under `sites:`", id="empty-sites"
    ),
    pytest.param(
        _SITE.replace(
            "[https://a.example/]", "[https://a.example/, 'http://bad host/', 'https://a.example:99999/']"
        ),
        "sites[0].start_urls[1]: 'http://bad host/' has no valid host, line 3",
        id="host-with-space",
    ),
    pytest.param(
        _SITE.replace(
            "[https://a.example/]", "[https://a.example/, 'http://bad host/', 'https://a.example:99999/']"
        ),
        "sites[0].start_urls[2]: 'https://a.example:99999/' is not a valid URL "
        "(Port out of range 0-65535), line 3",
        id="port-out-of-range",
    ),
    pytest.param(
        _SITE + "    allowed_domains: [a.example, 'https://www.a.example/news/']\n",
        "sites[0].allowed_domains[1]: 'https://www.a.example/news/' is a URL, not a domain; "
        "write 'www.a.example', line 4",
        id="allowed-domain-as-url",
    ),
    pytest.param(
        "defaults:\n  interval: .inf\n" + _SITE,
        "defaults.interval: expected a finite number, got inf, line 2",
        id="infinite-interval",
    ),
    pytest.param(
        "defaults:\n  host_delay: .nan\n" + _SITE,
        "defaults.host_delay: expected a finite number, got nan, line 2",
        id="nan-delay",
    ),
    pytest.param(
        _SITE + "    max_bytes: .inf\n",
        "sites[0].max_bytes: expected a finite number, got inf, line 4",
        id="infinite-number",
    ),
    pytest.param(
        _SITE + "    interval: 99999999d\n",
        "sites[0].interval: a duration must be at most 3650d, got '99999999d', line 4",
        id="duration-beyond-the-calendar",
    ),
    pytest.param(
        "extract_workers: lots\n" + _SITE,
        "extract_workers: expected a whole number or 'auto', got 'lots', line 1",
        id="union-in-one-sentence",
    ),
    pytest.param(
        _SITE + "    enabled: maybe\n",
        "sites[0].enabled: expected true or false, got 'maybe', line 4",
        id="bool",
    ),
    pytest.param(
        "sites: " + "[" * 5000 + "]" * 5000 + "\n",
        "the YAML is nested too deeply (more than 20 levels)",
        id="deep-nesting",
    ),
    pytest.param(
        _SITE + "    include_only: true\n",
        "sites[0]: include_only: true needs at least one `include` pattern, line 2",
        id="include-only-without-patterns",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_bad_config_is_one_plain_sentence(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert expected in caught.value.errors
    for error in caught.value.errors:
        for internal in ("constrained-int", "literal[", "valid tuple", "function-after", "Input should"):
            assert internal not in error


def test_invalid_utf8_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"sites:\n  - name: caf\xe9\n    start_urls: [https://a.example/]\n")
    completed = run_monitor("--config", str(path), "config", "validate")
    assert completed.returncode == 2
    assert "line 2: the file is not valid UTF-8 (byte 0xe9); save it as UTF-8" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_deep_nesting_is_a_config_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("sites: " + "[" * 50_000 + "]" * 50_000 + "\n")
    completed = run_monitor("--config", str(path), "config", "validate")
    assert completed.returncode == 2
    assert "nested too deeply" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_an_empty_config_stops_run_before_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("# sites will go here\n")
    completed = run_monitor("--config", str(path), "run", timeout=60)
    assert completed.returncode == 2
    assert "the file is empty" in completed.stderr
