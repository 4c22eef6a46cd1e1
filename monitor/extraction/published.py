"""The published date: every source a page offers (URL, meta tags, JSON-LD, <time>, labels, the text by the
headline, date classes) weighed against the others."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extraction import meta_rules
from monitor.extraction.container import has_ancestor_in
from monitor.extraction.dates import ambiguous, date_from_url, day_first_date, normalize_date
from monitor.extraction.locale_dates import LOCALES, UPDATED_LABEL, find_printed_date, labelled_dates


def published_date(
    tree: LexborHTMLParser,
    heading: LexborNode | None,
    title: str | None,
    url: str | None,
    json_ld: str | None,
    meta: str | None,
    language: str | None = None,
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
    4. Otherwise <time>/itemprop markup (update times skipped), then a date printed right by the headline,
       then elements whose class says "date", then a date labelled as published ("Datum:") anywhere, then
       one printed further from the headline (or at the top of a page whose headline is not in its text),
       then a date labelled as updated ("Stand:").
    """
    text = _PageText(tree, _reads_day_first(language or (_url_locale(url) if url else None)))
    structured = meta or json_ld
    from_url = date_from_url(url) if url else None
    if from_url and not (structured and _url_date_loses(structured, from_url)):
        return structured if structured and structured[:10] == from_url else from_url
    if meta:
        return json_ld if json_ld and json_ld[:10] == meta[:10] else meta
    if json_ld:
        printed = _date_near_headline(text, heading, title)
        if not printed or _same_day(printed, json_ld):
            return json_ld
        markup = markup_date(tree, meta_rules.PUBLISHED_SELECTORS)  # only read when the two disagree
        return json_ld if markup and markup[:10] == json_ld[:10] else printed
    markup = markup_date(tree, meta_rules.PUBLISHED_SELECTORS, skip_updates=True)
    if markup:
        return markup
    close = _date_near_headline(text, heading, title, meta_rules.TEXT_DATE_CLOSE_AFTER_TITLE)
    if close:
        return close  # printed right by the headline: a labelled date elsewhere is a teaser's or a comment's
    labelled_published, labelled_updated = labelled_dates(text.get())
    return (
        markup_date(tree, meta_rules.DATE_CLASS_SELECTORS, meta_rules.MAX_DATE_TEXT_CHARS)
        or labelled_published
        or _date_near_headline(text, heading, title, top_without_headline=True)
        or labelled_updated  # a page that prints only "Stand: 05.10.2023" is dated by it
    )


def _reads_day_first(language: str | None) -> bool:
    """Whether the page's language writes numeric dates day first: every language of
    locale_dates.LOCALES but American English, and the English of Britain, Ireland, India, Australia, New
    Zealand and South Africa. A bare "en" (American sites write it as often) is not."""
    if not language:
        return False
    tag = language.strip().lower().replace("_", "-")
    primary = tag.split("-")[0]
    if primary == "en":
        return tag in meta_rules.DAY_FIRST_ENGLISH
    return primary in LOCALES


def _url_locale(url: str) -> str | None:
    """The locale a URL's path opens with ("/en-gb/news/...", "/de_AT/"), when the page names none."""
    match = meta_rules.URL_LOCALE.match(urlsplit(url).path)
    return match.group(1) if match else None


class _PageText:
    """The page's text with a space between text nodes ("Published on July 18, 2025Online" hides the date),
    built once for every date search that reads it."""

    def __init__(self, tree: LexborHTMLParser, day_first: bool = False) -> None:
        self._tree = tree
        self._text: str | None = None
        self._without_menus: str | None = None
        self.day_first = day_first  # the page's language writes 02/10/2020 for 2 October

    def get(self) -> str:
        if self._text is None:
            body = self._tree.body
            self._text = body.text(separator=" ") if body is not None else ""
        return self._text

    def without_menus(self) -> str:
        """The text without the page's menus (read only where the headline is printed twice: a menu
        item's copy comes first, and the date beside it names another page)."""
        if self._without_menus is None:
            body = self._tree.body
            self._without_menus = _without_navigation(self.get(), body) if body is not None else ""
        return self._without_menus


def _without_navigation(text: str, body: LexborNode) -> str:
    """The body's text without its menus (nav, role=navigation): a menu's copy of the headline comes before
    the headline, and the date beside it names another page ("Chat mit ParlamentarierInnen am 24.06.2015").

    The menus are taken in document order, each from where the last one ended (the page's text runs in the
    same order), so a second copy of a menu (one for small screens) goes too, and text before a menu that
    happens to spell it stays; a menu inside a menu goes with the outer one. One pass over the text."""
    menus = body.css(meta_rules.NAVIGATION_SELECTOR)
    menu_ids = {menu.mem_id for menu in menus}
    kept: list[str] = []
    position = 0
    for menu in menus:
        if has_ancestor_in(menu, menu_ids):
            continue
        menu_text = menu.text(separator=" ")
        start = text.find(menu_text, position) if menu_text.strip() else -1
        if start >= 0:
            kept.append(text[position:start])
            position = start + len(menu_text)
    kept.append(text[position:])
    return " ".join(kept)


