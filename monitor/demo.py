"""`monitor demo`: watch a small local news site change, without internet access.

A `Newsroom` publishes a story every few seconds and edits one the daemon has already read (a rewritten
paragraph, an appended update, a new headline). `DemoSite` serves it on 127.0.0.1 (a free port) with the
stdlib http.server in a thread: a front page, section pages, an RSS feed and article pages in realistic news
markup (menus, share bar, related links, newsletter box, footer). `run_demo()` writes a temporary config and
SQLite database and runs the real daemon (`monitor.daemon.Daemon`) against the site, so NEW and CHANGED
lines appear within seconds; it stops at the given duration or on Ctrl-C and prints how to explore the
database.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import shlex
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from monitor.config import Config, load_config
from monitor.errors import MonitorError

log = logging.getLogger(__name__)

SITE_NAME = "demo-news"
SITE_TITLE = "The Riverton Courier"
CHECK_EVERY_S = 3  # site interval, recheck interval and recheck job period of the demo daemon
TICK_S = 4.0  # the newsroom publishes and edits this often
INITIAL_STORIES = 3
FRONT_PAGE_STORIES = 15
DRAIN_TIMEOUT_S = 5.0
CONFIG_MARKER = "# monitor demo config"
SECTIONS = ("local", "business", "politics", "science", "sport")


@dataclass(frozen=True)
class Template:
    """A story the newsroom can publish, with the edits it can later make to it."""

    section: str
    byline: str
    title: str
    revised_title: str
    paragraphs: tuple[str, ...]
    revised_paragraph: str  # replaces paragraphs[1]


TEMPLATES = (
    Template(
        "local",
        "Maya Okafor",
        "Riverton council approves new bridge over the Alder",
        "Riverton council approves $48m bridge over the Alder after late-night vote",
        (
            "Riverton's city council voted 7-2 on Tuesday night to build a second road bridge over the "
            "Alder River, ending a debate that has run for more than a decade.",
            "The bridge is expected to cost about $40 million and to open to traffic in 2029.",
            "Supporters said the crossing would cut commuting times from the east bank by up to twenty "
            "minutes and take lorries out of the old town centre.",
            "Opponents warned that the project would swallow most of the city's road budget for years and "
            "called for a referendum before construction begins.",
        ),
        "The bridge is now expected to cost $48 million, up from an earlier estimate of $40 million, and "
        "to open to traffic in 2030.",
    ),
    Template(
        "business",
        "Daniel Reyes",
        "Harbour bakery chain to open twelve new shops",
        "Harbour bakery chain to open twelve shops and hire 150 staff",
        (
            "Harbour Bakeries, the family-owned chain founded in Riverton in 1962, said on Wednesday that it "
            "would open twelve new shops across the region by the end of next year.",
            "The company did not say how many people it would hire.",
            "Chief executive Lena Harbour said strong sales of its sourdough range had paid for the "
            "expansion without new borrowing.",
            "The first of the new shops is due to open in the Millbrook shopping centre in the spring.",
        ),
        "The company said the expansion would create about 150 jobs, most of them full-time.",
    ),
    Template(
        "politics",
        "Priya Natarajan",
        "Mayor proposes free buses for residents under 18",
        "Mayor's free bus plan for under-18s faces council budget test",
        (
            "Mayor Tom Aldridge proposed on Thursday that every Riverton resident under 18 should ride the "
            "city's buses for free from September.",
            "The scheme would cost an estimated $2.1 million a year, to be paid from parking revenue.",
            "Youth groups welcomed the plan, saying the cost of travel kept many teenagers away from sports "
            "clubs and evening classes.",
            "The proposal will be debated by the council's transport committee next month.",
        ),
        "City finance officers put the cost at $3.4 million a year, well above the mayor's estimate, and "
        "said parking revenue alone would not cover it.",
    ),
    Template(
        "science",
        "Hannah Lindqvist",
        "University team finds rare orchid in Alder valley",
        "Rare ghost orchid found in Alder valley for first time in 70 years",
        (
            "Botanists from Riverton University have found a colony of ghost orchids in woodland in the "
            "upper Alder valley, the first confirmed sighting in the region in decades.",
            "The team counted eleven flowering plants in a small clearing.",
            "The ghost orchid has no green leaves and lives off fungi in the soil, which makes it one of the "
            "hardest wild plants to find.",
            "The exact location is being kept secret to protect the plants from collectors.",
        ),
        "The team counted fourteen flowering plants in two small clearings, and expects to find more.",
    ),
    Template(
        "sport",
        "Sam Whitaker",
        "Riverton Rovers reach regional cup final",
        "Rovers reach regional cup final with stoppage-time winner",
        (
            "Riverton Rovers beat Eastfield Athletic 2-1 on Saturday to reach the regional cup final for the "
            "first time since 2011.",
            "Striker Jonah Mbeki scored both goals for the home side.",
            "A crowd of more than 4,000 watched the match at Mill Lane, the ground's biggest attendance this "
            "season.",
            "The final will be played at the county stadium on the first Saturday of May.",
        ),
        "Striker Jonah Mbeki scored both goals, the second deep into stoppage time after Eastfield had "
        "equalised from the penalty spot.",
    ),
    Template(
        "local",
        "Maya Okafor",
        "Flood defences on east bank to be raised",
        "East bank flood walls to be raised by a metre after winter floods",
        (
            "The regional water authority will raise the flood walls along Riverton's east bank after three "
            "floods in the past two winters.",
            "Work is due to start in June and to take about eighteen months.",
            "Residents of the Quayside estate, which was flooded twice last year, have been promised "
            "temporary barriers until the work is finished.",
            "The authority said it would hold a public meeting at the Quayside community hall next week.",
        ),
        "Work on the walls, which will rise by about a metre, is due to start in June and to take about "
        "eighteen months.",
    ),
    Template(
        "business",
        "Daniel Reyes",
        "Former textile mill to become tech hub",
        "Former Alder textile mill to become tech hub with 300 desks",
        (
            "The derelict Alder textile mill, empty since 1998, is to be turned into offices for technology "
            "start-ups under plans approved on Monday.",
            "The developer said the building would offer space for about 200 people.",
            "The mill's chimney and weaving hall, both listed buildings, will be restored as part of the "
            "project.",
            "The first tenants are expected to move in early next year.",
        ),
        "The developer said the building would offer 300 desks, a café and a public exhibition about the "
        "mill's history.",
    ),
    Template(
        "politics",
        "Priya Natarajan",
        "School meals contract goes to local supplier",
        "School meals contract goes to local supplier after parents' campaign",
        (
            "Riverton's schools will buy their meals from a local catering co-operative from next term, the "
            "education board said on Friday.",
            "The three-year contract is worth about $5 million.",
            "The board said the co-operative had promised to use produce from farms within fifty miles of "
            "the city wherever possible.",
            "The previous supplier, a national catering group, did not bid for the new contract.",
        ),
        "The three-year contract is worth about $5 million and was awarded after a campaign by parents "
        "who collected more than 3,000 signatures.",
    ),
)

EDIT_KINDS = {
    "paragraph": "rewrote the second paragraph",
    "update": "appended an update",
    "headline": "changed the headline",
}

UPDATES = (
    "The council said a full report would be published on its website later today.",
    "A spokesperson declined to comment further when contacted by the Courier.",
    "This story has been updated with a response from the regional authority.",
    "Readers can send questions about the plan to the Courier's newsdesk.",
)


@dataclass
class Story:
    number: int
    template: Template
    slug: str
    title: str
    published: datetime
    paragraphs: list[str]
    modified: datetime | None = None
    edits: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _slug(title: str) -> str:
    words = "".join(char if char.isalnum() else " " for char in title.lower()).split()
    return "-".join(words[:8])


class Newsroom:
    """The demo site's stories: publishes new ones and edits the ones a client has already read."""

    def __init__(self, *, initial: int = INITIAL_STORIES, clock: Callable[[], datetime] = _utc_now) -> None:
        self.lock = threading.Lock()
        self.stories: list[Story] = []
        self.read_paths: set[str] = set()
        self.edit_count = 0
        self._clock = clock
        for hours_ago in range(initial, 0, -1):
            self._publish(self._clock() - timedelta(hours=hours_ago))

    def publish(self) -> Story:
        with self.lock:
            story = self._publish(self._clock())
        log.info("the demo site published %r", story.title)
        return story

    def edit(self) -> Story | None:
        """Edit a story a client has read: a rewritten paragraph, an appended update, a new headline in turn.

        The target is the least-edited story the edit still applies to (oldest first); None when no story
        has been read yet.
        """
        with self.lock:
            kind = tuple(EDIT_KINDS)[self.edit_count % len(EDIT_KINDS)]
            read = [story for story in self.stories if story.path in self.read_paths]
            candidates = [story for story in read if kind == "update" or kind not in story.edits]
            if not candidates:
                kind, candidates = "update", read
            if not candidates:
                return None
            story = min(candidates, key=lambda item: (len(item.edits), item.number))
            old_title = story.title
            _apply_edit(story, kind, self._clock())
            self.edit_count += 1
        log.info("the demo site edited %r: %s", old_title, EDIT_KINDS[kind])
        return story

    def tick(self) -> None:
        self.publish()
        self.edit()

    def render(self, path: str, base_url: str) -> tuple[int, str, str]:
        """Status, content type and body for a GET of `path`."""
        with self.lock:
            return _route(self, path, base_url)

    def _publish(self, when: datetime) -> Story:
        number = len(self.stories)
        template = TEMPLATES[number % len(TEMPLATES)]
        round_ = number // len(TEMPLATES)
        title = template.title if round_ == 0 else f"{template.title}: day {round_ + 1}"
        story = Story(
            number=number,
            template=template,
            slug=_slug(template.title) + (f"-day-{round_ + 1}" if round_ else ""),
            title=title,
            published=when,
            paragraphs=list(template.paragraphs),
        )
        self.stories.append(story)
        return story


