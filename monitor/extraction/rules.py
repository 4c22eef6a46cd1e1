"""Selectors, keywords and tunable constants of the extractor, kept as data (as trafilatura's xpaths.py)."""

from __future__ import annotations

import re

from monitor import headline


class Caseless:
    """An IGNORECASE pattern of lowercase words, searched in ASCII text by its case-sensitive twin over the
    text lowered: the same matches (ASCII text holds none of the few other characters IGNORECASE folds),
    ~7x faster on the class labels of every node."""

    __slots__ = ("folded", "lowered")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        if not pattern.pattern.islower():
            raise ValueError("a Caseless pattern is written in lowercase")
        self.folded = pattern
        self.lowered = re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)

    def search(self, text: str) -> bool:
        if text.isascii():
            return self.lowered.search(text.lower()) is not None
        return self.folded.search(text) is not None


# --- page bounds (decoding is monitor/charset.py's) -------------------------------------------------------
MAX_HTML_CHARS = 8_000_000  # larger pages are cut: bounded time per page, and no real story is that long
MAX_DEPTH_NODES = 4_000  # a chain of this many nested elements is a broken or hostile page

# --- tags removed with their content before anything else (never story text) ---------------------------
JUNK_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "map",
    "select",
    "button",
    "input",
    "textarea",
    "dialog",
    "link",
    "meta",
    "rt",  # ruby annotations: the reading printed over CJK characters (furigana), not words of the text
    "rp",
]

JUNK_SELECTOR = ", ".join(JUNK_TAGS)
CODE_SELECTOR = "script, style"  # dropped from the whole page once its JSON-LD is read
NOSCRIPT_STORY_CHARS = 200  # a <noscript> holding paragraphs of this much text is the story, not a fallback

# --- page chrome removed from the whole page before scoring (structural, low risk) -----------------------
CHROME_SELECTOR = ", ".join(
    [
        "nav",
        "footer",
        "aside",
        "#comments",
        "#respond",
        ".comments",
        ".comments-area",
        ".comment-list",
        ".commentlist",
        ".comment-respond",
        "#sidebar",
        ".sidebar",
    ]
)
# chrome removal skips nodes holding one of these (the story itself was marked up as chrome)
PROTECTED_SELECTOR = "[itemprop=articleBody]"
CHROME_MAX_CHARS = 15_000  # a "chrome" element holding more text than this wraps the story itself

