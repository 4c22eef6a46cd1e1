"""Mutations of real article pages for the change-detection benchmark: real edits and pure noise.

`mutate(html, gold_text)` returns one `Mutation` per kind, each `(kind, html, expected_fields, suspicious)`:
real edits expect their fields to be reported; noise expects no alert (`expected_fields` None), and the
truncated and paywalled responses expect to be quarantined as suspicious rather than stored.

Edits land inside the story: body paragraphs are located by matching the page's gold text, the headline and
byline are changed consistently in every place a page states them (title, meta, JSON-LD, visible text).
Mutated pages are re-serialised by selectolax (lexbor); a re-serialisation is itself markup churn, so the
benchmark compares them against the page exactly as served.
"""

from __future__ import annotations

import gzip
import itertools
import json
import random
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.compare import normalise_text

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "extraction"
DATA_SETS = ("scrapinghub", "wcxb-articles-dev")
REAL_EDIT_KINDS: dict[str, tuple[str, ...]] = {
    "edit_sentence": ("body",),
    "edit_headline": ("title",),
    "append_update": ("body",),
    "edit_byline": ("byline",),
}
NOISE_KINDS = (
    "boilerplate_churn",
    "script_churn",
    "markup_reflow",
    "counters",
    "date_bump",
    "stamp_bump",
    "truncated",
    "paywall",
)
# Noise that is still stored, as a minor (date-only) version: never alerted.
MINOR_KINDS: dict[str, tuple[str, ...]] = {"date_bump": ("modified",), "stamp_bump": ("body",)}
SUSPICIOUS_KINDS = frozenset({"truncated", "paywall"})