def _apply_edit(story: Story, kind: str, when: datetime) -> None:
    """Make one edit of `kind` (see EDIT_KINDS) to the story."""
    if kind == "paragraph":
        story.paragraphs[1] = story.template.revised_paragraph
    elif kind == "headline":
        story.title = story.template.revised_title + story.title[len(story.template.title) :]
    else:
        update = UPDATES[(story.number + len(story.edits)) % len(UPDATES)]
        story.paragraphs.append(f"Update, {when:%H:%M:%S} UTC: {update}")
    story.edits.append(kind)
    story.modified = when


# -- rendering ---------------------------------------------------------------------------------------------


def _route(newsroom: Newsroom, path: str, base_url: str) -> tuple[int, str, str]:
    page_type = "text/html; charset=utf-8"
    if path == "/":
        return 200, page_type, _listing_page(newsroom.stories, base_url, "Latest news")
    if path.startswith("/section/") and path.strip("/").split("/")[-1] in SECTIONS:
        section = path.strip("/").split("/")[-1]
        stories = [story for story in newsroom.stories if story.template.section == section]
        return 200, page_type, _listing_page(stories, base_url, section.title())
    if path == "/feed/":
        return 200, "application/rss+xml; charset=utf-8", _feed(newsroom.stories, base_url)
    if path == "/robots.txt":
        return 200, "text/plain; charset=utf-8", "User-agent: *\nDisallow: /search\n"
    for story in newsroom.stories:
        if story.path == path:
            newsroom.read_paths.add(path)
            return 200, page_type, _article_page(story, newsroom.stories, base_url)
    return 404, page_type, _page("Page not found", "<h1>Page not found</h1><p>Try the front page.</p>")


