"""The URL and anchor patterns that mark a listing page's link as navigation, not a story, kept as data.

They name classes of link (legal and about pages, newsletters and subscriptions, shops and deals, hubs and
topic/program/series/tag/author templates, comment and count anchors, filtered and sorted listings), never
one site's URLs; what a site's own templates turn out to be is learned (monitor/discover/shapes.py).
"""

from __future__ import annotations

import re

# Words that, as a whole slug or as a slug's first or last word, name site furniture, not a story
# (`/terms-and-conditions`, `/rss-terms-of-use/`, `/work-with-us/`, `/software-architects-newsletter/`).
FURNITURE_WORDS = (
    "terms", "privacy", "cookie", "cookies", "legal", "imprint", "impressum", "disclaimer", "accessibility",
    "about", "contact", "careers", "career", "jobs", "advertise", "advertising", "newsletter", "newsletters",
    "subscribe", "subscription", "subscriptions", "signin", "signup", "login", "logout", "register",
    "account", "profile", "donate", "membership", "faq", "faqs", "help", "support", "sitemap", "feed",
    "feeds", "rss", "deals", "deal", "offers", "offer", "coupons", "coupon", "promo", "promotions", "shop",
    "store", "cart", "checkout", "pricing", "plans", "corrections", "masthead", "staff", "team",
    "licensing", "permissions", "reprints", "syndication", "ethics", "policy", "policies", "guidelines",
)  # fmt: skip
# A longer slug starting or ending with such a word is a headline ("store-closures-hit-main-street").
MAX_FURNITURE_WORDS = 4
# Phrases inside a slug that only furniture pages use.
FURNITURE_PHRASES = re.compile(
    r"(^|-)(terms-(of|and)|work-with-us|about-us|contact-us|sign-(in|up)|log-(in|out)|"
    r"privacy-(policy|notice)|cookie-(policy|settings)|code-of-(conduct|ethics)|"
    r"how-to-(subscribe|advertise|contact))(-|$)"
)
# First path segments (or any segment followed by at most one more) that open a hub, not a story:
# `/hub/<slug>`, `/topics/<slug>`, `/programs/<slug>`, `/series/770565791/...`, `/organization/17023280/...`,
# `/tagged/<slug>`, and a CMS's static pages (`/pages/how-we-rate`, `/pages/shipping`).
HUB_SEGMENTS = frozenset(
    {
        "tag", "tags", "topic", "topics", "category", "categories", "author", "authors", "hub", "hubs",
        "series", "program", "programs", "programmes", "show", "shows", "people", "person", "profiles",
        "organization", "organizations", "inside", "db", "collections", "collection",
        "channel", "channels", "subject", "subjects", "keyword", "keywords", "label", "labels",
        "contributor", "contributors", "columnist", "columnists", "writers", "search", "user", "users",
        "page", "list", "lists", "filter", "sort", "events", "wp-admin", "cdn-cgi", "members", "tagged",
        "pages",
    }
)  # fmt: skip
# Segments that are navigation only when they end the path: `/archive/`, `/weather/`, `/podcasts/`
# (but `/ideas/archive/2023/12/<slug>/676920/` and `/weather/2024/05/01/<slug>` are stories).
LAST_SEGMENT_ONLY = frozenset(
    {"archive", "archives", "weather", "podcasts", "podcast", "video", "videos", "games", "horoscope", "live"}
)
# Anchors that count or open a thread rather than name a story: "15 Comments", "Reply", "3 shares", "1.2k"
# (a dotted version number, "6.19.6", names a release: not a count).
COUNT_ANCHOR = re.compile(
    r"^\W*(\d[\d,]*(\.\d+)?\s*[kKmM]?\s*)?(comments?|replies|reply|responses|reactions|shares?|views?|likes?|"
    r"votes?|answers?|posts?|kommentare?|commentaires?|comentarios?)?\W*$",
    re.IGNORECASE,
)
# Query parameters of paginated, filtered, sorted or searched listings (`?sort=`, `?filter=`, `?page=2`).
LISTING_PARAMS = frozenset(
    {
        "page", "p", "pg", "paged", "offset", "start", "limit", "per_page", "perpage", "sort", "sortby",
        "sort_by", "order", "orderby", "order_by", "filter", "filters", "view", "display", "q", "s", "query",
        "search", "type", "category", "tag", "topic", "author", "format", "range", "from", "to",
    }
)  # fmt: skip
# A path segment that is a range or page number of a listing: `/list/1-10/`, `/page-2/`, `/p3/`.
LISTING_SEGMENT = re.compile(r"^(\d{1,3}-\d{1,3}|page-?\d+|p\d{1,3})$")
STATIC_EXTENSIONS = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".css", ".js", ".json", ".xml", ".rss",
    ".pdf", ".zip", ".gz", ".mp3", ".mp4", ".m4a", ".mov", ".avi", ".webm", ".woff", ".woff2", ".ttf",
    ".txt", ".csv", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".epub", ".apk", ".exe", ".dmg",
)  # fmt: skip
# A date in the path, also inside a slug (`/the-community-spotlight-2023-12-10/`).
DATE_IN_PATH = re.compile(
    r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-](0?[1-9]|[12]\d|3[01]))?(/|$|-)|/(19|20)\d{6}/|"
    r"(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
)

# A path that ends in a date and nothing after it is that date's archive (`/magazine/issue/2022/06`,
# `/2024/05/01/`): a listing of the day's or month's stories, never one of them.
DATE_ARCHIVE = re.compile(r"/(19|20)\d{2}(/(0?[1-9]|1[0-2])(/(0?[1-9]|[12]\d|3[01]))?)?/?$")

# An e-mail address in the path (`/ml/all/<message-id>%40example.com/`): a mailing-list message or a
# profile, never a story.
EMAIL_IN_PATH = re.compile(r"[\w.+-](@|%40)[\w-]+\.[\w.-]+", re.IGNORECASE)


def is_furniture_slug(segment: str) -> bool:
    """A slug that names a legal, about, account, newsletter, subscription or shop page."""
    stem = segment.rsplit(".", 1)[0] if "." in segment else segment
    words = [word for word in re.split(r"[-_+]", stem) if word]
    if not words:
        return False
    if FURNITURE_PHRASES.search(stem):
        return True
    return len(words) <= MAX_FURNITURE_WORDS and (words[0] in FURNITURE_WORDS or words[-1] in FURNITURE_WORDS)


# "Comments (12 posted)", "Replies (none)": a thread's counter with its count in brackets.
COUNT_IN_BRACKETS = re.compile(
    r"^\W*(comments?|replies|responses|reactions)\s*\([^)]{0,20}\)\W*$", re.IGNORECASE
)


def is_count_anchor(title: str | None) -> bool:
    """Anchor text that only counts or opens comments, replies or shares ("15 Comments", "Reply")."""
    if not title:
        return False
    if COUNT_IN_BRACKETS.match(title):
        return True
    return COUNT_ANCHOR.match(title) is not None and any(character.isalnum() for character in title)
