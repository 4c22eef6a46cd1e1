"""Issue 14, round 4: boilerplate labels inside the story container, whatever the case of their words."""

from __future__ import annotations

from monitor.extraction import extract


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>A page</title></head><body>{body}</body></html>"


def _story(count: int = 5) -> str:
    return "".join(
        f"<p>Paragraph {n} of the story tells readers what happened in the harbour town, where it happened, "
        f"and why the council thinks it matters to them this winter.</p>"
        for n in range(1, count + 1)
    )


def test_camel_case_caption_and_related_blocks_inside_the_story_go() -> None:
    caption = (
        '<div class="InlineImage-wrapper"><div class="InlineImage-imageEmbedCaption">The mayor, centre, '
        "walks past the harbour bridge during the opening ceremony in the town on Monday.</div></div>"
    )
    related = (
        '<div class="ArticleBody-relatedArticles"><p>Harbour towns across the coast have asked for the '
        "same money this year, and most of them were refused by the ministry.</p></div>"
    )
    html = _page(f'<div class="ArticleBody-articleBody">{caption}{_story(3)}{related}{_story(2)}</div>')
    text = extract(html).text
    assert "Paragraph 1 of the story" in text and "Paragraph 2 of the story" in text
    assert "walks past the harbour bridge" not in text
    assert "asked for the same money" not in text


def test_a_forum_thread_whose_posts_are_labelled_comments_keeps_them() -> None:
    posts = "".join(
        f'<div class="forum-comment"><div class="forum-comment-info"><span>member{n}</span></div>'
        f'<div class="forum-comment-text"><p>Post {n}: since the update my phone cannot reach the app store '
        f"over mobile data, only on wifi, and a network reset did not help at all.</p></div></div>"
        for n in range(1, 6)
    )
    html = _page(f'<main id="content"><h2>No app store over mobile data</h2>{posts}</main>')
    text = extract(html).text
    assert "Post 1: since the update" in text and "Post 5: since the update" in text


def test_reader_comments_under_a_story_still_go() -> None:
    comments = "".join(
        f'<div class="CommentItem"><p>Reader {n} says the council should have fixed the roads first, years '
        f"ago.</p></div>"
        for n in range(1, 4)
    )
    html = _page(f'<div class="ArticleBody">{_story(4)}{comments}</div>')
    text = extract(html).text
    assert "Paragraph 4 of the story" in text
    assert "Reader 1 says" not in text
