"""Metadata sources and patterns (JSON-LD types, meta names, date and byline forms), kept as data."""

from __future__ import annotations

import re

# --- metadata ----------------------------------------------------------------------------------------------
JSON_LD_TYPE = "application/ld+json"
JSON_LD_SELECTOR = f'script[type="{JSON_LD_TYPE}"]'
MAX_JSON_LD_OBJECTS = 200
# schema.org's whole Article family (https://schema.org/Article, "more specific types"), and the other
# creative works that carry a story's metadata
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "AdvertiserContentArticle",
        "NewsArticle",
        "AnalysisNewsArticle",
        "AskPublicNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReportageNews",
        "ReviewNewsArticle",
        "Report",
        "SatiricalArticle",
        "ScholarlyArticle",
        "MedicalScholarlyArticle",
        "SocialMediaPosting",
        "BlogPosting",
        "LiveBlogPosting",
        "DiscussionForumPosting",
        "TechArticle",
        "APIReference",
        "Review",
        "Recipe",
        "HowTo",
        "VideoObject",
        "MedicalWebPage",
    }
)
PAGE_TYPES = frozenset({"WebPage", "ItemPage", "CollectionPage", "AboutPage", "FAQPage", "QAPage"})
AUTHOR_TYPES = frozenset({"Person", "Organization", "NewsMediaOrganization"})
META_TITLE = ("og:title", "twitter:title", "dc.title", "citation_title", "parsely-title", "sailthru.title")
META_DESCRIPTION = ("og:description", "description", "twitter:description", "dc.description")
META_IMAGE = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
META_SECTION = ("article:section", "parsely-section", "section", "category", "dc.subject")
META_SITE_NAME = ("og:site_name", "application-name", "twitter:site")
META_URL = ("og:url", "twitter:url")
META_LANGUAGE = ("og:locale", "language", "content-language", "dc.language")
# a site's own name for the same ("w-published-date", "dcterms.publish_date"), tried after META_PUBLISHED
PUBLISHED_META_NAME = re.compile(r"(?:^|[-_.:])(?:first[-_]?)?publish(?:ed)?[-_.]?(?:date|time|datetime)$")
META_PUBLISHED = (
    "article:first_published_time",
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "published-date",
    "published_date",
    "article:published",
    "og:pubdate",
    "datecreated",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "citation_publication_date",
    "citation_date",
    "article.published",
    "og:published_time",
    "release_date",
    "published",
    "published_at",
    "published-time",
    "publisheddate",
    "publish_date",
    "pub_date",
    "date-pub",
    "og:publish_date",
    "og:datepublished",
    "article.created",
    "article_date_original",
    "article-published_time",
    "shareaholic:article_published_time",
    "cxenseparse:publishtime",
    "dcsext.articlefirstpublished",
    "dcterms.date",
    "dcterms.issued",
    "citation_online_date",
)
META_MODIFIED = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
    "article.updated",
    "og:article:modified_time",
    "og:modified_time",
    "article:modified",
    "article_date_updated",
    "shareaholic:article_modified_time",
    "modified-date",
    "updated-date",
    "last-updated",
)
META_OWNER = ("copyright", "publisher", "dc.publisher", "dc.rights")  # who owns the page: no author
META_AUTHOR = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "citation_author",
    "byl",
)
META_TAGS = ("article:tag", "news_keywords", "keywords", "parsely-tags")
MIN_HEADLINE_CHARS = 10
MAX_HEADLINE_CHARS = 250
TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:·»]\s+")
PUBLISHED_SELECTORS = (
    "[itemprop=datePublished], [property$=datePublished], [property$=dateCreated], time[pubdate], "
    "time.published, abbr.published[title], time.entry-date, .published[datetime], time[datetime], time"
)
# JSON-LD keys read for the published date, in order: types without datePublished (VideoObject) carry these
JSON_LD_PUBLISHED_KEYS = ("datePublished", "uploadDate", "dateCreated")
# last resort for the published date: short texts in elements whose class says they hold a date
DATE_CLASS_SELECTORS = "[class*=date i], [class*=publish i], [class*=publica i]"  # itemPostDate, publication
MAX_DATE_TEXT_CHARS = 60
UPDATE_LABEL = re.compile(r"updat|modif|aktualis", re.IGNORECASE)  # a <time>'s class saying it is the update
UPDATE_TEXT_CHARS = 40  # text before a <time> read for an "Updated" label
URL_DATE_SLACK_DAYS = 1  # a structured date this close to the URL's is the same publication (time zones)
MODIFIED_SELECTORS = "[itemprop=dateModified], time.updated, time.modified"
AUTHOR_SELECTORS = (
    "[itemprop=author] [itemprop=name], [itemprop=author], [rel=author], .author-name, .byline__name, "
    ".author .fn, .byline a, .byline, .author, .post-author, .entry-author",
    "[class*=author], [class*=byline], a[href*='/author/']",
)
# a name in a comment thread ("comment-author") is a reader's, never the story's byline
COMMENT_LABEL = re.compile(r"comment|respond|reply|discussion", re.IGNORECASE)
BYLINE_PREFIX = re.compile(
    r"^(?:(?:written|posted|reviewed|published)?\s*by:?|von|par|por|di|door|authors?:?)\s+", re.IGNORECASE
)
BYLINE_SUFFIX = re.compile(r"\s*(?:[|•·]|\s[-–—]\s).*$")
BYLINE_QUOTES = "\"'“”‘’ "
AUTHOR_SEPARATOR = re.compile(r"\s*(?:,\s*and\s+|\band\b|&|,|;|\|)\s*", re.IGNORECASE)
NAME_CHARS = re.compile(r"[^\W\d_]")
MAX_BYLINE_CHARS = 120
MAX_AUTHORS = 8  # co-authors read from one byline
MAX_DATE_CHARS = 80
MIN_YEAR = 1990
MAX_YEAR = 2100
DATE_WORD = re.compile(
    r"\d{4}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec",
    re.IGNORECASE,
)

