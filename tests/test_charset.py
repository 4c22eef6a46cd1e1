"""The one decoder (monitor/charset.py): the same bytes give the same story through `check --file` and
through the daemon, whatever charset the page is in or claims."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.charset import decode_html, encoding_of
from monitor.newsite import NewsSite, Page, PlainTheme, SiteServer
from testbed.configs import write_config

PATH = "/news/2026/11/20/council-budget/"


def story_page(title: str, byline: str, paragraph: str, meta_charset: str) -> str:
    paragraphs = "".join(
        f"<p>{paragraph} Paragraph {number} of the story goes on for a while.</p>" for number in range(4)
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="{meta_charset}"><title>{title}</title>'
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2026-11-20T09:00:00Z"}'
        f'</script></head><body><article><h1>{title}</h1><p class="byline">By {byline}</p>{paragraphs}'
        "</article></body></html>"
    )


CASES = {
    # GB2312 is read as its superset GB18030 (WHATWG): 0xA1AA is an em dash, not a horizontal bar
    "gb2312-meta": (
        story_page(
            "市议会通过预算—全文", "王小明", "市议会周四通过了新的预算方案—这是多年来的第一次。", "gb2312"
        ),
        "gb18030",
    ),
    # ISO-8859-1 means windows-1252 on the web: 0x93/0x94 are curly quotes, 0x80 the euro sign
    "latin1-meta": (
        story_page(
            "Council backs “€4m” budget",
            "Zoë Brontë",
            "The council said “yes” to the €4m plan.",
            "iso-8859-1",
        ),
        "cp1252",
    ),
    "cp1251-meta": (
        story_page(
            "Совет утвердил бюджет",
            "Анна Петрова",
            "Совет в четверг утвердил новый бюджет города.",
            "windows-1251",
        ),
        "cp1251",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_file_and_the_daemon_store_the_same_story_for_the_same_bytes(case: str, tmp_path: Path) -> None:
    from monitor.cli import cli as monitor_cli

    text, encoding = CASES[case]
    payload = text.encode(encoding)
    assert encoding_of(payload) == encoding and decode_html(payload) == text
    page_file = tmp_path / "page.html"
    page_file.write_bytes(payload)
    site = NewsSite(theme=PlainTheme())
    site.add(Page(PATH, "Council budget", payload, content_type="text/html"))  # no charset in the header
    with SiteServer(site) as server:
        url = f"{server.base_url}{PATH}"
        config = write_config(
            tmp_path, [{"name": "legacy", "start_urls": [f"{server.base_url}/"], "include": ["/news/"]}]
        )
        once = CliRunner().invoke(monitor_cli, ["--config", str(config), "once"], catch_exceptions=False)
        assert once.exit_code == 0, once.output
    checked = CliRunner().invoke(
        monitor_cli, ["--config", str(config), "check", "--file", str(page_file), "--url", url, "--json"]
    )
    assert checked.exit_code == 0, checked.output
    from_file = json.loads(checked.output)
    with sqlite3.connect(tmp_path / "monitor.db") as connection:
        stored = connection.execute("SELECT title, byline, published_at, body FROM versions").fetchall()
    assert stored == [(from_file["title"], from_file["byline"], "2026-11-20T09:00:00Z", from_file["text"])]
    title = text.split("<title>")[1].split("</title>")[0]
    byline = text.split('"byline">By ')[1].split("</p>")[0]
    assert (from_file["title"], from_file["byline"]) == (title, byline)
    assert "\ufffd" not in from_file["text"]


def test_valid_utf8_wins_over_a_legacy_label_and_mostly_utf8_keeps_utf8() -> None:
    mislabelled = '<meta charset="iso-8859-1"><p>Información general, Zoë</p>'.encode()
    damaged = '<meta charset="utf-8"><p>Mäscot das Schaf, Vögel, schön</p>'.encode() + b"\xe4 <p>end</p>"
    legacy = '<meta charset="utf-8"><p>Café crème, déjà vu</p>'.encode("cp1252")  # a CMS lying about cp1252
    assert (
        decode_html(mislabelled, "iso-8859-1") == '<meta charset="iso-8859-1"><p>Información general, Zoë</p>'
    )
    assert decode_html(damaged).startswith(
        '<meta charset="utf-8"><p>Mäscot das Schaf, Vögel, schön</p>\ufffd'
    )
    assert encoding_of(legacy) == "cp1252"
