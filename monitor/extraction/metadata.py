"""Story metadata from every source a page offers: JSON-LD, OpenGraph/meta, microdata, <time>, bylines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extraction import rules
from monitor.extraction.authors import is_brand, markup_authors, split_authors
from monitor.extraction.clean import normalize_space
from monitor.extraction.dates import ambiguous, date_from_url, normalize_date
from monitor.extraction.locale_dates import UPDATED_LABEL, find_printed_date, labelled_dates
from monitor.extraction.titles import best_title, headline

JsonObject = dict[str, Any]


@dataclass(slots=True)
class Metadata:
    """Mutable accumulator of metadata; the first source to fill a field wins."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    description: str | None = None
    image: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    site_name: str | None = None
    article_body: str | None = None  # JSON-LD articleBody, for pages whose markup lacks the story
    # for the article gate (extraction/signals.py): read here, where JSON-LD and meta are parsed anyway
    structured_types: set[str] = field(default_factory=set)
    meta_names: frozenset[str] = frozenset()
    og_type: str | None = None
    has_headline: bool = False  # an <h1> that is not the site's logo


def extract_metadata(tree: LexborHTMLParser, url: str | None = None) -> Metadata:
    """Read metadata from a parsed page (before scripts are stripped)."""
    found = Metadata()
    _from_json_ld(tree, found)
    json_ld_published, found.published = found.published, None  # weighed against the other sources below
    meta = _meta_tags(tree)
    _from_meta(meta, found)
    meta_published, found.published = found.published, None
    heading = _from_markup(tree, found)
    found.has_headline = heading is not None
    found.published = _published(tree, heading, found.title, url, json_ld_published, meta_published)
    base = url or found.canonical_url
    if base:
        if found.canonical_url:
            found.canonical_url = urljoin(base, found.canonical_url)
        if found.image:
            found.image = urljoin(base, found.image)
    elif found.canonical_url and not found.canonical_url.startswith(("http://", "https://")):
        found.canonical_url = None
    if not found.canonical_url and url:
        found.canonical_url = url
    return found


# --- JSON-LD ----------------------------------------------------------------------------------------------


def _from_json_ld(tree: LexborHTMLParser, found: Metadata) -> None:
    articles: list[JsonObject] = []
    pages: list[JsonObject] = []
    people: dict[str, JsonObject] = {}
    for script in tree.css(rules.JSON_LD_SELECTOR):
        for obj in _json_objects(script.text()):
            types = _types(obj)
            found.structured_types.update(types)
            if types & rules.ARTICLE_TYPES:
                articles.append(obj)
            elif types & rules.PAGE_TYPES:
                pages.append(obj)
            elif types & rules.AUTHOR_TYPES and "@id" in obj:
                people[str(obj["@id"])] = obj
    for obj in articles:
        _fill_from_json_ld(obj, found, people, is_article=True)
    for obj in pages:
        _fill_from_json_ld(obj, found, people, is_article=False)


def _json_objects(raw: str) -> Iterator[JsonObject]:
    try:
        data = json.loads(raw.strip().rstrip(";"), strict=False)
    except ValueError:
        return
    stack: list[Any] = [data]
    seen = 0
    while stack and seen < rules.MAX_JSON_LD_OBJECTS:
        item = stack.pop(0)
        seen += 1
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            yield item
            graph = item.get("@graph")
            if isinstance(graph, list | dict):
                stack.append(graph)
            main_entity = item.get("mainEntity")
            if isinstance(main_entity, dict):
                stack.append(main_entity)


def _types(obj: JsonObject) -> set[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {str(item) for item in kind}
    return set()


def _fill_from_json_ld(
    obj: JsonObject, found: Metadata, people: dict[str, JsonObject], is_article: bool
) -> None:
    if is_article:
        found.title = found.title or _first_text(obj.get("headline")) or _first_text(obj.get("name"))
        if not found.authors:
            found.authors = _json_ld_authors(obj.get("author"), people)
        found.section = found.section or _first_text(obj.get("articleSection"))
        if not found.tags:
            found.tags = _keywords(obj.get("keywords"))
        body = obj.get("articleBody")
        if isinstance(body, str) and len(body) > len(found.article_body or ""):
            found.article_body = body
    found.published = found.published or normalize_date(_first_text(obj.get("datePublished")))
    found.modified = found.modified or normalize_date(_first_text(obj.get("dateModified")))
    found.description = found.description or _first_text(obj.get("description"))
    found.image = found.image or _image_url(obj.get("image"))
    found.language = found.language or _first_text(obj.get("inLanguage"))


def _first_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = normalize_space(str(value))
        return text or None
    return None


def _json_ld_authors(value: Any, people: dict[str, JsonObject]) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict) and "name" not in item and str(item.get("@id")) in people:
            item = people[str(item["@id"])]
        name = _first_text(item)
        if name and not name.startswith(("http://", "https://")):
            names.extend(split_authors(name))
    return tuple(dict.fromkeys(names))


