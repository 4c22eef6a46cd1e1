"""Author names from bylines: lead-ins, trailing dates, handles and e-mails cut; co-authors; brands."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extraction import meta_rules
from monitor.extraction.clean import normalize_space, squeeze
from monitor.extraction.locale_dates import day_names
from monitor.extraction.rules import Caseless

# lead-ins in several languages: "Veröffentlicht von", "Publié par", "投稿者：", "Interview:", "ByJane Doe"
LEAD_IN = re.compile(
    r"^(?:(?:(?:written|posted|reviewed|published|edited|reported|story|words|text)\s+)?by\b:?|"
    r"authors?\s+(?=(?-i:[A-Z]))|"  # a label set apart from the name ("Author Venteur", no colon)
    r"by(?=(?-i:[A-Z]))|(?:eingestellt|geschrieben|verfasst|veröffentlicht|gepostet|erstellt|beitrag)\s*von\b:?|"
    r"(?:publié|écrit|rédigé|posté)\s+par\b|(?:escrito|publicado|redactado)\s+por\b|"
    r"(?:scritto|pubblicato)\s+da\b|(?:geschreven|gepubliceerd)\s+door\b|"
    r"von\b|par\b|por\b|di\b|door\b|"
    r"(?:authors?|autor(?:in)?|auteur|autore|text|texte|interview|reporter)\s*:|"
    r"(?:投稿者|作者|文|記者|기자)\s*[:：]?)\s*",
    re.IGNORECASE,
)
# what trails a name: a date or time ("am 21. April 2020", "at 18:52", "11 February 2020"), a relative
# time ("vor 5 Stunden", "5 hours ago"), a "Stand:"/"Updated" label, a reading time, a separator
_MONTH_WORD = r"[^\W\d_]{3,}\.?"
# the weekday before that date, in any of locale_dates.LOCALES ("Von Tomas Spahn Fr, 18. Oktober 2019")
_WEEKDAY = "|".join(sorted(map(re.escape, day_names()), key=len, reverse=True))
TRAILER = re.compile(
    r"\s*(?:\b(?:am|at|on|le|el|il|op|den|vom|um|,)\s*)?"
    rf"(?:\b(?:{_WEEKDAY})\b\.?,?\s*)?"
    r"(?:\d{1,2}[./:-]\d{1,2}|\d{1,2}\.?\s+"
    + _MONTH_WORD
    + r"\s+\d{4}|"
    + _MONTH_WORD
    + r"\s+\d{1,2},?\s+\d{4}|"
    r"(?:19|20)\d{2}\b|\bvor\s+\d+\s+\w+|\b\d+\s+(?:hours?|minutes?|days?|weeks?)\s+ago\b|"
    r"\b(?:last\s+)?(?:stand|updated|aktualisiert|published|veröffentlicht)\b\s*:?|\b\d+\s*min\b|[»|•·]|\s[-–—]\s).*$",
    re.IGNORECASE,
)
HANDLE = re.compile(r"\s*(?:@\w+|\(@\w+\)|\b(?:on )?twitter\b:?.*|\bfollow\b.*)\s*$", re.IGNORECASE)
# a byline part that is a role and nobody's name ("Meghan Holmes, Writer"; up to two words before the role:
# "Staff Writer", "AP Auto Writer"): dropped beside a name, kept alone ("Staff Writer" signs the page)
ROLE = re.compile(
    r"(?:\w+\s+){0,2}(?:writer|editor|contributor|reporter|correspondent|columnist|journalist)s?",
    re.IGNORECASE,
)
EMAIL = re.compile(r"\s*\(?\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b\)?\s*")
SEPARATOR = re.compile(
    r"\s*(?:,\s*(?:and|und|et|y|e)\s+|\b(?:and|und|et)\b|&|,|;|\||/|、|・)\s*", re.IGNORECASE
)
# words that fill an author field but name nobody
NOT_NAMES = frozenset(
    {
        "no author",
        "follow",
        "unknown",
        "admin",
        "administrator",
        "twitter",
        "facebook",
        "email",
        "e-mail",
        "more",
        "mehr",
        "share",
        "anonymous",
        "guest",
        "new",
    }
)
NAME_CHARS = re.compile(r"[^\W\d_]")
# a number in a byline part makes it a counter ("203 comments", "9 articles") or a handle ("rmb8090"): names
# carry no digits, and a counter changes on every visit
_COUNTED = re.compile(r"\d")
MAX_NAME_WORDS = 6
_COMMENT_LABEL = Caseless(meta_rules.COMMENT_LABEL)  # every ancestor of every byline candidate


def split_authors(byline: str) -> list[str]:
    """Split a byline ("By Ann Lee and Bo Chan") into author names, dropping lead-ins, dates and handles."""
    text = EMAIL.sub(" ", normalize_space(html.unescape(byline)))
    text = LEAD_IN.sub("", normalize_space(text))
    text = TRAILER.sub("", text).strip(meta_rules.BYLINE_QUOTES)
    text = LEAD_IN.sub("", text)  # "Beitrag von r23 » ..." cut twice
    if not text or len(text) > meta_rules.MAX_BYLINE_CHARS or text.startswith(("@", "http://", "https://")):
        return []
    names = []
    for part in SEPARATOR.split(text):
        name = HANDLE.sub("", normalize_space(part)).strip(meta_rules.BYLINE_QUOTES + ".:")
        if name and NAME_CHARS.search(name) and name.lower() not in NOT_NAMES and not _COUNTED.search(name):
            if len(name.split()) <= MAX_NAME_WORDS:
                names.append(name)
    people = [name for name in names if not ROLE.fullmatch(name)]
    return list(dict.fromkeys(people or names))


def markup_authors(tree: LexborHTMLParser) -> tuple[str, ...]:
    """Authors named in the markup: every node of the first selector that names one (several bylines)."""
    for selector in meta_rules.AUTHOR_SELECTORS:  # cheap, specific selectors first
        names: list[str] = []
        first: LexborNode | None = None
        for node in tree.css(selector):
            text = node.attributes.get("content") or node.text(separator=" ")
            if not text or len(text) > meta_rules.MAX_BYLINE_CHARS or _in_comments(node):
                continue
            found = _linked_names(node) or split_authors(normalize_space(text))
            if found and first is None:
                names, first = found, node
            elif found and _co_author(node, first) and len(names) < meta_rules.MAX_AUTHORS:
                names.extend(name for name in found if name not in names)
        if names:
            return tuple(names)
    return ()


def _linked_names(node: LexborNode) -> list[str]:
    """One name per author link when a byline links several ("By <a>Ann Lee</a><a>Bo Chan</a>")."""
    links = node.css("a")
    if len(links) < 2 or len(links) > meta_rules.MAX_AUTHORS:
        return []
    names = [split_authors(normalize_space(link.text())) for link in links]
    if not all(len(found) == 1 for found in names):
        return []
    return list(dict.fromkeys(found[0] for found in names))


def _co_author(node: LexborNode, first: LexborNode | None) -> bool:
    """A second byline node beside the first one (one byline, several author links); one elsewhere on the
    page belongs to another story's teaser."""
    parent, first_parent = node.parent, first.parent if first is not None else None
    return parent is not None and first_parent is not None and parent.mem_id == first_parent.mem_id


def _in_comments(node: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None and current.tag not in ("body", "html"):
        attributes = current.attributes
        label = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
        if _COMMENT_LABEL.search(label):
            return True
        current = current.parent
    return False


def is_brand(authors: tuple[str, ...], site_name: str | None, url: str | None) -> bool:
    """The "author" is the publication itself (meta author = site name or domain), not a reporter."""
    if len(authors) != 1:
        return False
    key = squeeze(authors[0])
    if not key:
        return False
    site = squeeze(site_name or "")
    host = squeeze(urlsplit(url).hostname or "") if url else ""
    return bool(site) and (key == site or key in site or site in key) or bool(host) and key in host
