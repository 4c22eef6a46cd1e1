"""Story metadata from every source a page offers: JSON-LD, OpenGraph/meta, microdata, <time>, bylines."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extraction import meta_rules
from monitor.extraction.authors import is_brand, markup_authors, split_authors
from monitor.extraction.clean import code_nodes, drop_code, normalize_space, scripts_where
from monitor.extraction.dates import normalize_date
from monitor.extraction.published import markup_date, published_date
from monitor.extraction.titles import best_title, headline, page_title, story_headline

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


def extract_metadata(
    tree: LexborHTMLParser, url: str | None = None, code: list[LexborNode] | None = None
) -> Metadata:
    """Read metadata from a parsed page (before scripts are stripped); `code`: its clean.code_nodes when
    read already (the tree unchanged since)."""
    found = Metadata()
    code = code_nodes(tree) if code is None else code
    _from_json_ld(tree, found, code)
    # JSON-LD read: scripts and styles are no page text for the dates, the title, the body
    drop_code(tree, code)
    json_ld_published, found.published = found.published, None  # weighed against the other sources below
    meta = _meta_tags(tree)
    _from_meta(meta, found)
    meta_published, found.published = found.published, None
    heading = _from_markup(tree, found)
    found.has_headline = heading is not None
    found.published = published_date(
        tree, heading, found.title, url, json_ld_published, meta_published, found.language
    )
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


def _from_json_ld(tree: LexborHTMLParser, found: Metadata, code: list[LexborNode]) -> None:
    articles: list[JsonObject] = []
    pages: list[JsonObject] = []
    people: dict[str, JsonObject] = {}
    json_ld = scripts_where(tree, code, meta_rules.JSON_LD_SELECTOR, "type", meta_rules.JSON_LD_TYPE)
    for script in json_ld:
        for obj in _json_objects(script.text()):
            types = _types(obj)
            found.structured_types.update(types)
            if types & meta_rules.ARTICLE_TYPES:
                articles.append(obj)
            elif types & meta_rules.PAGE_TYPES:
                pages.append(obj)
            elif types & meta_rules.AUTHOR_TYPES and "@id" in obj:
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
    while stack and seen < meta_rules.MAX_JSON_LD_OBJECTS:
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
    found.published = found.published or _json_ld_published(obj)
    found.modified = found.modified or normalize_date(_first_text(obj.get("dateModified")))
    found.description = found.description or _first_text(obj.get("description"))
    found.image = found.image or _image_url(obj.get("image"))
    found.language = found.language or _first_text(obj.get("inLanguage"))


def _json_ld_published(obj: JsonObject) -> str | None:
    """datePublished, else the creation date a type without one carries (a VideoObject's uploadDate)."""
    for key in meta_rules.JSON_LD_PUBLISHED_KEYS:
        day = normalize_date(_first_text(obj.get(key)))
        if day:
            return day
    return None


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
    for node in tree.css("meta[content], meta[value]"):
        attributes = node.attributes
        key = attributes.get("property") or attributes.get("name") or attributes.get("itemprop")
        content = attributes.get("content") or attributes.get("value")  # value=: an older spelling
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
    found.title = found.title or _first_meta(meta, meta_rules.META_TITLE)
    found.description = found.description or _first_meta(meta, meta_rules.META_DESCRIPTION)
    found.image = found.image or _first_meta(meta, meta_rules.META_IMAGE)
    found.section = found.section or _first_meta(meta, meta_rules.META_SECTION)
    found.site_name = _first_meta(meta, meta_rules.META_SITE_NAME)
    found.meta_names = frozenset(meta)
    found.og_type = _first_meta(meta, ("og:type",))
    found.canonical_url = found.canonical_url or _first_meta(meta, meta_rules.META_URL)
    found.language = found.language or _first_meta(meta, meta_rules.META_LANGUAGE)
    if not found.published:
        found.published = _first_date(meta, meta_rules.META_PUBLISHED) or _first_date(
            meta, tuple(key for key in meta if meta_rules.PUBLISHED_META_NAME.search(key))
        )
    if not found.modified:
        found.modified = _first_date(meta, meta_rules.META_MODIFIED)
    if not found.authors:
        author = _first_meta(meta, _person_keys(meta))
        if author and not author.startswith(("http://", "https://")):
            found.authors = tuple(split_authors(author))
    if not found.tags:
        tags = [tag for key in meta_rules.META_TAGS for tag in meta.get(key, [])]
        found.tags = tuple(dict.fromkeys(normalize_space(tag) for tag in tags if tag.strip()))


def _person_keys(meta: dict[str, list[str]]) -> tuple[str, ...]:
    """META_AUTHOR without the keys whose value is the company the page's copyright or publisher meta
    names, where another key names someone else ("author" = "Condé Nast" beside article:author's reporter)."""
    owners = _squeezed(" ".join(value for key in meta_rules.META_OWNER for value in meta.get(key, [])))
    if not owners:
        return meta_rules.META_AUTHOR
    owned = {
        key
        for key in meta_rules.META_AUTHOR
        if (name := _squeezed((meta.get(key) or [""])[0])) and name in owners
    }
    # a display name ("Larry Fitzmaurice"), not a handle ("gabor_munier")
    named = {key for key in meta_rules.META_AUTHOR if " " in (meta.get(key) or [""])[0].strip()} - owned
    if not owned or not named:
        return meta_rules.META_AUTHOR  # one name only: a one-person site's owner is its author
    return tuple(key for key in meta_rules.META_AUTHOR if key not in owned)


def _squeezed(text: str) -> str:
    """Letters and digits only, case and accents folded ("Gàbor Muniér" and "gabor_munier" agree)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if character.isalnum())


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
    own_title = page_title(tree, found.site_name)
    shown = story_headline(tree, heading, own_title)  # the title's: another heading may spell it
    found.title = best_title(tree, shown, found.title, found.site_name, own_title)
    if not found.modified:
        found.modified = markup_date(tree, meta_rules.MODIFIED_SELECTORS)
    if not found.authors:
        found.authors = markup_authors(tree)
    elif is_brand(found.authors, found.site_name, found.canonical_url):
        found.authors = markup_authors(tree) or found.authors  # the page names a reporter beside the brand
    return heading
