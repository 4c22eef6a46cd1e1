"""A small real archive for the web and feed tests: the fixture site read by `monitor once`, then edited
(headline, byline, body) and read again, so the database holds real new and changed events."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from testbed.configs import REPO_ROOT, run_monitor, site_entry, write_config
from testbed.newsite import SiteServer, sample_site
from testbed.webhook_receiver import free_port

SCRIPT_TITLE = '<script>alert("owned")</script> Mayor <b>resigns</b>'
EDITED_TITLE = "Story number 1: officials unveil a bold new plan"
INSERTED_SENTENCE = "Late on Tuesday the council added a surprising clause about bicycles."


def build_archive(directory: Path, *, database: str | None = None) -> Path:
    """Run the real CLI over the fixture site twice, with edits in between; returns the config path."""
    site = sample_site(3)
    stories = list(site.stories.values())
    stories[0].title = SCRIPT_TITLE
    with SiteServer(site) as server:
        config = write_config(directory, [site_entry(server.base_url)], database=database)
        first = run_monitor("--config", str(config), "once")
        assert first.returncode == 0, first.stderr
        stories[1].title = EDITED_TITLE
        stories[1].paragraphs[1] = stories[1].paragraphs[1].replace("transport", "rail transport")
        stories[1].paragraphs.insert(2, INSERTED_SENTENCE)
        stories[2].byline = "Jane Reporter and Sam Editor"
        second = run_monitor("--config", str(config), "once", "--all")
        assert second.returncode == 0, second.stderr
    return config


@contextmanager
def serving(config: Path) -> Iterator[str]:
    """`monitor serve` as a real process on a free port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "serve", "--port", str(port)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"monitor serve did not start: {process.stderr and process.stderr.read()}"
                )
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
