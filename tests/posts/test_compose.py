"""Writing a post through ``POST /api/spool/v1/posts/``: every rule, each limit on both sides of its edge,
and bad input answered with ``{"error", "code", "field"}`` and no change to the data."""

from __future__ import annotations

from typing import Any

import pytest

from spool.core.ratelimit import hit
from spool.posts.models import Mention, Post, Topic
from spool.posts.services.compose import POST_LIMIT
from tests.posts.conftest import Person

pytestmark = pytest.mark.django_db


def refused(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["error"]
    if field is not None:
        assert body.get("field") == field, body
    return body


def test_a_post_comes_back_as_the_author_sees_it(ana: Person) -> None:
    post = ana.write("Hello, Spool!")
    assert post["text"] == "Hello, Spool!"
    assert post["author"]["handle"] == "ana"
    assert post["url"] == f"/@ana/post/{post['id']}"
    assert post["likes_count"] == 0 and post["edited"] is False and post["is_reply"] is False
    assert ana.account.posts_count == 1


def test_text_of_500_is_accepted_and_501_refused(ana: Person) -> None:
    assert ana.try_post("a" * 500).status_code == 201
    refused(ana.try_post("a" * 501), 422, "text_too_long", "text")
    assert Post.objects.count() == 1


def test_emoji_count_their_utf8_bytes(ana: Person) -> None:
    # 😀 is 4 bytes: 124 of them count 496, plus 4 letters = 500.
    assert ana.try_post("😀" * 124 + "abcd").status_code == 201
    refused(ana.try_post("😀" * 124 + "abcde"), 422, "text_too_long", "text")
    refused(ana.try_post("😀" * 126), 422, "text_too_long", "text")


def test_a_post_needs_content(ana: Person) -> None:
    refused(ana.try_post(""), 422, "empty_post", "text")
    refused(ana.try_post("   \n "), 422, "empty_post", "text")
    assert Post.objects.count() == 0


def test_five_distinct_links_are_fine_six_are_not(ana: Person) -> None:
    five = " ".join(f"https://site{i}.example/page" for i in range(5))
    assert ana.try_post(five + " https://site0.example/page").status_code == 201  # a repeat is not a new link
    refused(ana.try_post(five + " www.six.example"), 422, "too_many_links", "text")


def test_attachment_of_10000_is_accepted_and_10001_refused(ana: Person) -> None:
    assert ana.try_post("long one", attachment_text="x" * 10_000).status_code == 201
    refused(
        ana.try_post("too long", attachment_text="x" * 10_001), 422, "attachment_too_long", "attachment_text"
    )
    assert Post.objects.count() == 1


def test_an_attachment_alone_is_a_post(ana: Person) -> None:
    post = ana.write("", attachment_text="Just the attachment")
    assert post["attachment"]["text"] == "Just the attachment"


def test_attachment_styles_must_fit_and_be_known(ana: Person) -> None:
    text = "Bold and highlighted words"
    post = ana.write(
        "see attachment",
        attachment_text=text,
        attachment_styles=[
            {"offset": 0, "length": 4, "styles": ["bold"]},
            {"offset": 9, "length": 11, "styles": ["highlight", "italic"]},
        ],
    )
    html = post["attachment"]["html"]
    assert "<strong>Bold</strong>" in html
    assert '<span class="highlight"><em>highlighted</em></span>' in html
    refused(
        ana.try_post(
            "x", attachment_text=text, attachment_styles=[{"offset": 20, "length": 7, "styles": ["bold"]}]
        ),
        422,
        "range_outside_text",
        "attachment_styles",
    )
    refused(
        ana.try_post(
            "x", attachment_text=text, attachment_styles=[{"offset": 0, "length": 3, "styles": ["blink"]}]
        ),
        422,
        "invalid_style",
        "attachment_styles",
    )
    refused(
        ana.try_post("x", attachment_styles=[{"offset": 0, "length": 1, "styles": ["bold"]}]),
        422,
        "styles_without_attachment",
        "attachment_styles",
    )


def test_an_attachment_does_not_go_with_a_poll(ana: Person) -> None:
    refused(
        ana.try_post("Which?", attachment_text="details", poll_options=["a", "b"]),
        422,
        "poll_with_attachment",
        "poll_options",
    )


def test_topic_from_the_field_is_stored_normalised_and_shown_without_hash(ana: Person, bob: Person) -> None:
    post = ana.write("Reading tonight", topic="#Book  Club")
    assert post["topic"] == {"name": "book club", "display": "Book Club", "url": "/topic/Book Club"}
    again = bob.write("Me too", topic="book club")
    assert again["topic"]["display"] == "Book Club"  # the first spelling is kept
    assert Topic.objects.get(name="book club").posts_count == 2


def test_topic_of_50_is_accepted_and_51_refused(ana: Person) -> None:
    assert ana.try_post("x", topic="t" * 50).status_code == 201
    refused(ana.try_post("x", topic="t" * 51), 422, "topic_too_long", "topic")


@pytest.mark.parametrize("topic", ["dot.net", "R&D"])
def test_topic_refuses_dots_and_ampersands(ana: Person, topic: str) -> None:
    refused(ana.try_post("x", topic=topic), 422, "topic_invalid_characters", "topic")
    assert Topic.objects.count() == 0


def test_topic_comes_from_the_first_hashtag_when_the_field_is_empty(ana: Person) -> None:
    post = ana.write("Off to the #Garden and then #cooking")
    assert post["topic"]["display"] == "Garden"
    assert post["topic"]["name"] == "garden"
    explicit = ana.write("Off to the #Garden", topic="Plants")
    assert explicit["topic"]["display"] == "Plants"
    assert ana.write("No tag here")["topic"] is None


def test_ten_spoilers_are_accepted_and_eleven_refused(ana: Person) -> None:
    text = "abcdefghijklmnopqrstuvwxyz"
    ten = [[i * 2, 1] for i in range(10)]
    post = ana.write(text, spoilers=ten)
    assert post["spoilers"] == ten
    assert post["html"].count('<span class="spoiler">') == 10
    refused(
        ana.try_post(text, spoilers=[[i * 2, 1] for i in range(11)]), 422, "too_many_spoilers", "spoilers"
    )


def test_spoilers_stay_inside_the_text_and_do_not_overlap(ana: Person) -> None:
    refused(ana.try_post("short", spoilers=[[3, 3]]), 422, "range_outside_text", "spoilers")
    refused(ana.try_post("short", spoilers=[[-1, 2]]), 422, "range_outside_text", "spoilers")
    refused(ana.try_post("short", spoilers=[[0, 0]]), 422, "range_outside_text", "spoilers")
    refused(ana.try_post("a longer text", spoilers=[[0, 4], [3, 2]]), 422, "overlapping_spoilers", "spoilers")
    refused(ana.try_post("text", spoilers=[[0]]), 422, "invalid_range", "spoilers")
    refused(ana.try_post("text", spoilers="0,1"), 422, "invalid", "spoilers")
    assert ana.try_post("abcdef", spoilers=[[0, 3], [3, 3]]).status_code == 201  # touching is fine


def test_html_in_a_post_is_escaped(ana: Person) -> None:
    post = ana.write('<script>alert(1)</script><b onmouseover="x">hi</b> & more')
    assert "<script>" not in post["html"] and "<b" not in post["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in post["html"]
    assert "&amp; more" in post["html"]
    assert post["text"].startswith("<script>")  # stored as typed


def test_links_and_mentions_are_linked(ana: Person, bob: Person) -> None:
    post = ana.write("Hi @bob and @nobody, see https://example.com/a?b=1&c=2.")
    html = post["html"]
    assert '<a href="/@bob"' in html and "@nobody" in html and 'href="/@nobody"' not in html
    assert 'href="https://example.com/a?b=1&amp;c=2"' in html
    assert list(Mention.objects.values_list("account_id", flat=True)) == [bob.id]


def test_control_characters_are_refused(ana: Person) -> None:
    refused(ana.try_post("nul \x00 byte"), 422, "invalid_characters", "text")
    refused(ana.try_post("ok", topic="a\x07b"), 422, "invalid_characters", "topic")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": 5}, "text"),
        ({"text": "x", "unknown": 1}, "unknown"),
        ({"text": "x", "media_ids": ["abc"]}, "media_ids.0"),
        ({"text": "x", "ghost": "sometimes"}, "ghost"),
    ],
)
def test_malformed_bodies_are_422_with_the_field(ana: Person, body: dict[str, Any], field: str) -> None:
    response = ana.send("post", "", body)
    refused(response, 422, "invalid", field)