# --- boilerplate blocks inside the story container (class / id keywords, case-insensitive) ---------------
BOILERPLATE_KEYWORDS = (
    "share",
    "social",
    "related",
    "comment",
    "newsletter",
    "subscri",
    "promo",
    "advert",
    "sponsor",
    "byline",
    "author",
    "recommend",
    "caption",
    "breadcrumb",
    "meta_",  # theme prefixes: jeg_meta_category, td_meta_date (post-meta, entry-meta: exact tokens)
    "_meta",
    "reading-time",
    "reading_time",
)
BOILERPLATE_ID_KEYWORDS = ("share", "related", "comment", "social")
# generic words matched as whole class tokens only ("elementor-widget" wraps every block of Elementor pages)
BOILERPLATE_EXACT_TOKENS = (
    "ad",
    "ads",
    "nav",
    "menu",
    "meta",
    "tags",
    "hide",
    "hidden",
    "widget",
    "sidebar",
    "popular",
    "pagination",
    "toolbar",
    "credit",
    "print",
    "signup",
    "cookie",
    "timestamp",
    "dateline",
    "post-meta",
    "entry-meta",
    "article-meta",
    "read-more",
    "readmore",
    "more-stories",
    "tag-list",
    "sharedaddy",
    "jp-relatedposts",
    "outbrain",
    "taboola",
    "disqus",
)
BOILERPLATE_TAGS = ("nav", "footer", "aside", "form", "figcaption", "time", "address")
# keywords match whatever the case: camelCase labels ("imageEmbedCaption", "relatedArticles") are as common
# as kebab-case ones, and BOILERPLATE_LABEL below ignores case too
BOILERPLATE_SELECTOR = ", ".join(
    [f"[class*={word} i]" for word in BOILERPLATE_KEYWORDS]
    + [f"[id*={word} i]" for word in BOILERPLATE_ID_KEYWORDS]
    + [f".{token}" for token in BOILERPLATE_EXACT_TOKENS]
    + list(BOILERPLATE_TAGS)
)
# the same keywords as one pattern over a "class id" label, to tell which of them a block's label holds
BOILERPLATE_LABEL = re.compile(
    "|".join(re.escape(word) for word in (*BOILERPLATE_KEYWORDS, *BOILERPLATE_ID_KEYWORDS))
    + r"|(?<![\w-])(?:"
    + "|".join(re.escape(token) for token in BOILERPLATE_EXACT_TOKENS)
    + r")(?![\w-])",
    re.IGNORECASE,
)
# an inline element inside a <p> with this many times its own text around it is part of the sentence (a
# dateline "KOBE –" opening the lede), whatever its class says
INLINE_TAGS = frozenset({"span", "b", "strong", "em", "i", "small", "abbr", "cite"})
SENTENCE_REST_RATIO = 2
# "comment" inside these words labels the story itself: an opinion piece ("commentary") or a match's live
# commentary ticker ("live-match-comment"), never the readers' comments
COMMENTARY_LABEL = re.compile(r"commentar(?:y|ies|e)|(?<![a-z])live[-_]?(?:match[-_]?)?comments?", re.I)
# when the boilerplate matches hold all but this share of a content container's text, they are its text (a
# forum thread whose posts are labelled "comment"), not furniture around it
MIN_UNLABELLED_SHARE = 0.1
# a boilerplate match is kept when it holds at least this share of the container's text (a mislabelled body)
BOILERPLATE_MAX_SHARE = 0.4
# an id of this many words is a jump anchor made from a section heading ("related-products-and-services"),
# not a widget label: its words say nothing about boilerplate
HEADING_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+){3,}$")
# an accordion panel is hidden until opened: the hidden tokens do not make it boilerplate
ACCORDION_LABEL = "accordion"
COLLAPSED_TOKENS = re.compile(r"(?<![\w-])(?:hide|hidden)(?![\w-])", re.IGNORECASE)
# a link wrapping blocks (a heading, paragraphs) is a card or a banner ("Sign up for a FREE trial"), not story
# text; longer text inside one link is a story wrapped by an unclosed <a>, which the parser stretches over it
LINK_CARD_BLOCKS = (
    "div",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "section",
    "article",
    "figure",
)
LINK_CARD_SELECTOR = ", ".join(f"a {tag}" for tag in LINK_CARD_BLOCKS)
LINK_CARD_MAX_CHARS = 400
# a table of contents: a block of at least this many links, every one to an anchor of the page itself
# ("#..."), that make up most of its text; its title and "hide" toggle go with it
TOC_LINK_SELECTOR = 'a[href^="#"]'
MIN_TOC_LINKS = 3
TOC_MIN_LINK_SHARE = 0.6
TOC_MAX_CLIMB = 6