def _newest(stories: list[Story], limit: int = FRONT_PAGE_STORIES) -> list[Story]:
    return sorted(stories, key=lambda story: story.number, reverse=True)[:limit]


def _menu() -> str:
    items = "".join(
        f'<li class="menu-item"><a href="/section/{name}/">{name.title()}</a></li>' for name in SECTIONS
    )
    return f'<nav class="main-menu"><ul><li class="menu-item"><a href="/">Home</a></li>{items}</ul></nav>'


def _page(title: str, main: str, head: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} | {SITE_TITLE}</title>{head}
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"site": "{SITE_NAME}"}});</script>
</head>
<body>
<div class="topbar"><a href="/subscribe/">Subscribe</a> <a href="/login/">Sign in</a></div>
<header class="site-header"><div class="logo"><a href="/">{SITE_TITLE}</a></div>{_menu()}
<form class="search" action="/search"><input name="q" placeholder="Search the Courier"></form></header>
<main class="site-main">{main}</main>
<aside class="sidebar"><div class="widget newsletter"><h3>The morning briefing</h3>
<p>Riverton's news in your inbox every weekday at 7am.</p><form><input name="email" placeholder="Email">
<button>Sign up</button></form></div></aside>
<footer class="site-footer"><ul><li><a href="/about/">About us</a></li>
<li><a href="/contact/">Contact</a></li><li><a href="/privacy/">Privacy</a></li></ul>
<p>&copy; {SITE_TITLE}. All rights reserved.</p></footer>
</body></html>"""


def _listing_page(stories: list[Story], base_url: str, heading: str) -> str:
    teasers = "".join(
        f'<article class="teaser teaser--{story.template.section}"><h2 class="teaser__title">'
        f'<a href="{story.path}">{html.escape(story.title)}</a></h2>'
        f'<p class="teaser__summary">{html.escape(story.paragraphs[0])}</p>'
        f'<time datetime="{story.published.isoformat()}">{story.published:%d %b %Y %H:%M}</time></article>'
        for story in _newest(stories)
    )
    head = f'<link rel="alternate" type="application/rss+xml" title="{SITE_TITLE}" href="{base_url}/feed/">'
    main = f'<h1 class="page-title">{html.escape(heading)}</h1><div class="teasers">{teasers}</div>'
    return _page(heading, main + '<nav class="pagination"><a href="/page/2/">Older stories</a></nav>', head)


def _article_page(story: Story, stories: list[Story], base_url: str) -> str:
    url = f"{base_url}{story.path}"
    modified = story.modified.isoformat() if story.modified else None
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "datePublished": story.published.isoformat(),
        "author": {"@type": "Person", "name": story.template.byline},
        **({"dateModified": modified} if modified else {}),
    }
    head = (
        f'\n<link rel="canonical" href="{url}">'
        f'\n<meta property="og:title" content="{html.escape(story.title)}">'
        f'\n<meta property="og:url" content="{url}">'
        f'\n<meta property="article:published_time" content="{story.published.isoformat()}">'
        + (f'\n<meta property="article:modified_time" content="{modified}">' if modified else "")
        + f'\n<script type="application/ld+json">{json.dumps(ld)}</script>'
    )
    # Related links are the stories published just before this one: stable, like a real "related" box.
    related = "".join(
        f'<li><a href="{other.path}">{html.escape(other.title)}</a></li>'
        for other in stories
        if story.number - 3 <= other.number < story.number
    )
    updated = (
        f' <span class="updated">Updated <time datetime="{modified}">{story.modified:%H:%M} UTC</time></span>'
        if story.modified
        else ""
    )
    body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in story.paragraphs)
    section = story.template.section
    byline = story.template.byline
    published = f'<time datetime="{story.published.isoformat()}">{story.published:%d %B %Y, %H:%M} UTC</time>'
    main = f"""<nav class="breadcrumbs"><a href="/">Home</a> &rsaquo;