# dates written out in the text near the headline ("Dec 26, 2025", "4 March 2024", "2024-03-04",
# "2025.12.17", "23.07.2025", "10/31/2024"); text nodes may be glued to the next word ("2024-11-23T08:10")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
TEXT_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?:19|20)\d{{2}}"
    r"|(?:19|20)\d{2}([-./])\d{1,2}\1\d{1,2}"
    r"|\d{1,2}([./])\d{1,2}\2(?:19|20)\d{2})(?!\d)",
    re.IGNORECASE,
)
# "31.10.23": day and month in two digits each, a two-digit year, standing alone (not a version "1.31.10.23")
SHORT_TEXT_DATE = re.compile(r"(?<![\d.])(?:0[1-9]|[12]\d|3[01])\.(?:0[1-9]|1[0-2])\.\d{2}(?![\d.])")
TEXT_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
TEXT_DATE_BEFORE_YEAR = 30  # "4th of September, 2025": the longest printed form before its year
TEXT_DATE_AFTER_YEAR = 6  # "2025-12-17": the longest after it
NOT_PRINTED_BEFORE = "\"'/="  # a date right after these is in inline JSON, a URL or an attribute, not printed
TEXT_DATE_BEFORE_TITLE = 400  # characters of page text searched before the headline
TEXT_DATE_AFTER_TITLE = 3000  # and after it
TEXT_DATE_CLOSE_AFTER_TITLE = 300  # a date this close after the headline beats a labelled one elsewhere
# menus, whose text the printed-date searches skip (a menu holds copies of headlines and dates of other pages)
NAVIGATION_SELECTOR = "nav, [role=navigation]"
WINDOW_RAW_FACTOR = 4  # raw page text read per visible character of a window (indentation, blank lines)
DAY_FIRST_ENGLISH = frozenset({"en-gb", "en-ie", "en-in", "en-au", "en-nz", "en-za", "en-uk"})
URL_LOCALE = re.compile(r"/([a-z]{2}[-_][a-zA-Z]{2})(?:/|$)")  # a path opening with a locale: /en-gb/
URL_DATE_RESTAMP_DAYS = 90  # a structured date this long after the URL's is a re-stamp: the URL's wins