# Containers that hold no story text on any sane page; the offline stand-in extractor skips them too.
BOILERPLATE_SELECTOR = (
    "nav, aside, footer, header, form, [class*=related], [class*=sidebar], [id*=sidebar], [class*=footer], "
    "[class*=menu], [class*=promo], [class*=trending], [class*=popular], [class*=newsletter], "
    "[class*=comment]"
)
COUNTER_SELECTOR = "[class*=count], [class*=views], [class*=share], [id*=count], time, [class*=timestamp]"
JSON_LD_SELECTOR = 'script[type="application/ld+json"]'
MODIFIED_META_SELECTOR = (
    'meta[property="article:modified_time"], meta[property="article:modified"], meta[itemprop="dateModified"]'
)
# Metadata names (property, name or itemprop, any case) stating the headline, the author, the modified time:
# Open Graph, Twitter cards, Dublin Core, Highwire, Parse.ly, Sailthru and schema.org microdata spellings.
HEADLINE_META_NAMES = frozenset(
    {"og:title", "twitter:title", "title", "dc.title", "citation_title", "parsely-title", "sailthru.title"}
)
AUTHOR_META_NAMES = frozenset(
    {"author", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator", "citation_author"}
)
MODIFIED_META_NAMES = frozenset(
    {
        "article:modified_time",
        "article:modified",
        "og:updated_time",
        "datemodified",
        "last-modified",
        "dcterms.modified",
        "dc.date.modified",
        "article.updated",
    }
)
HEADLINE_KEYS = frozenset({"headline"})
MODIFIED_KEYS = frozenset({"dateModified"})
DATE_BUMP = timedelta(minutes=17)
FALLBACK_MODIFIED = "2026-01-05T09:30:00+00:00"
AUTHOR_KEYS = frozenset({"author", "creator"})
VISIBLE_BYLINE_SELECTOR = "[rel=author], [class*=byline], [itemprop=author], [class*=author]"

# A [class*=author] element longer than this is a wrapper or an author bio, not a byline.
BYLINE_MAX_WORDS = 12
MIN_STORY_PARAGRAPHS = 3
MIN_STORY_WORDS = 80
MIN_MATCH_CHARS = 30  # shorter <p> texts ("Advertisement", "Share") match gold by accident
# Noise never touches story text: an element is story text when the letters of its nearest ancestor with at
# least this many letters occur in the gold text (a link inside a story list item, an embedded tweet's date,
# the "01." of a FAQ entry), or when its letters are a whole gold line of at least STORY_LINE_LETTERS.
STORY_CONTEXT_LETTERS = 30
STORY_LINE_LETTERS = 8
TRUNCATE_AT = 0.30
TEASER_WORDS = 25
HEADLINE_PREFIX = "Exclusive: "
NEW_AUTHOR = "Morgan Ashdown-Pryce"
UPDATE_PARAGRAPH = (
    "Update, 14:05 GMT: This story has been updated with a statement from the regional authorities, "
    "who said an investigation into the circumstances was continuing."
)
PAYWALL_MESSAGE = "Subscribe to continue reading."
INSERTED_CLAUSE = " Officials later disputed this account."
REPLACEMENT_WORD = "disputed"
COUNTER_WIDGET = (
    '<aside class="sidebar-counters"><span class="view-count">{views} views</span> '
    '<span class="comment-count">{comments} comments</span> '
    '<span class="timestamp">Updated {minutes} minutes ago</span></aside>'
)

_COUNTER_TEXT = re.compile(
    r"\d[\d,.]*\s*(?:views?|comments?|shares?|likes?|reads?)\b|\b\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?)\s+ago\b",
    re.IGNORECASE,
)
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)
_BY_PREFIX = re.compile(r"^by\s+", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
_AUTHOR_PAGE = re.compile(r"/(?:authors?|by|byline|writers?|staff|people|profiles?)/", re.IGNORECASE)
_TOKEN = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b|\b\d{6,}\b")
_WORD = re.compile(r"\b[^\W\d_]{4,}\b")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?\s+(?=[A-Z\"'(])")
# Text between tags, outside elements whose text is not reflowable markup (scripts, styles, pre).
_RAW_TEXT_ELEMENT = r"<(?P<raw>script|style|pre|textarea)\b[^>]*>.*?</(?P=raw)\s*>"
_TAG = r"""<!--.*?-->|<[a-zA-Z/!][^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>"""
_MARKUP = re.compile(f"{_RAW_TEXT_ELEMENT}|{_TAG}", re.DOTALL | re.IGNORECASE)
# HTML maps references to U+0080-U+009F to windows-1252 (&#146; is a quote): not literal-equivalent.
_LAST_C1_CONTROL = 0x9F
_SPACE_EVERY = 6  # in reflowed text, one space in this many becomes a newline and indentation


class Mutation(NamedTuple):
    """One mutated page: what was done, the HTML to serve, the fields an alert must name, quarantine?"""

    kind: str
    html: str
    expected_fields: tuple[str, ...] | None
    suspicious: bool
    before: str | None = None  # the page served first when it is not the original (a stamp it carries)


class Case(NamedTuple):
    """One page of a development set, as served, and every mutation of it."""

    page: str  # "<data set>/<page id>"
    original_html: str
    mutations: list[Mutation]


class Story(list[LexborNode]):
    """The story's <p> elements in document order, and the gold text as letters only, to tell story text."""

    def __init__(self, paragraphs: list[LexborNode], gold_text: str) -> None:
        super().__init__(paragraphs)
        lines = [_letters(line) for line in gold_text.splitlines()]
        self.gold_letters = "".join(lines)
        self.gold_lines = frozenset(line for line in lines if len(line) >= STORY_LINE_LETTERS)

    def holds(self, node: LexborNode) -> bool:
        """Is `node` (a text node or an element) part of the story text as the gold text states it?"""
        current: LexborNode | None = node if not node.is_text_node else node.parent
        while current is not None and current.tag not in ("body", "html"):
            letters = _letters(current.text(deep=True))
            if letters in self.gold_lines:
                return True
            if len(letters) >= STORY_CONTEXT_LETTERS:
                return letters in self.gold_letters
            current = current.parent
        return False


def _letters(text: str) -> str:
    """Only the letters, lower-cased: bullets, numbering, spacing and punctuation differ from the gold."""
    return "".join(char for char in normalise_text(text).lower() if char.isalpha())


class NotApplicable(ValueError):
    """The page has too little recognisable story text to place edits inside it."""


def mutate(html: str, gold_text: str, *, seed: int = 0) -> list[Mutation]:
    """Return every mutation of one page; raise NotApplicable when the story cannot be located."""
    _locate_story(LexborHTMLParser(html), gold_text)  # fail before any work on a page without a story
    mutations = []
    for kind, mutator in MUTATORS.items():
        tree = LexborHTMLParser(html)
        rng = random.Random(f"{seed}:{kind}")
        found = mutator(tree, _locate_story(tree, gold_text), rng)
        before, mutated_html = found if isinstance(found, tuple) else (None, found)
        suspicious = kind in SUSPICIOUS_KINDS
        mutations.append(Mutation(kind, mutated_html, REAL_EDIT_KINDS.get(kind), suspicious, before))
    return mutations


def benchmark_cases(pages_per_set: int, data_sets: tuple[str, ...] = DATA_SETS) -> Iterator[Case]:
    """The first `pages_per_set` usable pages of each development set with their mutations (deterministic)."""
    for data_set in data_sets:
        used = 0
        for page_id, html, gold in load_pages(data_set):
            if used >= pages_per_set:
                break
            try:
                mutations = mutate(html, gold, seed=_page_seed(page_id))
            except NotApplicable:
                continue
            used += 1
            yield Case(f"{data_set}/{page_id}", html, mutations)


def load_pages(data_set: str) -> Iterator[tuple[str, str, str]]:
    """(page id, html, gold text) for every page of a development set, in index order."""
    folder = DATA_DIR / data_set
    for line in (folder / "index.jsonl").read_text(encoding="utf-8").splitlines():
        page_id = json.loads(line)["id"]
        raw = gzip.decompress((folder / "pages" / f"{page_id}.html.gz").read_bytes())
        gold = (folder / "gold" / f"{page_id}.txt").read_text(encoding="utf-8")
        yield page_id, _decode(raw), gold


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        declared = _CHARSET.search(raw[:4096])
        encoding = declared.group(1).decode("ascii") if declared else "cp1252"
        try:
            return raw.decode(encoding, errors="replace")
        except LookupError:
            return raw.decode("cp1252", errors="replace")


def _page_seed(page_id: str) -> int:
    # Not hash(): string hashing is salted per process, and the cases must be the same in every run.
    return sum(ord(char) * (index + 1) for index, char in enumerate(page_id))


def page_text(html: str) -> str:
    """Everything a reader sees on the page (title and body text, scripts and styles dropped), normalised."""
    tree = LexborHTMLParser(html)
    tree.strip_tags(["script", "style", "noscript", "template"])
    title = tree.css_first("title")
    body = tree.body
    visible = (title.text() if title is not None else "") + " " + (body.text(separator=" ") if body else "")
    return normalise_text(visible)


# --- locating the story ----------------------------------------------------------------------------------


def _locate_story(tree: LexborHTMLParser, gold_text: str) -> Story:
    """The <p> elements whose text is part of the gold body, in document order."""
    gold_lines = {normalise_text(line) for line in gold_text.splitlines()}
    gold_joined = " ".join(sorted(gold_lines, key=gold_text.find))
    story: list[LexborNode] = []
    for paragraph in tree.css("body p"):
        text = normalise_text(paragraph.text(deep=True))
        if len(text) >= MIN_MATCH_CHARS and (text in gold_lines or text in gold_joined):
            story.append(paragraph)
    words = sum(len(paragraph.text(deep=True).split()) for paragraph in story)
    if len(story) < MIN_STORY_PARAGRAPHS or words < MIN_STORY_WORDS:
        raise NotApplicable(f"{len(story)} story paragraphs, {words} words matched the gold text")
    return Story(story, gold_text)


def _inside(node: LexborNode, ancestors: list[LexborNode]) -> bool:
    ids = {ancestor.mem_id for ancestor in ancestors}
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id in ids:
            return True
        current = current.parent
    return False


def is_byline_sized(node: LexborNode) -> bool:
    """Short enough to be a byline ("By Jane Doe, Staff Writer"), not a wrapper or an author bio."""
    return 0 < len(node.text(deep=True).split()) <= BYLINE_MAX_WORDS


def _outside_story(containers: list[LexborNode], story: list[LexborNode]) -> list[LexborNode]:
    """Drop containers that hold story text (a wrapper with class "has-sidebar" is not a sidebar)."""
    holding_story = {ancestor.mem_id for paragraph in story for ancestor in _ancestors(paragraph)}
    return [container for container in containers if container.mem_id not in holding_story]


def _ancestors(node: LexborNode) -> Iterator[LexborNode]:
    current = node.parent
    while current is not None:
        yield current
        current = current.parent


def _churnable(
    node: LexborNode, story: Story, protected: list[LexborNode], boilerplate: list[LexborNode]
) -> bool:
    """Outside the story text, headline and byline, and outside every <p> unless that <p> sits in boilerplate.

    The story text is more than the located <p> elements: list items, embedded tweets and FAQ entries the gold
    text holds are story too. The <p> must be inside the container: a <a class="comments-link"> matches the
    boilerplate selector itself, but the post-meta paragraph around it is still read as text by a
    paragraph-level extractor.
    """
    if _inside(node, protected) or story.holds(node):
        return False
    paragraph = next((ancestor for ancestor in _ancestors(node) if ancestor.tag == "p"), None)
    if paragraph is None:
        return True
    return paragraph.parent is not None and _inside(paragraph.parent, boilerplate)


def _protected(tree: LexborHTMLParser, story: list[LexborNode]) -> list[LexborNode]:
    """Story, headline, scripts and visible bylines: byline elements, links to an author page, author names.

    A byline is often just `<a href="/authors/jane-doe">Jane Doe</a>` with no class saying so; changing its
    text is a byline edit a reader sees, not noise.
    """
    bylines = [node for node in tree.css(VISIBLE_BYLINE_SELECTOR) if is_byline_sized(node)]
    authors = _stated_authors(tree)
    author_links = [
        link
        for link in tree.css("body a")
        if is_byline_sized(link)
        and (_AUTHOR_PAGE.search(link.attrs.get("href") or "") or any(a in link.text() for a in authors))
    ]
    return story + tree.css("h1, title, script, style") + bylines + author_links


def _text_nodes(node: LexborNode) -> Iterator[LexborNode]:
    for child in node.traverse(include_text=True):
        if child.is_text_node and (child.text_content or "").strip():
            yield child


def _fragment(markup: str) -> LexborNode:
    node = LexborHTMLParser(f"<body>{markup}</body>").body
    assert node is not None and node.child is not None
    return node.child


def _replace_text(text_node: LexborNode, new_text: str) -> None:
    text_node.replace_with(new_text)


# --- real edits ------------------------------------------------------------------------------------------


def _edit_sentence(tree: LexborHTMLParser, story: Story, rng: random.Random) -> str:
    """Change one sentence of a story paragraph: a number, a word, or an added clause."""
    paragraph = rng.choice([p for p in story if len(p.text().split()) >= 12] or story)
    text_node = max(_text_nodes(paragraph), key=lambda node: len(node.text_content or ""))
    text = text_node.text_content or ""
    numbers = list(_NUMBER.finditer(text))
    words = list(_WORD.finditer(text))
    if numbers and rng.random() < 0.34:
        match = numbers[0]
        text = text[: match.start()] + str(int(match.group()) + 7) + text[match.end() :]
    elif words and rng.random() < 0.5:
        match = words[len(words) // 2]
        text = text[: match.start()] + REPLACEMENT_WORD + text[match.end() :]
    else:
        end = _SENTENCE_END.search(text)
        cut = end.start() + 1 if end else len(text.rstrip())
        text = text[:cut] + INSERTED_CLAUSE + text[cut:]
    _replace_text(text_node, text)
    return tree.html or ""


def _edit_headline(tree: LexborHTMLParser, story: Story, rng: random.Random) -> str:
    """Prefix the headline everywhere the page states it: <title>, meta tags, JSON-LD, the visible <h1>."""
    del story, rng
    visible = next((h1 for h1 in tree.css("body h1") if h1.text().strip()), None)  # not an empty logo <h1>
    for heading in [_document_title(tree), visible]:
        if heading is not None:
            first = next(_text_nodes(heading), None)
            if first is not None:
                _replace_text(first, HEADLINE_PREFIX + (first.text_content or "").lstrip())
    for meta in _metas(tree, HEADLINE_META_NAMES):
        meta.attrs["content"] = HEADLINE_PREFIX + (meta.attrs.get("content") or "")
    _rewrite_json_ld(tree, HEADLINE_KEYS, lambda value: HEADLINE_PREFIX + value)
    return tree.html or ""


def _append_update(tree: LexborHTMLParser, story: Story, rng: random.Random) -> str:
    """Insert an update paragraph after the last story paragraph."""
    del rng
    story[-1].insert_after(_fragment(f"<p>{UPDATE_PARAGRAPH}</p>"))
    return tree.html or ""


def _edit_byline(tree: LexborHTMLParser, story: Story, rng: random.Random) -> str:
    """Rename the author in meta tags, JSON-LD and visible bylines (never in the story or headline)."""
    del rng
    authors = _stated_authors(tree)
    if not authors:
        head = tree.head
        if head is not None:
            head.insert_child(_fragment(f'<meta name="author" content="{NEW_AUTHOR}">'))
        return tree.html or ""
    for meta in _metas(tree, AUTHOR_META_NAMES):
        meta.attrs["content"] = _rename(meta.attrs.get("content") or "", authors)
    _rewrite_json_ld(tree, AUTHOR_KEYS, lambda value: _rename(value, authors))
    # Visible bylines: byline elements, or text outside every <p> (a <p> may be an author bio in the story).
    body = tree.body
    protected = story + tree.css("h1, title, script, style")
    bylines = [
        node for node in _outside_story(tree.css(VISIBLE_BYLINE_SELECTOR), story) if is_byline_sized(node)
    ]
    for text_node in list(_text_nodes(body)) if body is not None else []:
        text = text_node.text_content or ""
        visible_byline = _inside(text_node, bylines) and not _inside(text_node, protected)
        if _rename(text, authors) != text and (visible_byline or _churnable(text_node, story, protected, [])):
            _replace_text(text_node, _rename(text, authors))
    return tree.html or ""


def _metas(tree: LexborHTMLParser, names: frozenset[str]) -> list[LexborNode]:
    """Every <meta content> whose property, name or itemprop (any case) is one of `names`."""
    found = []
    for meta in tree.css("meta[content]"):
        attributes = meta.attrs
        name = attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or ""
        if name.strip().lower() in names:
            found.append(meta)
    return found


def _document_title(tree: LexborHTMLParser) -> LexborNode | None:
    """The page's <title>, not the <title> of an inline SVG icon that may come before it."""
    titles = (node for node in tree.css("title") if not any(up.tag == "svg" for up in _ancestors(node)))
    return next(titles, None)


def _rename(text: str, authors: list[str]) -> str:
    for author in authors:
        text = text.replace(author, NEW_AUTHOR)
    return text


def _stated_authors(tree: LexborHTMLParser) -> list[str]:
    """Every spelling of the author's name the page states in metadata, longest first ("By X" stated as X)."""
    names = {_strip_by(meta.attrs.get("content") or "") for meta in _metas(tree, AUTHOR_META_NAMES)}
    for script in tree.css(JSON_LD_SELECTOR):
        names.update(_strip_by(name) for name in json_ld_author_names(script.text()))
    return sorted((name for name in names if name and not name.startswith("http")), key=len, reverse=True)


def _strip_by(name: str) -> str:
    return _BY_PREFIX.sub("", name.strip())


def json_ld_author_names(text: str) -> list[str]:
    """The author names a JSON-LD block states ("author": "X", {"name": "X"} or a list of either)."""
    try:
        data = _load_json_ld(text)
    except ValueError:
        return []
    names: list[str] = []

    def author_names(value: object) -> None:
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, dict) and isinstance(value.get("name"), str):
            names.append(value["name"])
        elif isinstance(value, list):
            for item in value:
                author_names(item)

    def visit(item: object) -> None:
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "author":
                    author_names(value)
                visit(value)
        elif isinstance(item, list):
            for value in item:
                visit(value)

    visit(data)
    return names


def _load_json_ld(text: str) -> object:
    """Parse JSON-LD as leniently as extractors do: raw newlines and tabs inside strings, a trailing ";".

    A block only a strict parser rejects is still read by the extractor, so an edit must still rewrite it.
    """
    return json.loads(text.strip().rstrip(";"), strict=False)


def _rewrite_json_ld(tree: LexborHTMLParser, keys: frozenset[str], rewrite: Callable[[str], str]) -> None:
    """Rewrite every string found under one of `keys` (at any depth) in every JSON-LD block that parses."""

    def visit(item: object, under_key: bool) -> object:
        if isinstance(item, dict):
            return {name: visit(value, under_key or name in keys) for name, value in item.items()}
        if isinstance(item, list):
            return [visit(value, under_key) for value in item]
        return rewrite(item) if under_key and isinstance(item, str) else item

    for script in tree.css(JSON_LD_SELECTOR):
        try:
            data = _load_json_ld(script.text())
        except ValueError:
            continue
        if script.first_child is not None:
            script.first_child.replace_with(json.dumps(visit(data, False), ensure_ascii=False))


# --- noise -----------------------------------------------------------------------------------------------


def _boilerplate_churn(tree: LexborHTMLParser, story: Story, rng: random.Random) -> str:
    """Reorder and retitle links in sidebars, related-story lists, menus and footers."""
    protected = _protected(tree, story)
    boilerplate = _outside_story(tree.css(BOILERPLATE_SELECTOR), story)
    # The link's own text node decides: a card link may wrap a <p> the page shows as a paragraph.
    link_texts = [next(_text_nodes(link), None) for link in tree.css("body a")]
    churnable = [
        node
        for node in link_texts
        if node is not None
        and len((node.text_content or "").strip()) > 3
        and _churnable(node, story, protected, boilerplate)
    ]
    texts = [(node.text_content or "").strip() for node in churnable]
    rng.shuffle(texts)
    for node, text in zip(churnable, texts, strict=True):
        if rng.random() < 0.5:
            text = f"{text} ({rng.randint(2, 99)} new)"
        _replace_text(node, text)
    for container in boilerplate:
        for listing in container.css("ul, ol"):
            items = listing.css("li")
            if len(items) >= 2 and not _inside(listing, protected):
                listing.insert_child(items[0])
                items[0].decompose()
    return tree.html or ""


def _script_churn(tree: LexborHTMLParser, story: Story, rng: random.Random) -> str:
    """New script contents and tokens, nonces, CSRF tokens and cache-busting query strings."""
    del story

    def token() -> str:
        return f"{rng.getrandbits(64):016x}"

    for script in tree.css("script"):
        if script.attrs.get("type") == "application/ld+json":
            continue
        script.attrs["nonce"] = token()
        if script.first_child is not None:
            churned = _TOKEN.sub(lambda _match: token(), script.text())
            script.first_child.replace_with(f"{churned}\n;window.__build='{token()}';")
    for node in tree.css("[nonce]"):
        node.attrs["nonce"] = token()
    for field in tree.css("input[name*=csrf], input[name*=token], input[name*=authenticity]"):
        field.attrs["value"] = token()
    for meta in tree.css("meta[name*=csrf], meta[name*=token]"):
        meta.attrs["content"] = token()
    for node, attribute in [(n, "src") for n in tree.css("script[src], img[src]")] + [
        (n, "href") for n in tree.css("link[href]")
    ]:
        url = node.attrs.get(attribute) or ""
        node.attrs[attribute] = f"{url}{'&' if '?' in url else '?'}v={token()}"
    return tree.html or ""


def _markup_reflow(tree: LexborHTMLParser, story: Story, rng: random.Random) -> str:
    """Attribute order, extra wrappers, newlines inside paragraphs, entities instead of literal characters."""
    del rng
    for node in tree.css("*"):
        attributes = list(node.attrs.items())
        if len(attributes) >= 2:
            for name, _value in attributes:
                del node.attrs[name]
            for name, value in reversed(attributes):
                node.attrs[name] = value or ""
    for paragraph in story:
        paragraph.inner_html = f'\n  <span class="story-text">\n    {paragraph.inner_html}\n  </span>\n'
        wrapper = _fragment('<div class="paragraph-wrapper"></div>')
        paragraph.insert_before(wrapper)
    for wrapper in tree.css("div.paragraph-wrapper"):
        wrapped = wrapper.next
        if wrapped is not None and wrapped.tag == "p":
            wrapper.insert_child(wrapped)  # lexbor inserts a copy: drop the original
            wrapped.decompose()
    return _reflow_text(tree.html or "")


def _reflow_text(html: str) -> str:
    reflowed: list[str] = []
    last = 0
    for markup in _MARKUP.finditer(html):
        reflowed.append(_reflow_piece(html[last : markup.start()]))
        reflowed.append(markup.group())
        last = markup.end()
    reflowed.append(_reflow_piece(html[last:]))
    return "".join(reflowed)


def _reflow_piece(text: str) -> str:
    spaces = itertools.count(1)
    text = re.sub(" ", lambda _match: "\n      " if next(spaces) % _SPACE_EVERY == 0 else " ", text)
    text = text.replace("&nbsp;", "\u00a0")
    return "".join(
        f"&#{ord(char)};" if ord(char) > _LAST_C1_CONTROL and char != "\u00a0" else char for char in text
    )


def _counters(tree: LexborHTMLParser, story: Story, rng: random.Random) -> str:
    """Bump view/comment/share counts and "N minutes ago" outside the story; add a counter widget if none."""
    protected = _protected(tree, story)
    boilerplate = _outside_story(tree.css(BOILERPLATE_SELECTOR), story)
    counters = _outside_story(tree.css(COUNTER_SELECTOR), story)
    body = tree.body
    for text_node in list(_text_nodes(body)) if body is not None else []:
        text = text_node.text_content or ""
        counting = _COUNTER_TEXT.search(text) or _inside(text_node, counters)
        if counting and _NUMBER.search(text) and _churnable(text_node, story, protected, boilerplate):
            _replace_text(
                text_node, _NUMBER.sub(lambda match: str(int(match.group()) + rng.randint(1, 50)), text)
            )
    if body is not None:
        widget = COUNTER_WIDGET.format(
            views=rng.randint(1000, 9999), comments=rng.randint(1, 300), minutes=rng.randint(2, 59)
        )
        body.insert_child(_fragment(widget))
    return tree.html or ""


def _date_bump(tree: LexborHTMLParser, story: Story, rng: random.Random) -> str:
    """The modified time moves on, text identical (a CMS re-save): stored as a minor version, not alerted."""
    del story, rng
    stated = _metas(tree, MODIFIED_META_NAMES)
    for meta in stated:
        meta.attrs["content"] = _later(meta.attrs.get("content") or "")
    _rewrite_json_ld(tree, MODIFIED_KEYS, _later)
    head = tree.head
    if not stated and head is not None:
        head.insert_child(_fragment(f'<meta property="article:modified_time" content="{FALLBACK_MODIFIED}">'))
    return tree.html or ""


def _later(stamp: str) -> str:
    try:
        return (datetime.fromisoformat(stamp.strip()) + DATE_BUMP).isoformat()
    except ValueError:
        return FALLBACK_MODIFIED


STAMP_BEFORE = "Updated March 19, 2025"
STAMP_AFTER = "Updated March 20, 2025"


def _stamp_bump(tree: LexborHTMLParser, story: Story, rng: random.Random) -> tuple[str, str]:
    """A site that prints its update stamp inside the story re-saves it, text identical: the page before
    carries "Updated March 19, 2025" above the story's first paragraph, the page after "March 20"."""
    del rng
    story[0].insert_before(_fragment(f"<p>{STAMP_BEFORE}</p>"))
    before = tree.html or ""
    return before, before.replace(STAMP_BEFORE, STAMP_AFTER, 1)


def _truncated(tree: LexborHTMLParser, story: Story, rng: random.Random) -> str:
    """The response ends inside the story, once about 30% of its words have arrived."""
    del rng
    html = tree.html or ""
    total = sum(len(paragraph.text().split()) for paragraph in story)
    seen = 0
    for paragraph in story:
        seen += len(paragraph.text().split())
        if seen >= TRUNCATE_AT * total:
            position = html.find(paragraph.html or "")
            if position >= 0:
                return html[: position + len(paragraph.html or "") // 2]
    return html[: len(html) // 3]


def _paywall(tree: LexborHTMLParser, story: Story, rng: random.Random) -> str:
    """The story replaced by a teaser of its opening words and a subscription prompt."""
    del rng
    teaser = " ".join(story[0].text().split()[:TEASER_WORDS]) + "\u2026"
    story[0].insert_after(_fragment(f'<p class="paywall-prompt">{PAYWALL_MESSAGE}</p>'))
    story[0].insert_after(_fragment(f'<p class="teaser">{teaser}</p>'))
    for paragraph in story:
        paragraph.decompose()
    return tree.html or ""


Mutator = Callable[[LexborHTMLParser, Story, random.Random], str | tuple[str, str]]
MUTATORS: dict[str, Mutator] = {
    "edit_sentence": _edit_sentence,
    "edit_headline": _edit_headline,
    "append_update": _append_update,
    "edit_byline": _edit_byline,
    "boilerplate_churn": _boilerplate_churn,
    "script_churn": _script_churn,
    "markup_reflow": _markup_reflow,
    "counters": _counters,
    "date_bump": _date_bump,
    "stamp_bump": _stamp_bump,
    "truncated": _truncated,
    "paywall": _paywall,
}