<a href="/section/{section}/">{section.title()}</a></nav>
<article class="article">
<header class="article__header"><h1 class="article__headline">{html.escape(story.title)}</h1>
<p class="byline">By <a rel="author" href="/author/{_slug(byline)}/">{byline}</a></p>
<p class="dateline">{published}{updated}</p>
</header>
<div class="share-bar"><a href="#" class="share share--facebook">Share</a>
<a href="#" class="share share--x">Post</a><a href="#" class="share share--email">Email</a>
<button class="share share--copy">Copy link</button></div>
<div class="article__body">{body}</div>
<div class="article__tags"><a href="/section/{section}/">{section.title()}</a></div>
</article>
<section class="related"><h2>Related stories</h2><ul>{related}</ul></section>
<div class="comments"><h2>Comments</h2><p>Sign in to join the conversation.</p></div>"""
    return _page(story.title, main, head)


def _feed(stories: list[Story], base_url: str) -> str:
    items = "".join(
        f"<item><title>{html.escape(story.title)}</title><link>{base_url}{story.path}</link>"
        f'<guid isPermaLink="true">{base_url}{story.path}</guid>'
        f"<pubDate>{format_datetime(story.published)}</pubDate>"
        f"<description>{html.escape(story.paragraphs[0])}</description></item>"
        for story in _newest(stories)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{SITE_TITLE}</title>'
        f"<link>{base_url}/</link><description>News from Riverton</description>{items}</channel></rss>"
    )


# -- serving -----------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, newsroom: Newsroom) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.newsroom = newsroom


class _Handler(BaseHTTPRequestHandler):
    server_version = "RivertonCourier/1.0"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(with_body=False)

    def _respond(self, *, with_body: bool) -> None:
        assert isinstance(self.server, _Server)
        base_url = f"http://{self.headers.get('Host') or '127.0.0.1'}"
        status, content_type, text = self.server.newsroom.render(self.path.split("?")[0], base_url)
        payload = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if with_body:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the access log
        return


class DemoSite:
    """Serve a Newsroom on 127.0.0.1 (a free port) and let it publish and edit every `tick_s` seconds."""

    def __init__(self, newsroom: Newsroom, *, tick_s: float = TICK_S) -> None:
        self.newsroom = newsroom
        self.tick_s = tick_s
        self.httpd = _Server(newsroom)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self.httpd.serve_forever, name="demo-site", daemon=True),
            threading.Thread(target=self._newsroom_loop, name="demo-newsroom", daemon=True),
        ]

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> DemoSite:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _newsroom_loop(self) -> None:
        while not self._stop.wait(self.tick_s):
            self.newsroom.tick()


# -- the demo command --------------------------------------------------------------------------------------


def demo_config(base_url: str, database_url: str) -> dict[str, Any]:
    """A config that reads the demo site every few seconds and rechecks its stories as often."""
    every = f"{CHECK_EVERY_S}s"
    return {
        "database": database_url,
        "defaults": {
            "interval": every,
            "host_delay": "0s",
            "timeout": "10s",
            "rechecks": [{"under": "1d", "every": every}],
        },
        "fetch": {"max_retries": 0, "check_timeout": "60s", "recheck_every": every},
        "sites": [
            {
                "name": SITE_NAME,
                "start_urls": [f"{base_url}/"],
                "feeds": [f"{base_url}/feed/"],
                "include": [r"/\d{4}/\d{2}/\d{2}/"],
            }
        ],
    }


def write_demo_config(path: Path, base_url: str, database: Path) -> Config:
    text = yaml.safe_dump(demo_config(base_url, f"sqlite:///{database}"), sort_keys=False)
    path.write_text(f"{CONFIG_MARKER}: written by `monitor demo` for {base_url}\n{text}", encoding="utf-8")
    return load_config(path)


def run_demo(*, duration_s: float | None = None, keep_db: Path | None = None) -> None:
    """Serve the demo site, run the real daemon against it until `duration_s` or Ctrl-C, print a hint."""
    _quiet_libraries()
    database = keep_db.resolve() if keep_db else None
    if database is not None:
        _check_keep_db(database)
    with _workdir() as workdir, DemoSite(Newsroom()) as site:
        database = database or workdir / "demo.db"
        config_path = _config_path(database) if keep_db else workdir / "demo.yaml"
        config = write_demo_config(config_path, site.base_url, database)
        print(_banner(site.base_url, database, keep_db is not None, duration_s), flush=True)
        asyncio.run(_run_daemon(config, duration_s))
        edited = next((story for story in site.newsroom.stories if story.edits), None)
        example_url = f"{site.base_url}{edited.path}" if edited else f"{site.base_url}/"
        published, edits = len(site.newsroom.stories), site.newsroom.edit_count
    print(
        _closing_hint(database, config_path, keep_db is not None, example_url, published, edits), flush=True
    )


def _quiet_libraries() -> None:
    """Keep the demo's output to the monitor's events: the scheduler and migrations chatter at INFO."""
    level = max(logging.WARNING, logging.getLogger().level)
    for name in ("apscheduler", "alembic"):
        logging.getLogger(name).setLevel(level)


@contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="monitor-demo-") as directory:
        yield Path(directory)


def _config_path(database: Path) -> Path:
    """The kept config beside the kept database: demo.db -> demo.yaml (never overwrites another file)."""
    path = database.with_suffix(".yaml")
    if path == database:
        path = database.with_name(database.name + ".demo.yaml")
    if path.exists() and not path.read_text(encoding="utf-8", errors="replace").startswith(CONFIG_MARKER):
        raise MonitorError(f"{path} exists and was not written by `monitor demo`; choose another --keep-db")
    return path


def _check_keep_db(database: Path) -> None:
    """Refuse to write demo stories into a database that holds real sites."""
    if not database.exists():
        return
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            others = (
                connection.execute("SELECT name FROM sites WHERE name != ?", (SITE_NAME,)).fetchall()
                if "sites" in tables
                else []
            )
    except sqlite3.DatabaseError as error:
        raise MonitorError(f"{database} is not a monitor demo database: {error}") from None
    if others:
        raise MonitorError(
            f"{database} holds other sites ({others[0][0]}...); keep the demo in a database of its own"
        )


async def _run_daemon(config: Config, duration_s: float | None) -> None:
    from monitor import daemon as daemon_module

    daemon = daemon_module.Daemon(config, drain_timeout_s=DRAIN_TIMEOUT_S)
    timer = asyncio.get_running_loop().call_later(duration_s, daemon.stop) if duration_s else None
    try:
        await daemon.run()
    finally:
        if timer is not None:
            timer.cancel()


def _banner(base_url: str, database: Path, kept: bool, duration_s: float | None) -> str:
    until = f"for {duration_s:g} s" if duration_s else "until Ctrl-C"
    storage = f"database {database}" if kept else "a temporary database"
    return (
        f"Demo news site: {base_url}/ (open it in a browser). It publishes a story every {TICK_S:g} s and "
        f"edits one it has served.\nRunning the monitor daemon against it {until}, with {storage}: "
        "watch for NEW and CHANGED lines."
    )


def _closing_hint(
    database: Path, config_path: Path, kept: bool, example_url: str, published: int, edits: int
) -> str:
    query = "SELECT detected_at, kind, title, summary FROM recent_changes LIMIT 20"
    lines = [f"Demo over: the site published {published} stories and made {edits} edits."]
    if kept:
        db, config = shlex.quote(str(database)), shlex.quote(str(config_path))
        lines += [
            f"The database is kept at {database} (config: {config_path}). Explore it:",
            f'  sqlite3 {db} "{query}"',
            f"  monitor --config {config} changes --since 1h",
            f"  monitor --config {config} history {example_url}",
            f"  monitor --config {config} diff {example_url}",
        ]
    else:
        lines += [
            "The database was temporary and is gone. Keep one and explore it:",
            "  monitor demo --duration 30 --keep-db demo.db",
            f'  sqlite3 demo.db "{query}"',
            "  monitor --config demo.yaml changes --since 1h",
        ]
    return "\n".join(lines)
