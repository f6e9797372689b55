"""Post text as HTML: everything escaped, links and real mentions linked, spoilers wrapped, attachment
styles applied; the output always passes the sanitiser unchanged in meaning."""

from __future__ import annotations

from typing import Any

import pytest

from spool.posts.rendering import render_attachment, render_post_text
from tests.posts.conftest import Person

pytestmark = pytest.mark.django_db


def test_text_is_escaped_and_line_breaks_kept() -> None:
    html = render_post_text('<img src=x onerror="alert(1)">\nline two & "quotes"')
    assert html == '&lt;img src=x onerror="alert(1)"&gt;<br>line two &amp; "quotes"'


def test_spoilers_wrap_their_ranges_even_across_links() -> None:
    text = "spoil https://example.com/x end"
    html = render_post_text(text, [[0, 5], [10, 10]])
    assert html.startswith('<span class="spoiler">spoil</span> ')
    # The link is cut by both spoiler boundaries: each of its three pieces links to the whole URL.
    assert html.count('href="https://example.com/x"') == 3
    assert '<span class="spoiler"><a href="https://example.com/x" rel="nofollow noopener noreferrer">' in html


def test_ranges_outside_the_text_are_ignored_when_rendering() -> None:
    assert render_post_text("short", [[3, 10], [-1, 1], ["a", 1]]) == "short"


def test_mentions_link_only_real_accounts_when_known() -> None:
    html = render_post_text("@ana and @ghost.", mention_handles=["Ana"])
    assert html.startswith('<a href="/@ana" rel="nofollow noopener noreferrer">@ana</a> and @ghost.')


def test_javascript_urls_never_become_links() -> None:
    html = render_post_text("javascript:alert(1) www.example.com")
    assert "javascript:alert(1) " in html and 'href="https://www.example.com"' in html
    assert 'href="javascript' not in html


def test_attachment_styles_nest_the_same_way_whatever_their_order() -> None:
    one = render_attachment("abcdef", [{"offset": 0, "length": 6, "styles": ["italic", "bold"]}])
    two = render_attachment(
        "abcdef",
        [{"offset": 0, "length": 6, "styles": ["bold"]}, {"offset": 0, "length": 6, "styles": ["italic"]}],
    )
    assert one == two == "<strong><em>abcdef</em></strong>"
    styled = render_attachment(
        "under strike <tag>",
        [
            {"offset": 0, "length": 5, "styles": ["underline"]},
            {"offset": 6, "length": 12, "styles": ["strikethrough"]},
        ],
    )
    assert styled == "<u>under</u> <s>strike &lt;tag&gt;</s>"


def test_edit_history_is_rendered_safely(ana: Person, anon: Any) -> None:
    post = ana.write("<b>first</b>", spoilers=[[0, 3]])
    ana.send("patch", post["id"], {"text": "second", "spoilers": []})
    edits = anon.get(f"/api/spool/v1/posts/{post['id']}/edits").json()
    assert edits[0]["html"] == '<span class="spoiler">&lt;b&gt;</span>first&lt;/b&gt;'


def test_logged_out_visitors_read_public_posts_and_threads(ana: Person, bob: Person, anon: Any) -> None:
    post = ana.write("Public")
    bob.reply(post, "Reply")
    body = anon.get(f"/api/spool/v1/posts/{post['id']}").json()
    assert body["viewer_liked"] is False and body["replies_count"] == 1
    thread = anon.get(f"/api/spool/v1/posts/{post['id']}/thread").json()
    assert [r["post"]["text"] for r in thread["replies"]] == ["Reply"]
    assert anon.post(f"/api/spool/v1/posts/{post['id']}/like").status_code == 401


def test_likers_leave_out_people_blocked_either_way(ana: Person, bob: Person, cy: Person) -> None:
    post = ana.write("Like me")
    bob.act(post, "like")
    cy.act(post, "like")
    cy.block(bob)
    assert [a["handle"] for a in bob.get(f"{post['id']}/likers").json()["items"]] == ["bob"]
    assert [a["handle"] for a in ana.get(f"{post['id']}/likers").json()["items"]] == ["cy", "bob"]