# --- main-content scoring (readability-like) --------------------------------------------------------------
PARAGRAPH_SELECTOR = "p, pre, blockquote"
# a page whose paragraphs give less story text than this is scored again with the text written straight into
# its <div>s (a div's own text of MIN_DIV_TEXT_CHARS counts as a paragraph); that story is taken when it holds
# DIV_STORY_GAIN times the text (divs are scored only then: their own text is metadata and captions as often)
DIV_STORY_MAX_CHARS = 1000
MIN_DIV_TEXT_CHARS = 100
DIV_STORY_GAIN = 2.0
TEXT_BLOCK_TAGS = frozenset(
    {"p", "pre", "blockquote", "td", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a", "span"}
)
# a <br> in a <span> splits that span's text into lines when the first element above its inline wrappers
# (at most INLINE_HOLDER_CLIMB of them) is no text block: a story written as `div > span > span` text
INLINE_TAGS = frozenset({"span", "font", "b", "strong", "em", "i", "u", "small"})
INLINE_HOLDER_CLIMB = 4
MIN_PARAGRAPH_CHARS = 25
# a heading this long is a lede set in large type (a standfirst, a bold first paragraph), not a section title:
# it counts as a paragraph in the first vote
LEDE_HEADING_TAGS = frozenset({"h2", "h3", "h4"})
MIN_LEDE_HEADING_CHARS = 150
STORY_SELECTOR = f"{PARAGRAPH_SELECTOR}, br, h2, h3, h4"
# a page whose paragraphs give less story text than this is scored again with its list items: a list item this
# long, with no block inside and few links, is a paragraph of a story told as a list
MIN_STORY_CHARS = 200
MIN_PROSE_ITEM_CHARS = 150
PROSE_ITEM_BLOCKS = "p, div, ul, ol, table, h2, h3, blockquote, pre"  # not "li": css() matches the item
MAX_PROSE_ITEM_LINK_DENSITY = 0.3
ANCESTOR_WEIGHTS = (1.0, 0.5, 0.25)  # the parent, grandparent, great-grandparent of a paragraph
POSITIVE_CLASS = re.compile(
    r"article|body|content|entry|main|page|post|text|blog|story|hentry|prose", re.IGNORECASE
)
NEGATIVE_CLASS = re.compile(
    r"comment|meta|footer|footnote|foot|share|social|related|sidebar|promo|sponsor|popular|"
    r"recommend|newsletter|teaser|nav|menu|masthead|header|banner|combx|com-|contact|outbrain|"
    r"shoutbox|skyscraper|tags|tool|subscribe",
    re.IGNORECASE,
)
POSITIVE_LABEL = Caseless(POSITIVE_CLASS)
NEGATIVE_LABEL = Caseless(NEGATIVE_CLASS)
CLASS_WEIGHT = 25.0
LABEL_CACHE_SIZE = 8192
TOP_CANDIDATES = 5
SIBLING_SCORE_SHARE = 0.2  # siblings scoring at least this share of the best candidate join it
MIN_SIBLING_SCORE = 10.0

# --- text assembly -----------------------------------------------------------------------------------------
# characters a reader never sees inside a word: soft hyphen, zero-width space, word joiner, byte-order mark
# (the zero-width joiners stay: Persian, Indic scripts and emoji need them)
INVISIBLE_MARKS = ("\u00ad", "\u200b", "\u2060", "\ufeff")
# Unicode noncharacters mark structure in the flattened text: never used in interchange, unlike the
# private-use area that icon fonts fill
PARA_MARK = "\ufdd0"
LINE_MARK = "\ufdd1"
LINK_START = "\ufdd2"
LINK_END = "\ufdd3"
HEADING_MARK = "\ufdd4"
MARKS = PARA_MARK + LINE_MARK + LINK_START + LINK_END + HEADING_MARK
PARA_BLOCKS = "p, div, blockquote, pre, section, article, ul, ol, dl, table, tr, figure, header, hr, main"
LINE_BLOCKS = "li, br, dd, dt, td, th"
HEADING_BLOCKS = "h1, h2, h3, h4, h5, h6"
MAX_FURNITURE_CHARS = 60  # longer lines are never furniture like "Share this" or "Read more"
MAX_LINK_DENSITY = 0.7  # a paragraph whose text is more than this share link text is navigation
MIN_LINK_CHARS_TO_DROP = 1
# a first body paragraph that the title contains (or that contains the title) is the headline repeated
MIN_HEADLINE_KEY_CHARS = 12
HEADLINE_CONTAINED_SHARE = headline.HEADLINE_CONTAINED_SHARE  # the one rule: monitor/headline.py
# a line whose text outside its links is a call to action and at most a few words points elsewhere
# ("Related post: <a>X</a>", "Learn more about the <a>X program</a>"); with more words it is a sentence
MAX_CTA_EXTRA_WORDS = 3
CTA_LINE = re.compile(
    r"(?:related(?: post| article| story| reading| content)?s?\s*:|read (?:more|also|next)\b|see also\b|"
    r"also read\b|(?:learn|find out|read) more(?: about| on)?\b|subscribe\b|sign up\b|click here\b|"
    r"don'?t miss\b)",
    re.IGNORECASE,
)
# an affiliate disclosure ("If you buy through our links, we may earn a commission") is site furniture
MAX_DISCLOSURE_CHARS = 500
# A later paragraph longer than this many times the headline (plus the slack) is never compared with it.
TITLE_REPEAT_MAX_LENGTH_RATIO = 3
TITLE_REPEAT_SLACK_CHARS = 40
DISCLOSURE_HINTS = ("commission", "compensation", "affiliate", "qualifying purchases")
DISCLOSURE = re.compile(
    r"\b(?:we|i) (?:may|might|could|will) (?:earn|receive|get) (?:a )?(?:small )?(?:affiliate )?"
    r"(?:commissions?|compensation)\b|\b(?:contains?|includes?) affiliate links\b|"
    r"\bearn from qualifying purchases\b",
    re.IGNORECASE,
)
# a heading over a list of links to other stories
# the same in other languages ("Ähnliche Beiträge", "Lesen Sie auch", "Articles similaires")
RELATED_HEADINGS = (
    r"(?:ähnliche|verwandte|weitere|passende) (?:beiträge|artikel|themen|news|nachrichten)|"
    r"(?:das )?könnte (?:sie|dich) auch interessieren|lesen sie auch|mehr zum thema(?: \S+){0,3}|"
    r"articles? (?:similaires|liés|connexes)|à lire aussi|lire aussi|sur le même sujet|"
    r"(?:artículos|noticias) relacionad[oa]s|te puede interesar|lee también|"
    r"articoli correlati|leggi anche|gerelateerde artikelen|lees ook|"
    r"artigos relacionados|leia também|relaterade artiklar|powiązane artykuły"
)
MORE_STORIES_HEADING = re.compile(
    r"^(?:(?:more|other|related|recommended|popular|latest|top|further) (?:\S+ ){0,3}"
    r"(?:stories|articles|posts|news|reads|reading|coverage)|more (?:on|from|about)(?: \S+){1,3}|"
    + RELATED_HEADINGS
    + r")\W*$",
    re.IGNORECASE,
)
# a line this short that holds only the author names, byline words and a date is the byline, not story text
MAX_BYLINE_LINE_CHARS = 100
BYLINE_LINE_ANCHOR = re.compile(r"\b(?:by|(?:19|20)\d\d)\b")
BYLINE_LINE_FILLER = re.compile(
    r"\b(?:by|written|posted|published|updated|reviewed|edited|and|on|at|in|of|author|authors|staff|writer|"
    r"editor|am|pm|gmt|utc|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|"
    r"april|june|july|august|september|october|november|december|\d+|st|nd|rd|th)\b"
)
# short lines that are page furniture wherever they appear
BOILERPLATE_LINE = re.compile(
    r"^(read (also|more|next)|see also|related( (posts|articles|stories|content))?|advertisement|"
    r"share( this( (article|story|post))?)?( on \w+)?|tweet|email|print|sponsored|more on this( story)?|"
    r"recommended( for you)?|continue reading|subscribe|sign up|follow us|previous post|next post|"
    r"leave a (reply|comment)|you may also like|also read|most popular|comments?|advert|tags?|related links|"
    r"top stories|partner news|more stories|trending( now)?|latest news|" + RELATED_HEADINGS + "|"
    r"(table of )?contents( \[?(hide|show|toggle)\]?)?|"
    r"this slideshow requires javascript\.?|"
    r"image( source)?:?.*|photo:.*|(image|photo) credits?:?.*|click here to .*|loading\.*|"
    r"reading time:? .*|\d+ min(ute)?s? read|"
    # rivers, prompts and boxes in other words and languages ("Meistgelesene Artikel", "War der Artikel
    # nützlich?", "Über den Autor")
    r"most (read|viewed|shared|discussed|commented)( (stories|articles|posts|news))?|"
    r"meist(gelesen|diskutiert|kommentiert|geklickt)e?( (artikel|beiträge|nachrichten|news))?|"
    r"(die )?redaktion empfiehlt|"
    r"(was|war) (this|der|dieser) (article|artikel|beitrag|post) (helpful|useful|hilfreich|nützlich)|"
    r"(möchten sie|willst du) (den|diesen) (artikel|beitrag) teilen|"
    r"(gefällt|gefiel) (ihnen|dir) (dieser|der) (artikel|beitrag)|"
    r"did you (like|enjoy) this (article|story|post)|"
    r"(rezept )?drucken|print (this )?(recipe|article|page)|"
    r"über (den autor|die autorin)|about the author|à propos de l'auteur|"
    r"zum weiterlesen|weiterlesen|mehr lesen|lire la suite|lire plus|leer más|seguir leyendo|"
    r"continua a leggere|leggi (di più|tutto)|lees (meer|verder)|ler mais|czytaj (dalej|więcej)|"
    r"(kostenlos )?(zum |für den )?newsletter (anmelden|abonnieren))\W*$",
    re.IGNORECASE,
)

# --- main-content scoring (continued) -----------------------------------------------------------------
GLOBAL_CHROME_REMOVAL = True
LINK_ANCESTOR_LEVELS = 4  # paragraphs this close below an <a> are teaser cards
MAX_CLIMB = 30  # levels of ancestors that collect paragraph text
MIN_CLIMB_PARAGRAPH_CHARS = 100  # shorter paragraphs (teasers, captions) do not pull the container up
CLIMB_LOOKAHEAD = 8  # ancestors looked at for one widening step
CLIMB_RATIO = 1.5  # widen the container when an ancestor holds this many times its paragraph text
