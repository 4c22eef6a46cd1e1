"""Hidden and overlay containers (modals, consent panels, login dialogs), dropped before the story vote."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

# elements a reader does not see on arrival: hidden by attribute or inline style, or dialogs over the page
HIDDEN_SELECTOR = ", ".join(
    [
        "[hidden]",
        "[aria-hidden=true]",
        "[aria-modal=true]",
        "[role=dialog]",
        "[role=alertdialog]",
        "[style*=none]",
        "[style*=hidden]",
        "[class*=modal]",
        "[class*=popup]",
        "[class*=consent]",
        "[class*=cookie]",
        "[class*=gdpr]",
        "[class*=login]",
        "[class*=signin]",
        "[id*=modal]",
        "[id*=popup]",
        "[id*=consent]",
        "[id*=cookie]",
        "[id*=gdpr]",
        "[id*=login]",
    ]
)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# a whole class or id token naming an overlay ("login-modal", "cookie-banner", "cookiehint", "consent"; or
# two words before it, the first joined by "-": "mollie-donation-modal", "m-articleRegist_login"), never a
# state of the page ("modal-open" on <body>), a word inside another ("blogin") or a WordPress taxonomy term
# ("tag-cookies", "recipe_course-cookies": "_" then "-" is a taxonomy's name, then its term)
_NOT_OVERLAY_WORD = r"(?!(?:tag|category|cat|topic|author|post|format|section|type)[-_])"
OVERLAY_LABEL = re.compile(
    rf"(?<![\w-])(?:{_NOT_OVERLAY_WORD}[a-z0-9]+[-_]|{_NOT_OVERLAY_WORD}[a-z0-9]+-{_NOT_OVERLAY_WORD}[a-z0-9]+[-_])?"
    r"(?:modal|popup|pop-up|consent|cookies?|gdpr|login|signin|sign-in)"
    r"(?:[-_]?(?:dialog|content|banner|notice|hint|info|alert|warning|settings|bar|box|wrapper|container|"
    r"overlay|panel|form|modal|popup|layer|window|wall|message|inner))*(?![\w-])",
    re.IGNORECASE,
)
# never removed: the page's story marked as such, or a node holding the headline
KEEP_SELECTOR = "[itemprop=articleBody], h1"


def remove_hidden(root: LexborNode) -> None:
    """Drop hidden elements and overlay dialogs under `root` unless they hold the story's own markers."""
    seen: set[int] = set()
    for node in root.css(HIDDEN_SELECTOR):
        if node.mem_id in seen or node.tag in ("body", "html", "head") or node.parent is None:
            continue
        seen.add(node.mem_id)
        if _is_hidden_or_overlay(node) and node.css_first(KEEP_SELECTOR) is None:
            node.decompose()


def _is_hidden_or_overlay(node: LexborNode) -> bool:
    attributes = node.attributes
    if "hidden" in attributes or attributes.get("aria-hidden") == "true":
        return True
    if attributes.get("aria-modal") == "true" or attributes.get("role") in ("dialog", "alertdialog"):
        return True
    if HIDDEN_STYLE.search(attributes.get("style") or ""):
        return True
    return OVERLAY_LABEL.search(f"{attributes.get('class') or ''} {attributes.get('id') or ''}") is not None
