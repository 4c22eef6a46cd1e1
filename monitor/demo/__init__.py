"""`monitor demo`: watch a small local news site change, without internet access.

A `Newsroom` publishes a story every few seconds and edits one the daemon has already read (a rewritten
paragraph, an appended update, a new headline), its stories drawn from the templates in stories.py.
`DemoSite` serves its simulated news site (monitor.newsite, the Courier theme) on 127.0.0.1 (a free port): a
front page, section pages, an RSS feed and article pages in realistic news markup (menus, share bar, related
links, newsletter box, footer). `run_demo()` writes a temporary config and
SQLite database and runs the real daemon (`monitor.daemon.Daemon`) against the site, so NEW and CHANGED
lines appear within seconds; it stops at the given duration or on Ctrl-C and prints how to explore the
database.
"""

from monitor.demo.command import demo_config, run_demo, write_demo_config
from monitor.demo.newsroom import Edition, Newsroom
from monitor.demo.site import DemoSite
from monitor.demo.stories import SITE_NAME, Template

__all__ = [
    "SITE_NAME",
    "DemoSite",
    "Edition",
    "Newsroom",
    "Template",
    "demo_config",
    "run_demo",
    "write_demo_config",
]
