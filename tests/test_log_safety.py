"""Log injection (issue 16, item 6): user-controlled text is escaped for the terminal and capped in text and
JSON logs and in CLI output, checked on the formatters and on the real CLI against a loopback site."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from pathlib import Path

from monitor.report import JsonFormatter, TextFormatter
from monitor.terminal import MAX_FIELD_CHARS, safe_line
from testbed import fault_server as fs
from testbed.fault_server import FaultServer
from tests.conftest import run_monitor, write_config

# Characters a terminal acts on: C0 (ESC, BEL, CR...), DEL, C1 (U+009B is a one-byte CSI), bidi controls.
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
TITLE_ATTACK = "Officials \x1b]0;pwned\x07announce \u009b2J a \u202eplan\u202c"
JOURNALD_LINE_LIMIT = 48 * 1024


def event_record(event: str, **fields: object) -> logging.LogRecord:
    record = logging.LogRecord("monitor.events", logging.INFO, __file__, 1, "%s", (event,), None)
    record.event = event
    record.fields = fields
    return record


def test_text_log_lines_escape_every_control_character() -> None:
    line = TextFormatter().format(
        event_record("story.changed", site="s", url="http://x/\x1b[2J", title=TITLE_ATTACK, version=2,
                     fields=["title"], summary="title \u009b31m")
    )  # fmt: skip
    assert not RAW_CONTROL.search(line)
    assert "\\u001b]0;pwned\\u0007" in line and "\\u009b2J" in line and "\\u202eplan" in line
    assert "\n" not in line


def test_json_log_lines_escape_c1_and_bidi_and_keep_the_text() -> None:
    line = JsonFormatter().format(event_record("story.new", site="s", url="http://x/", title=TITLE_ATTACK))
    assert not RAW_CONTROL.search(line)
    assert json.loads(line)["title"] == TITLE_ATTACK


def test_long_fields_are_capped_with_a_marker_in_both_formats() -> None:
    title = "word " * 20_000  # 100 KB
    for formatter in (TextFormatter(), JsonFormatter()):
        line = formatter.format(
            event_record("story.new", site="s", url="http://x/" + "a" * 50_000, title=title)
        )
        assert len(line.encode()) < JOURNALD_LINE_LIMIT / 4
        assert "more characters]" in line
    assert safe_line("x" * (MAX_FIELD_CHARS + 10)).endswith("…[10 more characters]")


def test_the_real_cli_never_prints_raw_control_characters(tmp_path: Path) -> None:
    story = "/2025/10/15/officials-announce-a-new-water-plan/"
    attack_link = "/2025/10/16/council-votes-\x1b]0;pwned\x07-on-the-budget/"
    paragraph = "<p>Officials announced on Tuesday a new plan for the city's water supply, after months.</p>"
    listing = (
        f'<a href="{story}">A headline with enough words</a><a href="{attack_link}">Another one here</a>'
    )
    with FaultServer() as server:
        server.route("/", fs.html(f"<html><body>{listing}</body></html>"))
        server.route(
            story,
            fs.html(
                f"<html><head><title>{TITLE_ATTACK}</title></head><body><article><h1>{TITLE_ATTACK}</h1>"
                f"{paragraph * 5}</article></body></html>"
            ),
        )
        config = write_config(tmp_path, [{"name": "attack", "start_urls": [server.url("/")]}])
        passed = run_monitor("--config", str(config), "--log-format", "text", "once")
        assert passed.returncode == 0, passed.stderr
        with sqlite3.connect(tmp_path / "monitor.db") as connection:
            [(stored_title,)] = connection.execute("SELECT title FROM versions").fetchall()
        assert "\u009b" in stored_title  # stored as the site wrote it: only output is escaped
        assert "NEW" in passed.stderr and "FAILED" in passed.stderr
        outputs = [passed.stderr]
        for command in (["changes"], ["changes", "--json"], ["history", server.url(story)], ["status"]):
            shown = run_monitor("--config", str(config), *command)
            assert shown.returncode == 0, shown.stderr
            outputs.append(shown.stdout + shown.stderr)
    for output in outputs:
        assert not RAW_CONTROL.search(output), output
    assert "\\u009b2J" in outputs[1]  # `changes` shows the title, escaped
