"""Furniture-churn stability: perturb what lies outside the story, count pages whose extracted fields change.

Every development page is extracted once as served (after one parse and serialisation, so that the
serialiser's own normalisation never counts), then once per perturbation of its furniture:
- list_add / list_remove: an item added to, or removed from, a list none of whose items is in the story text
  (sidebars, "Most read", related links);
- counter: a short number outside the story changed ("12 comments" -> "13 comments"; a number in an
  element of its own inside a short date is the date's day, left alone);
- ad_slot: an ad container with its label inserted at the top of the body and before the last block;
- scripts: an inline script added to the head and the body, and the text of the page's plain scripts changed.
A page counts as changed when its title, byline, published or modified date or body text differs. Target 0.

Usage: python benchmarks/bench_churn.py [--limit N] [--step K] [--sets a,b] [--show N]
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.extraction import extract  # noqa: E402
from monitor.extraction.rules import INVISIBLE_MARKS  # noqa: E402
from testbed.metric import DEVELOPMENT_SETS, load_pages  # noqa: E402

_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"\w+")
_ITEM_PREFIX = 40  # word characters of a list item looked up in the story
_COUNTER = re.compile(r"^\D{0,24}?(\d{1,5})\D{0,24}$")
_DATE_LIKE = re.compile(r"(?:19|20)\d\d|\d:\d\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.I)
_AD_SLOT = '<div class="ad-slot" id="ad-slot-churn"><span class="ad-label">Advertisement</span></div>'
_SCRIPT = "<script>window.__churn = {nonce: 'b9f3c1', slot: 7};</script>"

Fields = tuple[str | None, ...]


def _fields(html: str, url: str) -> Fields:
    article = extract(html, url=url)
    return article.title, article.byline, article.published, article.modified, article.text


def _key(text: str) -> str:
    """Text as the story holds it: spaces collapsed, no invisible marks (extraction drops them)."""
    for mark in INVISIBLE_MARKS:
        text = text.replace(mark, "")
    return _SPACES.sub(" ", text).strip()


def _visible_text(node: LexborNode) -> str:
    """The node's text without its ruby annotations (extraction drops <rt> and <rp>)."""
    text = node.text()
    for annotation in node.css("rt, rp"):
        text = text.replace(annotation.text(), "", 1)
    return text


def _furniture_lists(tree: LexborHTMLParser, story: str) -> list[LexborNode]:
    """Lists of at least two items none of which is in the extracted story text. Items and story are compared
    by their word characters alone: an item's blocks run together in its text ("that year!How to avoid")
    and stand apart in the story's, whose quotes are normalised, and a story item must never count as
    furniture."""
    found = []
    squeezed = _squeeze(story)
    for listing in tree.css("ul, ol"):
        items = [child for child in listing.iter() if child.tag == "li"]
        texts = [_squeeze(_visible_text(item)) for item in items]
        # an item whose opening words are in the story is the story's, even when its cleaning cut a part; so
        # is one with a run of text in the story anywhere (its heading link dropped as the title, its date
        # moved)
        if len(items) >= 2 and all(texts) and not any(text[:_ITEM_PREFIX] in squeezed for text in texts):
            if not any(_holds_story_text(item, squeezed) for item in items):
                found.append(listing)
    return found


def _holds_story_text(item: LexborNode, squeezed_story: str) -> bool:
    for node in item.traverse(include_text=True):
        if node.tag != "-text":
            continue
        text = _squeeze(node.text_content or "")
        if len(text) >= _ITEM_PREFIX and text in squeezed_story:
            return True
    return False


def _squeeze(text: str) -> str:
    return "".join(_WORDS.findall(text))


def list_add(tree: LexborHTMLParser, story: str) -> bool:
    lists = _furniture_lists(tree, story)
    if not lists:
        return False
    last = [child for child in lists[-1].iter() if child.tag == "li"][-1]
    # inside a link card the item is plain text: a link in a link cannot be parsed back as written
    item = "Another story readers opened today"
    inside_link = any(ancestor.tag == "a" for ancestor in _ancestors(lists[-1]))
    last.insert_after(
        _fragment(f"<li>{item}</li>" if inside_link else f'<li><a href="/churn-story">{item}</a></li>')
    )
    return True


def _ancestors(node: LexborNode) -> list[LexborNode]:
    found = []
    parent = node.parent
    while parent is not None:
        found.append(parent)
        parent = parent.parent
    return found


def list_remove(tree: LexborHTMLParser, story: str) -> bool:
    lists = _furniture_lists(tree, story)
    if not lists:
        return False
    [child for child in lists[0].iter() if child.tag == "li"][0].decompose()
    return True