def _image_url(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _keywords(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list):
        items = [str(item) for item in value if isinstance(item, str)]
    else:
        return ()
    return tuple(dict.fromkeys(tag for tag in (normalize_space(item) for item in items) if tag))


# --- meta tags --------------------------------------------------------------------------------------------


def _meta_tags(tree: LexborHTMLParser) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for node in tree.css("meta[content]"):
        attributes = node.attributes
        key = attributes.get("property") or attributes.get("name") or attributes.get("itemprop")
        content = attributes.get("content")
        if key and content and content.strip():
            meta.setdefault(key.strip().lower(), []).append(content.strip())
    return meta


def _first_meta(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        values = meta.get(key)
        if values:
            return normalize_space(values[0])
    return None


def _from_meta(meta: dict[str, list[str]], found: Metadata) -> None:
    found.title = found.title or _first_meta(meta, rules.META_TITLE)
    found.description = found.description or _first_meta(meta, rules.META_DESCRIPTION)
    found.image = found.image or _first_meta(meta, rules.META_IMAGE)
    found.section = found.section or _first_meta(meta, rules.META_SECTION)
    found.site_name = _first_meta(meta, rules.META_SITE_NAME)
    found.meta_names = frozenset(meta)
    found.og_type = _first_meta(meta, ("og:type",))
    found.canonical_url = found.canonical_url or _first_meta(meta, rules.META_URL)
    found.language = found.language or _first_meta(meta, rules.META_LANGUAGE)
    if not found.published:
        found.published = _first_date(meta, rules.META_PUBLISHED)
    if not found.modified:
        found.modified = _first_date(meta, rules.META_MODIFIED)
    if not found.authors:
        author = _first_meta(meta, rules.META_AUTHOR)
        if author and not author.startswith(("http://", "https://")):
            found.authors = tuple(split_authors(author))
    if not found.tags:
        tags = [tag for key in rules.META_TAGS for tag in meta.get(key, [])]
        found.tags = tuple(dict.fromkeys(normalize_space(tag) for tag in tags if tag.strip()))


def _first_date(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        for value in meta.get(key, []):
            date = normalize_date(value)
            if date:
                return date
    return None


# --- markup: <link rel=canonical>, <html lang>, <title>/<h1>, microdata, <time>, bylines ------------------


def _from_markup(tree: LexborHTMLParser, found: Metadata) -> LexborNode | None:
    head = tree.head
    canonical = head.css_first("link[rel=canonical][href]") if head is not None else None
    if canonical is not None:
        # the <link> tag is more specific than og:url, which sites often point at the home page
        found.canonical_url = (canonical.attributes.get("href") or "").strip() or found.canonical_url
    if not found.language:
        root = tree.root
        lang = root.attributes.get("lang") if root is not None and root.tag == "html" else None
        found.language = lang.strip() if lang and lang.strip() else None
    heading = headline(tree, found.site_name)  # the headline serves title and date
    found.title = best_title(tree, heading, found.title, found.site_name)
    if not found.modified:
        found.modified = _markup_date(tree, rules.MODIFIED_SELECTORS)
    if not found.authors:
        found.authors = markup_authors(tree)
    elif is_brand(found.authors, found.site_name, found.canonical_url):
        found.authors = markup_authors(tree) or found.authors  # the page names a reporter beside the brand
    return heading


# --- the published date: every source weighed --------------------------------------------------------------


def _published(
    tree: LexborHTMLParser,
    heading: LexborNode | None,
    title: str | None,
    url: str | None,
    json_ld: str | None,
    meta: str | None,
) -> str | None:
    """The publication date, from the most reliable source that offers one.

    1. A date in the story URL is set by the CMS at publication and names the page's own day (structured
       dates are often written in UTC, a day off); a structured date of that same day is kept for its time.
       A structured date more than a day away wins: that URL dates a print edition or a section.
    2. The meta tags (article:published_time and friends) beat JSON-LD when they disagree: SEO plugins
       often fill datePublished from a template or the first draft.
    3. A JSON-LD date that no other machine-readable source (<time>, itemprop) confirms loses to a date
       printed next to the headline, which is the date readers see (measured: JSON-LD first loses 5% of
       the wcxb dates).
    4. Otherwise <time>/itemprop markup (update times skipped), then a date labelled as published
       ("Datum:"), then one printed by the headline, then elements whose class says "date", then a date
       labelled as updated ("Stand:").
    """
    structured = meta or json_ld
    from_url = date_from_url(url) if url else None
    if from_url and not (structured and _days_apart(structured, from_url) > rules.URL_DATE_SLACK_DAYS):
        return structured if structured and structured[:10] == from_url else from_url
    if meta:
        return json_ld if json_ld and json_ld[:10] == meta[:10] else meta
    if json_ld:
        printed = _date_near_headline(tree, heading, title)
        if not printed or _same_day(printed, json_ld):
            return json_ld
        markup = _markup_date(tree, rules.PUBLISHED_SELECTORS)  # only read when the two disagree
        return json_ld if markup and markup[:10] == json_ld[:10] else printed
    markup = _markup_date(tree, rules.PUBLISHED_SELECTORS, skip_updates=True)
    if markup:
        return markup
    labelled_published, labelled_updated = _labelled(tree)
    return (
        labelled_published
        or _date_near_headline(tree, heading, title)
        or _markup_date(tree, rules.DATE_CLASS_SELECTORS, rules.MAX_DATE_TEXT_CHARS)
        or labelled_updated  # a page that prints only "Stand: 05.10.2023" is dated by it
    )


def _labelled(tree: LexborHTMLParser) -> tuple[str | None, str | None]:
    """Dates the page labels as published ("Datum:", "veröffentlicht am") or updated ("Stand:"), anywhere."""
    body = tree.body
    return labelled_dates(body.text(separator=" ")) if body is not None else (None, None)


def _markup_date(
    tree: LexborHTMLParser, selectors: str, max_chars: int = rules.MAX_DATE_CHARS, skip_updates: bool = False
) -> str | None:
    for node in tree.css(selectors):
        if skip_updates and _is_update_time(node):
            continue
        attributes = node.attributes
        raw = attributes.get("datetime") or attributes.get("content") or node.text(separator=" ")
        if not raw or len(raw) > max_chars or ambiguous(raw):
            continue  # an ambiguous 02-12-2025 is skipped for a later, clearer date
        date = normalize_date(raw)
        if date:
            return date
    return None


def _is_update_time(node: LexborNode) -> bool:
    """A <time> that says it is the update ("Updated <time>", class "updated", itemprop dateModified)."""
    attributes = node.attributes
    label = f"{attributes.get('class') or ''} {attributes.get('itemprop') or ''}"
    if rules.UPDATE_LABEL.search(label):
        return True
    before = node.prev
    text = before.text(deep=False) if before is not None and before.tag == "-text" else ""
    return bool(text) and UPDATED_LABEL.search(text[-rules.UPDATE_TEXT_CHARS :]) is not None


def _days_apart(first: str, second: str) -> int:
    try:
        return abs((date.fromisoformat(first[:10]) - date.fromisoformat(second[:10])).days)
    except ValueError:
        return 0


def _same_day(printed: str, other: str) -> bool:
    """Two dates of the same day; a printed 09.10.2024 may be day-first or month-first, so both count."""
    day, swapped = printed[:10], f"{printed[:4]}-{printed[8:10]}-{printed[5:7]}"
    return other[:10] in (day, swapped)


def _date_near_headline(tree: LexborHTMLParser, heading: LexborNode | None, title: str | None) -> str | None:
    """A date written in the visible text around the headline (where themes print "Dec 26, 2025").

    The headline is the first <h1>, or the title when that <h1> is missing, empty or not in the text.
    """
    body = tree.body
    if body is None:
        return None
    # a separator between text nodes, or "Published on July 18, 2025Online classes" hides the date
    page_text = body.text(separator=" ")
    heading_text = heading.text(separator=" ").strip() if heading is not None else ""
    position = page_text.find(heading_text) if len(heading_text) >= rules.MIN_HEADLINE_CHARS else -1
    if position < 0 and title and len(title) >= rules.MIN_HEADLINE_CHARS:
        heading_text = title
        position = page_text.find(heading_text)
    if position < 0:
        return None
    start = max(0, position - rules.TEXT_DATE_BEFORE_TITLE)
    window = page_text[start : position + len(heading_text) + rules.TEXT_DATE_AFTER_TITLE]
    after = position - start
    found = _printed_date(window, after) or _printed_date(window[: after + len(heading_text)], 0)
    if found:
        return normalize_date(found)
    # a month name in another language ("5. Oktober 2013"), after the headline first, then before it
    printed = find_printed_date(window[after:]) or find_printed_date(window[: after + len(heading_text)])
    return printed[2] if printed else None


def _printed_date(text: str, start: int) -> str | None:
    """The first date in the text from `start` that is not inside a script's JSON or a URL.

    The full pattern is tried only around each four-digit year: scanning all the text with it is slow.
    """
    for year in rules.TEXT_YEAR.finditer(text, start):
        low = max(start, year.start() - rules.TEXT_DATE_BEFORE_YEAR)
        match = rules.TEXT_DATE.search(text, low, year.end() + rules.TEXT_DATE_AFTER_YEAR)
        if match and (match.start() == 0 or text[match.start() - 1] not in rules.NOT_PRINTED_BEFORE):
            return match.group(0)
    return None
