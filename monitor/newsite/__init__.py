"""A simulated news site on 127.0.0.x: stories and pages as data (stories.py), what the site answers
(site.py), its feed, sitemap and robots.txt (feeds.py), page markup themes (wordpress.py, courier.py, the
plain one in site.py) and the servers (server.py). The demo, the tests and the benchmarks all use it."""

from monitor.newsite.courier import CourierTheme
from monitor.newsite.plain import PlainTheme
from monitor.newsite.server import SiteServer, serve_many
from monitor.newsite.site import LAST_MODIFIED, NewsSite, Response, Theme
from monitor.newsite.stories import Page, Story
from monitor.newsite.wordpress import WordPressTheme

__all__ = [
    "LAST_MODIFIED",
    "CourierTheme",
    "NewsSite",
    "Page",
    "PlainTheme",
    "Response",
    "SiteServer",
    "Story",
    "Theme",
    "WordPressTheme",
    "serve_many",
]