def counter(tree: LexborHTMLParser, story: str) -> bool:
    body = tree.body
    if body is None:
        return False
    changed = False
    for node in body.css("span, a, div, li, em, strong, b, small"):
        own = _key(node.text(deep=False))
        if not own or len(own) > 40 or _DATE_LIKE.search(own) or own in story or _in_a_date(node):
            continue
        match = _COUNTER.match(own)
        if match is None or any(child.tag != "-text" for child in node.iter(include_text=False)):
            continue
        number = match.group(1)
        for text_node in node.iter(include_text=True):  # the element keeps its tag and attributes
            if text_node.tag == "-text" and number in (text_node.text(deep=False) or ""):
                text_node.replace_with(
                    (text_node.text(deep=False) or "").replace(number, str(int(number) + 1), 1)
                )
                break
        changed = True
    return changed


def _in_a_date(node: LexborNode) -> bool:
    """A number in an element of its own inside a short date ("<span>19</span> <span>April</span> 2019")
    is the date's day, not a counter."""
    parent = node.parent
    if parent is None:
        return False
    around = _key(parent.text())
    return len(around) <= 60 and bool(_DATE_LIKE.search(around))


def ad_slot(tree: LexborHTMLParser, story: str) -> bool:
    body = tree.body
    blocks = [child for child in body.iter()] if body is not None else []
    if body is None or not blocks:
        return False
    blocks[0].insert_before(_fragment(_AD_SLOT))
    blocks[-1].insert_before(_fragment(_AD_SLOT.replace("ad-slot-churn", "ad-slot-churn-2")))
    return True


def scripts(tree: LexborHTMLParser, story: str) -> bool:
    head, body = tree.head, tree.body
    if head is None or body is None:
        return False
    head.insert_child(_fragment(_SCRIPT, in_head=True))
    body.insert_child(_fragment(_SCRIPT))
    for script in tree.css("script"):
        kind = (script.attributes.get("type") or "text/javascript").lower()
        if "javascript" in kind and script.text():
            script.replace_with(_fragment(f"<script>{script.text()}\n;window.__churn2 = 3;</script>"))
    return True


def _fragment(markup: str, in_head: bool = False) -> LexborNode:
    parsed = LexborHTMLParser(f"<html><head>{markup}</head></html>" if in_head else f"<body>{markup}</body>")
    root = parsed.head if in_head else parsed.body
    assert root is not None and root.child is not None
    return root.child


PERTURBATIONS: dict[str, Callable[[LexborHTMLParser, str], bool]] = {
    "list_add": list_add,
    "list_remove": list_remove,
    "counter": counter,
    "ad_slot": ad_slot,
    "scripts": scripts,
}
FIELD_NAMES = ("title", "byline", "published", "modified", "text")


def main() -> None:
    """Perturb every development page's furniture and print the changed pages per perturbation."""
    warnings.simplefilter("ignore")
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--limit", type=int, default=None, help="pages per data set")
    options.add_argument("--step", type=int, default=1, help="take every K-th page")
    options.add_argument("--sets", default=",".join(DEVELOPMENT_SETS), help="comma-separated data sets")
    options.add_argument("--show", type=int, default=5, help="list up to N changed pages per perturbation")
    args = options.parse_args()

    applied = dict.fromkeys(PERTURBATIONS, 0)
    changed: dict[str, list[str]] = {name: [] for name in PERTURBATIONS}
    pages = 0
    for data_set in args.sets.split(","):
        for page in load_pages(data_set, args.limit, args.step):
            pages += 1
            served = LexborHTMLParser(page.html).html or ""
            before = _fields(served, page.url)
            # the headline and byline are the story's too: a "#1" in a headline is no furniture counter
            story = _key(" \n ".join(field or "" for field in (before[0], before[1], before[-1])))
            for name, perturb in PERTURBATIONS.items():
                tree = LexborHTMLParser(served)
                if not perturb(tree, story):
                    continue
                applied[name] += 1
                after = _fields(tree.html or "", page.url)
                if after != before:
                    fields = [
                        field
                        for field, old, new in zip(FIELD_NAMES, before, after, strict=True)
                        if old != new
                    ]
                    changed[name].append(f"{data_set}/{page.page_id[:24]} ({', '.join(fields)})")

    print(f"{pages} pages")
    print("| perturbation | pages perturbed | pages whose fields changed |")
    print("|---|---|---|")
    for name in PERTURBATIONS:
        print(f"| {name} | {applied[name]} | {len(changed[name])} |")
    total = sum(len(pages_changed) for pages_changed in changed.values())
    print(f"| all | {sum(applied.values())} | {total} |")
    for name, pages_changed in changed.items():
        for line in pages_changed[: args.show]:
            print(f"  {name}: {line}")


if __name__ == "__main__":
    main()