def markup_date(
    tree: LexborHTMLParser,
    selectors: str,
    max_chars: int = meta_rules.MAX_DATE_CHARS,
    skip_updates: bool = False,
) -> str | None:
    for node in tree.css(selectors):
        if skip_updates and _is_update_time(node):
            continue
        attributes = node.attributes
        raw = (
            attributes.get("datetime")
            or attributes.get("content")
            or (
                attributes.get("title") if node.tag == "abbr" else None
            )  # hAtom: <abbr title="2017-09-09T..">
            or node.text(separator=" ")
        )
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
    if meta_rules.UPDATE_LABEL.search(label):
        return True
    before = node.prev
    text = before.text(deep=False) if before is not None and before.tag == "-text" else ""
    return bool(text) and UPDATED_LABEL.search(text[-meta_rules.UPDATE_TEXT_CHARS :]) is not None


def _url_date_loses(structured: str, from_url: str) -> bool:
    """A structured date more than a day from the URL's wins (that URL dates a print edition or a section),
    unless it is months after it: a page republished or re-stamped by a redesign keeps its first URL."""
    apart = _days_apart(structured, from_url)
    if apart <= meta_rules.URL_DATE_SLACK_DAYS:
        return False
    return not (structured[:10] > from_url and apart > meta_rules.URL_DATE_RESTAMP_DAYS)


def _days_apart(first: str, second: str) -> int:
    try:
        return abs((date.fromisoformat(first[:10]) - date.fromisoformat(second[:10])).days)
    except ValueError:
        return 0


def _same_day(printed: str, other: str) -> bool:
    """Two dates of the same day; a printed 09.10.2024 may be day-first or month-first, so both count."""
    day, swapped = printed[:10], f"{printed[:4]}-{printed[8:10]}-{printed[5:7]}"
    return other[:10] in (day, swapped)


def _date_near_headline(
    text: _PageText,
    heading: LexborNode | None,
    title: str | None,
    after_title: int = meta_rules.TEXT_DATE_AFTER_TITLE,
    top_without_headline: bool = False,
) -> str | None:
    """A date written in the visible text around the headline (where themes print "Dec 26, 2025").

    The headline is the first <h1>, or the title when that <h1> is missing, empty or not in the text.
    """
    page_text = text.get()
    heading_text = heading.text(separator=" ").strip() if heading is not None else ""
    position = page_text.find(heading_text) if len(heading_text) >= meta_rules.MIN_HEADLINE_CHARS else -1
    if position < 0 and title and len(title) >= meta_rules.MIN_HEADLINE_CHARS:
        heading_text = title
        position = page_text.find(heading_text)
    if position < 0 and top_without_headline:
        # no headline in the text: the top of the page below its menus stands for it
        page_text, heading_text, position = text.without_menus(), "", 0
    if position < 0:
        return None
    if heading_text and page_text.find(heading_text, position + len(heading_text)) >= 0:
        menu_free = text.without_menus()  # the headline printed twice: the first may be a menu's copy
        position_in_story = menu_free.find(heading_text)
        if position_in_story >= 0:
            page_text, position = menu_free, position_in_story
    window, after = _window(page_text, position, heading_text, after_title)
    found = _printed_date(window, after) or _printed_date(window[: after + len(heading_text)], 0)
    if found:
        return day_first_date(found) if text.day_first and ambiguous(found) else normalize_date(found)
    # a month name in another language ("5. Oktober 2013"), after the headline first, then before it
    printed = find_printed_date(window[after:]) or find_printed_date(window[: after + len(heading_text)])
    if printed:
        return printed[2]
    if after_title <= meta_rules.TEXT_DATE_CLOSE_AFTER_TITLE:
        return _short_date(window[after:])
    return None


def _short_date(text: str) -> str | None:
    """A date with a two-digit year ("Von: Ann Lee | 31.10.23"), as German pages print it by the headline:
    read in the close window only (further off, such figures are as often scores or versions)."""
    match = meta_rules.SHORT_TEXT_DATE.search(text)
    return normalize_date(match.group(0)) if match else None


def _window(page_text: str, position: int, heading_text: str, after_title: int) -> tuple[str, int]:
    """The text around the headline searched for its date, and where the headline starts in it:
    TEXT_DATE_BEFORE_TITLE characters before, `after_title` after. The close window counts visible
    characters (whitespace runs as one space): a theme's indentation must not push the date it prints by
    the headline out of it, nor let it drift in and out as the whitespace of other parts changes. The wide
    window stays in raw characters (read in visible ones, it reaches the teasers' dates further down)."""
    length = len(heading_text)
    if after_title > meta_rules.TEXT_DATE_CLOSE_AFTER_TITLE:
        start = max(0, position - meta_rules.TEXT_DATE_BEFORE_TITLE)
        return page_text[start : position + length + after_title], position - start
    reach = meta_rules.WINDOW_RAW_FACTOR
    before_raw = page_text[max(0, position - meta_rules.TEXT_DATE_BEFORE_TITLE * reach) : position]
    after_raw = page_text[position + length : position + length + after_title * reach]
    before = " ".join(before_raw.split())[-meta_rules.TEXT_DATE_BEFORE_TITLE :] + " "
    return before + heading_text + " " + " ".join(after_raw.split())[:after_title], len(before)


def _printed_date(text: str, start: int) -> str | None:
    """The first date in the text from `start` that is not inside a script's JSON or a URL.

    The full pattern is tried only around each four-digit year: scanning all the text with it is slow.
    """
    for year in meta_rules.TEXT_YEAR.finditer(text, start):
        low = max(start, year.start() - meta_rules.TEXT_DATE_BEFORE_YEAR)
        match = meta_rules.TEXT_DATE.search(text, low, year.end() + meta_rules.TEXT_DATE_AFTER_YEAR)
        if match and (match.start() == 0 or text[match.start() - 1] not in meta_rules.NOT_PRINTED_BEFORE):
            return match.group(0)
    return None