def test_reply_control_must_be_known(ana: Person) -> None:
    refused(ana.try_post("x", reply_control="friends"), 422, "invalid_reply_control", "reply_control")
    for control in (
        "everyone",
        "accounts_you_follow",
        "mentioned_only",
        "followers_only",
        "parent_post_author_only",
    ):
        assert ana.write("x", reply_control=control)["reply_control"] == control


def test_signed_out_visitors_cannot_post(anon: Any) -> None:
    response = anon.post("/api/spool/v1/posts/", '{"text": "hi"}', content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_quotes_count_and_show_the_quoted_post(ana: Person, bob: Person) -> None:
    original = ana.write("Original thought")
    quote = bob.write("So true", quote_of_id=original["id"])
    assert quote["quote"]["id"] == original["id"]
    assert quote["quote"]["text"] == "Original thought"
    assert ana.view(original)["quotes_count"] == 1


def test_ghost_posts_are_text_only_and_not_replies(ana: Person) -> None:
    post = ana.write("Boo", ghost=True)
    assert post["ghost"] is True and post["expires_at"]
    refused(ana.try_post("x", ghost=True, poll_options=["a", "b"]), 422, "ghost_text_only", "ghost")
    refused(ana.try_post("x", ghost=True, attachment_text="more"), 422, "ghost_text_only", "ghost")
    refused(ana.try_post("x", ghost=True, media_ids=[ana.media_id()]), 422, "ghost_text_only", "ghost")
    refused(ana.try_post("x", ghost=True, reply_to_id=post["id"]), 422, "ghost_reply", "ghost")
    refused(ana.try_post("", ghost=True), 422, "empty_post", "text")
    refused(ana.try_post("q", quote_of_id=post["id"]), 422, "not_quotable", "quote_of_id")


def test_posting_is_rate_limited(ana: Person) -> None:
    # 249 posts already written today (counted by the same limiter the service uses): the 250th passes.
    for _ in range(POST_LIMIT.limit - 1):
        hit(POST_LIMIT, ana.id)
    assert ana.try_post("post 250").status_code == 201
    response = ana.try_post("post 251")
    refused(response, 429, "rate_limited")
    assert response["Retry-After"] and response["X-RateLimit-Limit"] == "250"
    assert Post.objects.count() == 1
    assert ana.try_post("a reply has its own limit", reply_to_id=Post.objects.get().id).status_code == 201


def test_post_created_names_the_parent_quote_and_mentioned_accounts(
    ana: Person, bob: Person, cy: Person
) -> None:
    from spool.core.events import _in_transaction, subscribe
    from spool.posts.events import PostCreated

    created: list[PostCreated] = []
    subscribe(PostCreated, created.append)
    try:
        root = ana.write("Root")
        cy.block(bob)
        reply = bob.write("Hey @ana @cy @bob @nobody", reply_to_id=root["id"], quote_of_id=root["id"])
    finally:
        _in_transaction[PostCreated].remove(created.append)
    event = created[-1]
    assert event.post_id == int(reply["id"]) and event.author_id == bob.id
    assert event.reply_to_id == int(root["id"]) and event.reply_to_author_id == ana.id
    assert event.quote_of_id == int(root["id"]) and event.quote_of_author_id == ana.id
    # Not the author, not someone who blocked them, not a handle nobody has.
    assert event.mentioned_ids == (ana.id,)
